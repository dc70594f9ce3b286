/**
 * A Web Messaging guest: one socket, one session, and what the destination (destination.ts) does
 * with them — check a file and ask for its upload URL (the engine PUTs the bytes), send the
 * message, and ask whether a message whose answer was lost exists.
 * The guest token (a fresh random UUID for a new conversation, or a caller's existing one) is held
 * in a private field; only `tokenForOwnerOnlyFile` hands it out, for the caller that must keep it
 * in a file readable by its owner alone (to continue the same conversation after a crash).
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { RejectedError } from '../../errors/index.js';
import { systemClock, type Clock } from '../../http/clock.js';
import { createDispatcher } from '../../http/dispatcher.js';
import type { RetryInfo } from '../../http/retry-runner.js';
import { findMessage, type FindQuery } from './find.js';
import { sendMessage, type OutgoingMessage } from './message.js';
import type { WebMessagingConfig } from './options.js';
import { checkAttachment, configureSession, type SessionLimits } from './session.js';
import { WebMessagingSocket } from './socket.js';
import { requestUploadUrl, type AttachmentFacts, type GrantedUpload } from './upload.js';

export interface GuestOptions {
  config: WebMessagingConfig;
  /** An existing guest's token; absent: a new guest (a new conversation). */
  token?: string | undefined;
  clock?: Clock | undefined;
  /** For the history lookup (`find`); the attachment's PUT is the engine's. */
  dispatcher?: Dispatcher | undefined;
  signal?: AbortSignal | undefined;
  /** Socket timings (tests shorten them; the defaults are Genesys' clients'). */
  socket?: { pingIntervalMs?: number; reconnectDelayMs?: number; reconnectForMs?: number; answerTimeoutMs?: number } | undefined;
  /** Wait for the upload's verdict after the PUT's answer; default 60 s [choice]. */
  eventTimeoutMs?: number | undefined;
  /** Waits for TooManyRequests on the socket. */
  onRetry?: ((info: RetryInfo & { route: 'api' }) => void) | undefined;
}

export class WebMessagingGuest {
  readonly #token: string;
  readonly isNewGuest: boolean;
  limits: SessionLimits | undefined;
  private readonly socket: WebMessagingSocket;
  private readonly clock: Clock;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  private readonly options: Omit<GuestOptions, 'token'>;

  private constructor(allOptions: GuestOptions) {
    // The token is kept only in the private field, so inspecting or serialising this object cannot show it.
    const { token, ...options } = allOptions;
    this.options = options;
    this.isNewGuest = token === undefined;
    this.#token = token ?? randomUUID();
    this.clock = options.clock ?? systemClock;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? createDispatcher({ connections: 4 });
    this.socket = new WebMessagingSocket({
      url: options.config.wsUrl,
      origin: options.config.origin,
      token: this.#token,
      clock: this.clock,
      ...options.socket,
      onRetry: (info) => options.onRetry?.({ attempt: info.attempt, delayMs: info.delayMs, reason: `TooManyRequests (${info.action})`, route: 'api' }),
    });
    // Genesys' clients, after a reconnect: configureSession again with the same token.
    this.socket.onReconnect = async (signal) => {
      this.limits = await configureSession(this.socket, options.config.deploymentId, { signal });
    };
  }

  /** Connects and configures the session. */
  static async open(options: GuestOptions): Promise<WebMessagingGuest> {
    const guest = new WebMessagingGuest(options);
    try {
      await guest.socket.ensureOpen(options.signal);
      // No startNew: a fresh random token is a new conversation already, and an existing token's
      // conversation is the one to continue.
      guest.limits = await configureSession(guest.socket, options.config.deploymentId, { signal: options.signal });
    } catch (error) {
      await guest.close();
      throw error;
    }
    return guest;
  }

  /** For the owner-only token file, and nothing else. */
  tokenForOwnerOnlyFile(): string {
    return this.#token;
  }

  /** Connections opened so far (1 + reconnects). */
  get connections(): number {
    return this.socket.connections;
  }

  /** The checks before any upload request; undefined when the file fits. */
  refuses(file: AttachmentFacts): RejectedError | undefined {
    if (this.limits === undefined) return undefined;
    return checkAttachment(this.limits, file);
  }

  /**
   * The checks, then onAttachment; the engine PUTs the bytes (through the destination seam), and
   * the returned watch reports the platform's verdict.
   */
  async beginAttachment(file: AttachmentFacts, signal?: AbortSignal): Promise<GrantedUpload> {
    const refusal = this.refuses(file);
    if (refusal !== undefined) throw refusal;
    return requestUploadUrl(this.socket, file, signal);
  }

  /** Best effort, never throws: removes an uploaded attachment that will not be sent. */
  async deleteAttachment(attachmentId: string): Promise<void> {
    try {
      if (!this.socket.isOpen) return;
      await this.socket.request({ action: 'deleteAttachment', attachmentId }, { what: 'delete the attachment', accepts: (f) => f.class === 'AttachmentDeletedResponse', signal: AbortSignal.timeout(5_000) });
    } catch {
      // Unsent attachments expire on their own.
    }
  }

  get timeSource(): Clock {
    return this.clock;
  }

  get eventTimeoutMs(): number {
    return this.options.eventTimeoutMs ?? 60_000;
  }

  get deploymentId(): string {
    return this.options.config.deploymentId;
  }

  /** One onMessage. A lost answer throws `webmessaging.connection_lost` / `webmessaging.no_answer`: call `find` then. */
  send(message: OutgoingMessage, signal?: AbortSignal): Promise<{ messageId: string }> {
    return sendMessage(this.socket, message, signal);
  }

  /** Asks the platform once whether a message whose answer was lost exists. */
  async find(query: FindQuery, signal?: AbortSignal): Promise<{ messageId: string } | 'absent'> {
    await this.socket.ensureOpen(signal);
    return findMessage({ socket: this.socket, dispatcher: this.dispatcher, apiOrigin: this.options.config.apiOrigin, signal }, query);
  }

  /** Drops the connection as a network failure would (for tests of the reconnect path). */
  dropConnection(): void {
    this.socket.drop();
  }

  async close(): Promise<void> {
    await this.socket.close();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
