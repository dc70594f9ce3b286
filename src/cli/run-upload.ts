/**
 * The part of `send`, `resume` and `demo` that drives one upload from the terminal: Ctrl-C
 * wiring, the progress reporter, what the resume journal did (resumed, started over, kept for
 * later), the human or JSON result, and the exit status of a failure.
 */
import { sendFile, sendVia, type GenesysClient, type SendFileOptions, type SendFileResult, type SendViaOptions, type SendViaResult, type Via } from '../relay/index.js';
import { InterruptedError } from '../errors/index.js';
import type { UploadEvent } from '../upload/events.js';
import { onInterrupt } from './interrupt.js';
import { ProgressReporter } from './progress.js';
import { reportError } from './report-error.js';
import { formatBytes, formatRate } from './format.js';

export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
}

export type UploadOutcome = { ok: true; result: SendFileResult } | { ok: false; exitCode: number };

const percent = (part: number, whole: number): string => `${Math.floor((part / Math.max(1, whole)) * 100)}%`;

/** Lines about the journal's decisions; the hint for a kept upload waits until after the error. */
function journalNotes(say: (line: string) => void): { handle: (event: UploadEvent) => void; hint: () => string | undefined } {
  let hint: string | undefined;
  return {
    handle(event) {
      switch (event.type) {
        case 'resumed':
          say(
            event.phase === 'delivery'
              ? `Resuming ${event.journalId}: the file is already uploaded (upload ${event.uploadId}); sending the message only.`
              : `Resuming ${event.journalId} (upload ${event.uploadId}): the server holds ${formatBytes(event.bytesOnServer)} of ` +
                  `${formatBytes(event.totalBytes)}; every chunk is checked against the file and only what is missing or different is sent.`,
          );
          break;
        case 'starting-over':
          say(`Starting over: ${event.reason}.`);
          break;
        case 'resumable':
          hint =
            event.bytesStored >= event.totalBytes
              ? `The file is uploaded (journal entry ${event.journalId}): run the same command again, or ` +
                `genesys-upload resume ${event.journalId}, to send the message.`
              : `The upload is kept (${percent(event.bytesStored, event.totalBytes)} stored, journal entry ${event.journalId}): ` +
                `run the same command again, or genesys-upload resume ${event.journalId}, to continue.`;
          break;
        default:
          break;
      }
    },
    hint: () => hint,
  };
}

export async function runUpload(
  client: GenesysClient,
  options: Omit<SendFileOptions, 'signal' | 'onEvent'>,
  output: OutputFlags,
): Promise<UploadOutcome> {
  return runSend((control) => sendFile(client, { ...options, ...control }), output);
}

/**
 * Drives one send of any destination from the terminal: `send` gets the Ctrl-C signal and the
 * event listener (progress bar, journal notes); a failure is reported and becomes an exit status.
 */
export async function runSend<T>(
  send: (control: { signal: AbortSignal; onEvent: (event: UploadEvent) => void }) => Promise<T>,
  output: OutputFlags,
): Promise<{ ok: true; result: T } | { ok: false; exitCode: number }> {
  const quiet = output.quiet ?? false;
  const progress = new ProgressReporter({ quiet });
  const say = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const notes = journalNotes(say);
  const interrupt = onInterrupt();
  try {
    const result = await send({
      signal: interrupt.signal,
      onEvent: (event) => {
        notes.handle(event);
        progress.handle(event);
      },
    });
    progress.stop();
    return { ok: true, result };
  } catch (error) {
    progress.stop();
    const failure = interrupt.signal.aborted && !(error instanceof InterruptedError) ? new InterruptedError(undefined, { cause: error }) : error;
    const exitCode = reportError(failure, { json: output.json ?? false });
    const hint = notes.hint();
    if (hint !== undefined) process.stderr.write(`${hint}\n`);
    return { ok: false, exitCode };
  } finally {
    interrupt.dispose();
  }
}

/** One Files API send from the terminal, its result printed; returns the exit status. */
export async function runFilesSend(client: GenesysClient, options: Omit<SendFileOptions, 'signal' | 'onEvent'>, output: OutputFlags): Promise<number> {
  const outcome = await runUpload(client, options, output);
  if (!outcome.ok) return outcome.exitCode;
  printResult(outcome.result, output);
  return 0;
}

/** One send through `via` from the terminal, its result printed; returns the exit status. */
export async function runViaSend(via: Via, options: Omit<SendViaOptions, 'signal' | 'onEvent'>, output: OutputFlags): Promise<number> {
  const outcome = await runSend((control) => sendVia(via, { ...options, ...control }), output);
  if (!outcome.ok) return outcome.exitCode;
  printViaResult(outcome.result, output);
  return 0;
}

/** Prints a delivery through any destination: its own ids in `details`. */
export function printViaResult(result: SendViaResult, output: OutputFlags, extra: Record<string, unknown> = {}): void {
  const link =
    result.link === undefined
      ? ''
      : `  sent as a link to object ${result.link.key}, ${result.link.expiresAt === undefined ? 'which does not expire' : `expiring ${result.link.expiresAt}`} (the link itself is in the message only)\n`;
  printDelivery(result, output, extra, {
    via: ` via ${result.destination}`,
    delivered: `Delivered ${result.fileName} (${formatBytes(result.size)}) via ${result.destination} in ${result.seconds.toFixed(1)} s (${result.retries} retries${resumedNote(result)})`,
    ids: `  ${Object.entries(result.details).map(([name, value]) => `${name} ${value}`).join('  ')}\n  sha256 ${result.sha256}\n${link}`,
  });
}

/** Prints a delivered upload: a summary for people on stderr, the message id (or JSON) on stdout. */
export function printResult(result: SendFileResult, output: OutputFlags, extra: Record<string, unknown> = {}): void {
  const moved = result.size - result.bytesSkipped; // the rate of this run's own work
  printDelivery(result, output, extra, {
    via: '',
    delivered:
      `Delivered ${result.fileName} (${formatBytes(result.size)}) in ${result.seconds.toFixed(1)} s ` +
      `(${formatRate(moved / Math.max(result.seconds, 0.001))}, ${result.chunks} chunks, ${result.retries} retries${resumedNote(result)})`,
    ids: `  file ${result.fileId}  guest ${result.guestId}\n  sha256 ${result.sha256}\n`,
  });
}

const resumedNote = (result: SendFileResult | SendViaResult): string =>
  result.resumed ? `, resumed: ${formatBytes(result.bytesSkipped)} were already stored` : '';

/** What both prints share: the JSON object, or the summary (delivered now or by an earlier run) and the ids; then the message id. */
function printDelivery(
  result: SendFileResult | SendViaResult,
  output: OutputFlags,
  extra: Record<string, unknown>,
  words: { via: string; delivered: string; ids: string },
): void {
  if (output.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, ...result, ...extra })}\n`);
    return;
  }
  if (!output.quiet) {
    const summary = result.alreadyDelivered
      ? `Already delivered by an earlier run (journal entry ${result.journalId}): ${result.fileName} (${formatBytes(result.size)})${words.via}; ` +
        'nothing was sent again. Use --restart to upload and send it anew.'
      : words.delivered;
    process.stderr.write(`${summary}\n${words.ids}`);
  }
  process.stdout.write(`${result.messageId}\n`);
}
