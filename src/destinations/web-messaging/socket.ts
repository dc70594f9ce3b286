/**
 * One guest's WebSocket to the guest API (WEB-MESSAGING.md §1-§2), as Genesys' own clients run it:
 * requests matched to answers by `tracingId`; unsolicited events handed to subscribers; the
 * client-side limits honoured before each request; TooManyRequests waited out and the request sent
 * again; a WebSocket ping every 15 s (no pong by the next one: the socket is dropped); after a drop,
 * a reconnect every 5 s for up to 5 minutes on the next request, then the `onReconnect` hook (the
 * session sends `configureSession` again with the same token).
 *
 * The guest token lives only in a private field and in the frames sent; it is never logged, put in
 * an error, or returned. Time comes from an injected clock, so tests need no real waiting.
 */
import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { InterruptedError, RejectedError, TransientError, UploadError } from '../../errors/index.js';
import { systemClock, type Clock } from '../../http/clock.js';
import { PendingAnswers } from './answers.js';
import { connectSocket, describeUrl } from './connect.js';
import { connectionLost, frameError } from './errors.js';
import { bodyObject, errorCodeOf, isErrorFrame, num, parseFrame, type Frame, type Request } from './frames.js';
import { startKeepAlive } from './keep-alive.js';
import { DEFAULT_429_WAIT_MS } from '../../http/retry-after.js';
import { MESSAGES_PER_SESSION, REQUESTS_PER_CONNECTION, SlidingWindow } from './limits.js';

export interface SocketOptions {
  url: string;
  origin?: string | undefined;
  token: string;
  clock?: Clock | undefined;
  pingIntervalMs?: number | undefined;
  reconnectDelayMs?: number | undefined;
  reconnectForMs?: number | undefined;
  /** Longest wait for the answer to a request; default 30 s. */
  answerTimeoutMs?: number | undefined;
  /** A TooManyRequests asking for longer than this ends the request; default 180 s. */
  maxRetryAfterMs?: number | undefined;
  /** TooManyRequests answers waited out per request; default 10. */
  maxRateLimitRetries?: number | undefined;
  /** Reports waits for TooManyRequests (for events and tests). */
  onRetry?: ((info: { action: string; attempt: number; delayMs: number }) => void) | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Verb phrase for errors: "request an upload URL". */
  what: string;
  /** Counts against the 2-per-second message limit. */
  isMessage?: boolean | undefined;
  /** Accepts an answer that came without our tracingId (servers are not consistent). */
  accepts: (frame: Frame) => boolean;
}

/** TooManyRequestsErrorMessage, or any error frame with code 429/4029 (servers vary). */
export function isTooManyRequests(frame: Frame): boolean {
  if (frame.class === 'TooManyRequestsErrorMessage') return true;
  const code = errorCodeOf(frame);
  return isErrorFrame(frame) && (code === 429 || code === 4029);
}

const ENDING_EVENTS = new Set(['SessionExpiredEvent', 'SessionClearedEvent', 'LogoutEvent']);

export class WebMessagingSocket {
  readonly #token: string;
  private readonly clock: Clock;
  private ws: WebSocket | undefined;
  private opening: Promise<void> | undefined;
  private everOpened = false;
  private closedByUs = false;
  private ended: UploadError | undefined;
  private readonly answers = new PendingAnswers();
  private readonly subscribers = new Set<(frame: Frame) => void>();
  private readonly dropListeners = new Set<(error: UploadError) => void>();
  private readonly requests: SlidingWindow;
  private readonly messages: SlidingWindow;
  private keepAlive: AbortController | undefined;
  /** Called after a reconnect, before any other request (configureSession with the same token). */
  onReconnect: ((signal: AbortSignal | undefined) => Promise<void>) | undefined;
  /** Connections opened so far (1 + reconnects). */
  connections = 0;

  private readonly options: Omit<SocketOptions, 'token'>;

  constructor(options: SocketOptions) {
    // The token is kept only in the private field, so inspecting or serialising this object cannot show it.
    const { token, ...rest } = options;
    this.#token = token;
    this.options = rest;
    this.clock = rest.clock ?? systemClock;
    this.requests = new SlidingWindow(REQUESTS_PER_CONNECTION, this.clock);
    this.messages = new SlidingWindow(MESSAGES_PER_SESSION, this.clock);
  }

  get endpoint(): string {
    return describeUrl(this.options.url);
  }

  get isOpen(): boolean {
    return this.ws !== undefined;
  }

