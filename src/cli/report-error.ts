/**
 * Prints a failure for a person (stderr) and, with --json, for a script (stdout's last line), and
 * returns the exit status of its class. Messages are the errors' own: they already say the cause
 * and the fix, and carry no secrets or URL signatures.
 */
import { UploadError, exitCodeFor } from '../errors/index.js';

export function reportError(error: unknown, options: { json: boolean; stderr?: NodeJS.WritableStream; stdout?: NodeJS.WritableStream }): number {
  const stderr = options.stderr ?? process.stderr;
  const stdout = options.stdout ?? process.stdout;
  const code = exitCodeFor(error);
  if (error instanceof UploadError) {
    const ref = error.contextId === undefined ? '' : ` (correlation id ${error.contextId})`;
    stderr.write(`error: ${error.message}${ref}\n`);
  } else {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    stderr.write(`error: unexpected failure, please report it: ${message}\n`);
  }
  if (options.json) {
    const body = error instanceof UploadError ? error.toJSON() : { kind: 'internal', code: 'internal', message: String(error) };
    stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: body })}\n`);
  }
  return code;
}
