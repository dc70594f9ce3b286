/**
 * Waits for the platform's verdict on one attachment: `UploadSuccessEvent` or `UploadFailureEvent`
 * (WEB-MESSAGING.md §4.5). The watch starts before `onAttachment` is sent, so an event that arrives
 * while the PUT is still being answered is not missed, and it notes a dropped connection: an upload
 * whose success event had not arrived when the socket dropped must be requested again.
 */
import type { Clock } from '../../http/clock.js';
import type { UploadError } from '../../errors/index.js';
import { bodyObject, str, type Frame } from './frames.js';
import type { WebMessagingSocket } from './socket.js';

export type UploadVerdict =
  | { outcome: 'success'; downloadUrl: string | undefined }
  | { outcome: 'failure'; frame: Frame }
  | { outcome: 'dropped'; error: UploadError }
  | { outcome: 'timeout' };

export class UploadWatch {
  private readonly ids = new Set<string>();
  private verdict: UploadVerdict | undefined;
  private wake: (() => void) | undefined;
  private readonly stops: (() => void)[] = [];

  constructor(socket: WebMessagingSocket, attachmentId: string) {
    this.ids.add(attachmentId);
    this.stops.push(
      socket.subscribe((frame) => {
        if (frame.class !== 'UploadSuccessEvent' && frame.class !== 'UploadFailureEvent') return;
        const id = str(bodyObject(frame)['attachmentId']);
        if (id === undefined || !this.ids.has(id)) return;
        this.settle(frame.class === 'UploadSuccessEvent' ? { outcome: 'success', downloadUrl: str(bodyObject(frame)['downloadUrl']) } : { outcome: 'failure', frame });
      }),
      socket.onDrop((error) => this.settle({ outcome: 'dropped', error })),
    );
  }

  /** The server named the attachment itself (it may replace ours). */
  alsoKnownAs(attachmentId: string): void {
    this.ids.add(attachmentId);
  }

  get settled(): UploadVerdict | undefined {
    return this.verdict;
  }

  private settle(verdict: UploadVerdict): void {
    if (this.verdict !== undefined) return;
    this.verdict = verdict;
    this.wake?.();
  }

  /** Waits at most `timeoutMs` (on the injected clock) for the verdict. */
  async wait(clock: Clock, timeoutMs: number, signal?: AbortSignal): Promise<UploadVerdict> {
    if (this.verdict !== undefined) return this.verdict;
    const timer = new AbortController();
    const onAbort = (): void => timer.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        this.wake = resolve;
        clock.sleep(timeoutMs, timer.signal).then(
          () => {
            this.settle({ outcome: 'timeout' });
            resolve();
          },
          () => (signal?.aborted === true ? reject(signal.reason) : resolve()),
        );
      });
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
      this.wake = undefined;
    }
    return this.verdict ?? { outcome: 'timeout' };
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