  /** Unsolicited frames (and answers nobody waits for). Returns the unsubscribe function. */
  subscribe(listener: (frame: Frame) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** Called when the connection drops (or the session ends). Returns the unsubscribe function. */
  onDrop(listener: (error: UploadError) => void): () => void {
    this.dropListeners.add(listener);
    return () => this.dropListeners.delete(listener);
  }

  /** Opens the socket, or reconnects after a drop (every 5 s for up to 5 minutes). */
  ensureOpen(signal?: AbortSignal): Promise<void> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    if (this.ws !== undefined) return Promise.resolve();
    this.opening ??= this.open(signal).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(signal: AbortSignal | undefined): Promise<void> {
    const reconnecting = this.everOpened;
    const delay = this.options.reconnectDelayMs ?? 5_000;
    const deadline = this.clock.now() + (this.options.reconnectForMs ?? 300_000);
    for (;;) {
      try {
        const ws = await connectSocket({ url: this.options.url, origin: this.options.origin, signal });
        this.attach(ws);
        break;
      } catch (error) {
        // The first connection fails fast (a wrong URL should not hang for 5 minutes); a reconnect
        // is retried as Genesys' clients do.
        if (!reconnecting || !(error instanceof TransientError) || this.clock.now() + delay > deadline) throw error;
        await this.clock.sleep(delay, signal);
      }
    }
    if (!reconnecting || this.onReconnect === undefined) return;
    try {
      await this.onReconnect(signal);
    } catch (error) {
      // An unconfigured connection is no use (the server answers 4007): the next request starts over.
      const ws = this.ws;
      this.ws = undefined;
      this.keepAlive?.abort();
      ws?.terminate();
      throw error;
    }
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    this.everOpened = true;
    this.connections += 1;
    this.requests.reset();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(data.toString());
    });
    ws.on('error', () => undefined); // 'close' follows and does the work
    ws.on('close', () => this.dropped(ws, connectionLost('keep the conversation open')));
    this.keepAlive = startKeepAlive(ws, this.clock, this.options.pingIntervalMs ?? 15_000, () => this.ws === ws);
  }

  private dropped(ws: WebSocket, error: UploadError): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.keepAlive?.abort();
    ws.removeAllListeners('message');
    this.answers.failAll(this.ended ?? error);
    if (this.closedByUs) return;
    for (const listener of [...this.dropListeners]) listener(this.ended ?? error);
  }

  private receive(text: string): void {
    const frame = parseFrame(text);
    if (frame === undefined) return; // not JSON or no class: ignored, as unknown frames are
    if (this.answers.settle(frame)) return;
    if (frame.class === 'ConnectionClosedEvent') {
      this.ws?.terminate();
      return;
    }
    if (ENDING_EVENTS.has(frame.class)) {
      this.ended = new RejectedError('webmessaging.session_ended', `The guest session ended (${frame.class}): the conversation is over for this guest token. Start a new conversation (without --guest-token-file).`);
      this.ws?.terminate();
    }
    for (const listener of [...this.subscribers]) listener(frame);
  }

  /**
   * Sends one request and returns its answer frame (which may be an error frame: the caller maps
   * it). TooManyRequests is waited out here. A drop rejects with `webmessaging.connection_lost`:
   * the request may or may not have been processed.
   */
  async request(request: Request, options: RequestOptions): Promise<Frame> {
    const maxRetries = this.options.maxRateLimitRetries ?? 10;
    for (let attempt = 1; ; attempt++) {
      await this.ensureOpen(options.signal);
      if (options.isMessage === true) await this.messages.acquire(options.signal);
      await this.requests.acquire(options.signal);
      const frame = await this.exchange(request, options);
      if (!isTooManyRequests(frame)) return frame;
      const retryAfter = num(bodyObject(frame)['retryAfter']);
      const delayMs = Math.max(1, Math.ceil((retryAfter ?? DEFAULT_429_WAIT_MS / 1000) * 1000));
      if (attempt > maxRetries || delayMs > (this.options.maxRetryAfterMs ?? 180_000)) throw frameError(frame, { what: options.what });
      this.options.onRetry?.({ action: request.action, attempt, delayMs });
      await this.clock.sleep(delayMs, options.signal);
    }
  }

  private exchange(request: Request, options: RequestOptions): Promise<Frame> {
    const ws = this.ws;
    if (ws === undefined) return Promise.reject(connectionLost(options.what));
    const tracingId = randomUUID();
    const answer = this.answers.wait(tracingId, {
      accepts: (frame) => options.accepts(frame) || isErrorFrame(frame),
      clock: this.clock,
      timeoutMs: this.options.answerTimeoutMs ?? 30_000,
      timeoutError: () => new TransientError('webmessaging.no_answer', `No answer from ${this.endpoint} while trying to ${options.what}.`),
      signal: options.signal,
    });
    ws.send(JSON.stringify({ ...request, token: this.#token, tracingId }), (error) => {
      if (error !== undefined && error !== null) this.answers.fail(tracingId, connectionLost(options.what, error));
    });
    return answer;
  }

  /** Drops the connection as a network failure would (tests and the no-pong rule). */
  drop(): void {
    this.ws?.terminate();
  }

  async close(): Promise<void> {
    this.closedByUs = true;
    this.ended ??= new InterruptedError('The Web Messaging connection was closed.');
    const ws = this.ws;
    if (ws === undefined) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000);
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000).unref();
    });
  }
}
