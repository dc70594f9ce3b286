/**
 * Renders the engine's events for a person: a progress bar on a TTY (bytes, percent, rate, ETA,
 * retries), milestone lines otherwise. Everything goes to stderr so stdout stays for results.
 */
import { SingleBar } from 'cli-progress';
import type { JsonValue } from '../destinations/destination.js';
import type { UploadEvent } from '../upload/events.js';
import { formatBytes, formatDuration, formatRate } from './format.js';

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
  /** Injected for tests; defaults to Date.now. */
  now?: () => number;
}

export class ProgressReporter {
  readonly #stream: NodeJS.WriteStream;
  readonly #quiet: boolean;
  readonly #now: () => number;
  #bar: SingleBar | undefined;
  #total = 0;
  #startedAt = 0;
  #retries = 0;
  #lastMilestone = -1;
  /** Bytes a resume found already stored: counted as done, but not as sent, so the rate stays true. */
  #skipped = 0;

  constructor(options: ProgressOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#quiet = options.quiet ?? false;
    this.#now = options.now ?? Date.now;
  }

  get retries(): number {
    return this.#retries;
  }

  /** Pass as `onEvent` to the engine. */
  readonly handle = (event: UploadEvent): void => {
    if (this.#quiet) return;
    switch (event.type) {
      case 'initiated':
        this.#total = event.totalSize;
        this.#startedAt = this.#now();
        this.#line(
          `Uploading ${event.fileName} (${formatBytes(event.totalSize)}, ${event.chunks} chunk${event.chunks === 1 ? '' : 's'} of ${formatBytes(event.chunkSize)}, ${event.contentType})`,
        );
        this.#startBar();
        break;
      case 'segment-stored':
        if (event.skipped) this.#skipped += event.size;
        this.#update(event.bytesStored);
        break;
      case 'retry':
        this.#retries += 1;
        if (!this.#bar) {
          const where = event.segmentIndex === undefined ? event.route : `segment ${event.segmentIndex}`;
          this.#line(`  retrying ${where} in ${formatDuration(event.delayMs / 1000)}: ${event.reason}`);
        }
        break;
      case 'url-refreshed':
        if (!this.#bar) this.#line('  the upload URL expired; fetched a fresh one');
        break;
      case 'completing':
        this.#stopBar();
        this.#line('Completing the upload (the platform checks what it stored)…');
        break;
      case 'completed':
        this.#line(`${storedAs(event.ref)} (sha256 ${event.sha256})`);
        break;
      case 'delivering':
        this.#line('Sending the message…');
        break;
      case 'aborting':
        this.#stopBar();
        this.#line(`Aborting remote upload ${event.uploadId}…`);
        break;
      default:
        break;
    }
  };

  /** Stops the bar (call before printing a result or an error). */
  stop(): void {
    this.#stopBar();
  }

  #startBar(): void {
    if (!this.#stream.isTTY) return;
    this.#bar = new SingleBar({
      stream: this.#stream,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      format: (options, params, payload: { sent: string; rate: string; eta: string; retries: number }) => {
        const width = options.barsize ?? 30;
        const filled = Math.round(params.progress * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        const pct = (params.progress * 100).toFixed(1).padStart(5);
        return `${bar} ${pct}% | ${payload.sent} | ${payload.rate} | ETA ${payload.eta} | retries ${payload.retries}`;
      },
    });
    this.#bar.start(Math.max(1, this.#total), 0, this.#payload(0));
  }

  #update(bytesStored: number): void {
    if (this.#bar) {
      this.#bar.update(bytesStored, this.#payload(bytesStored));
      return;
    }
    // Not a TTY: a line at each 10% so logs show the upload is alive without flooding them.
    const milestone = Math.floor((bytesStored / Math.max(1, this.#total)) * 10);
    if (milestone > this.#lastMilestone) {
      this.#lastMilestone = milestone;
      const p = this.#payload(bytesStored);
      this.#line(`  ${milestone * 10}% ${p.sent} ${p.rate} ETA ${p.eta}`);
    }
  }

  #payload(bytesStored: number): { sent: string; rate: string; eta: string; retries: number } {
    const elapsed = Math.max(0.001, (this.#now() - this.#startedAt) / 1000);
    const rate = Math.max(0, bytesStored - this.#skipped) / elapsed;
    const eta = rate > 0 ? (this.#total - bytesStored) / rate : Number.NaN;
    return {
      sent: `${formatBytes(bytesStored)}/${formatBytes(this.#total)}`,
      rate: formatRate(rate),
      eta: formatDuration(eta),
      retries: this.#retries,
    };
  }

  #stopBar(): void {
    if (this.#bar) {
      this.#bar.stop();
      this.#bar = undefined;
    }
  }

  #line(text: string): void {
    this.#stream.write(`${text}\n`);
  }
}

/** "Stored as file ID" for a file id; a reference of ids (Web Messaging, conversation media…) as "Stored: name id, …". */
function storedAs(ref: JsonValue): string {
  if (typeof ref === 'string') return `Stored as file ${ref}`;
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) return `Stored: ${JSON.stringify(ref)}`;
  return `Stored: ${Object.entries(ref).map(([name, id]) => `${name} ${typeof id === 'string' ? id : JSON.stringify(id)}`).join(', ')}`;
}
