/**
 * Ctrl-C handling for long commands: the first SIGINT/SIGTERM aborts the work through an
 * AbortSignal (in-flight requests stop at once, the remote upload is aborted), a second one
 * exits immediately with 130 for a user who does not want to wait for the clean-up.
 */
export interface InterruptScope {
  signal: AbortSignal;
  dispose(): void;
}

export function onInterrupt(stderr: NodeJS.WritableStream = process.stderr): InterruptScope {
  const controller = new AbortController();
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) {
      stderr.write(`\nReceived ${signal}: stopping (press Ctrl-C again to quit at once)…\n`);
      controller.abort(new Error(`received ${signal}`));
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
