/**
 * Everything one request carries through the emulator: its correlation id (also the error body's
 * contextId and the S3 RequestId), the route it matched, what the request log will say about it,
 * the headers every answer on its surface must carry, and an AbortSignal that fires when the
 * client goes away or the emulator closes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorRoute, FaultAction } from '../types.js';

export type Surface = 'login' | 'api' | 'storage' | 'admin';

export class RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly correlationId = randomUUID();
  readonly arrivedAt: number;
  readonly signal: AbortSignal;
  route: EmulatorRoute | 'admin' | 'unknown' = 'unknown';
  surface: Surface = 'api';
  /** Headers added to every answer (correlation id, rate-limit headers). */
  readonly headers: Record<string, string> = {};
  uploadId: string | undefined;
  segmentIndex: number | undefined;
  fault: FaultAction | undefined;
  /** lose-response: do the work, then drop the connection instead of answering. */
  loseResponse = false;
  /** The status answered (or that would have been, for lose-response); 0 when none. */
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Fires when the client half-closed before sending the whole body (see client-error.ts). */
  readonly bodyCut = new AbortController();
  /** Client id of the bearer token, once authenticated. */
  clientId: string | undefined;

  constructor(req: IncomingMessage, res: ServerResponse, url: URL, arrivedAt: number, closing: AbortSignal) {
    this.req = req;
    this.res = res;
    this.url = url;
    this.arrivedAt = arrivedAt;
    // 'close' on the response fires when the answer is finished or the socket died first.
    // (Not AbortSignal.any: on Node 20 it keeps every request's signal alive on `closing`.)
    const gone = new AbortController();
    const onClosing = () => gone.abort();
    if (closing.aborted) gone.abort();
    else closing.addEventListener('abort', onClosing, { once: true });
    res.once('close', () => {
      closing.removeEventListener('abort', onClosing);
      gone.abort();
    });
    this.signal = gone.signal;
  }
}
