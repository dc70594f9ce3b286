/**
 * The part of `send` and `demo` that drives one upload from the terminal: Ctrl-C wiring, the
 * progress reporter, the human or JSON result, and the exit status of a failure.
 */
import { sendFile, type GenesysClient, type SendFileOptions, type SendFileResult } from '../relay/index.js';
import { InterruptedError } from '../errors/index.js';
import { onInterrupt } from './interrupt.js';
import { ProgressReporter } from './progress.js';
import { reportError } from './report-error.js';
import { formatBytes, formatRate } from './format.js';

export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
}

export type UploadOutcome = { ok: true; result: SendFileResult } | { ok: false; exitCode: number };

export async function runUpload(
  client: GenesysClient,
  options: Omit<SendFileOptions, 'signal' | 'onEvent'>,
  output: OutputFlags,
): Promise<UploadOutcome> {
  const progress = new ProgressReporter({ quiet: output.quiet ?? false });
  const interrupt = onInterrupt();
  try {
    const result = await sendFile(client, { ...options, signal: interrupt.signal, onEvent: progress.handle });
    progress.stop();
    return { ok: true, result };
  } catch (error) {
    progress.stop();
    const failure = interrupt.signal.aborted && !(error instanceof InterruptedError) ? new InterruptedError(undefined, { cause: error }) : error;
    return { ok: false, exitCode: reportError(failure, { json: output.json ?? false }) };
  } finally {
    interrupt.dispose();
  }
}

/** Prints a delivered upload: a summary for people on stderr, the message id (or JSON) on stdout. */
export function printResult(result: SendFileResult, output: OutputFlags, extra: Record<string, unknown> = {}): void {
  if (output.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, ...result, ...extra })}\n`);
    return;
  }
  if (!output.quiet) {
    process.stderr.write(
      `Delivered ${result.fileName} (${formatBytes(result.size)}) in ${result.seconds.toFixed(1)} s ` +
        `(${formatRate(result.size / Math.max(result.seconds, 0.001))}, ${result.chunks} chunks, ${result.retries} retries)\n` +
        `  file ${result.fileId}  guest ${result.guestId}\n  sha256 ${result.sha256}\n`,
    );
  }
  process.stdout.write(`${result.messageId}\n`);
}
