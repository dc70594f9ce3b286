/**
 * Delivery (PROTOCOL.md §7): a guest in the given language, then one message to the recipients
 * with the uploaded file attached. Neither POST is retried after a lost connection (it could
 * create a second guest or send the message twice); 429 and 503 are retried.
 *
 * With a recorder (the resume journal) each step is recorded as it becomes true: the guest once
 * created, the intent to send right before the message POST, and its id once answered. PROTOCOL.md
 * gives the message POST no idempotency key, so between the intent and the answer the outcome is
 * unknowable after a crash; the caller treats such an entry as "uncertain" and never re-sends it
 * on its own (at most once). An answer that proves nothing was created (an error status other
 * than 500/502/504, or a connection that was never made) clears the intent.
 */
import { ConfigError, UploadError } from '../errors/index.js';
import { NOT_SENT_ERROR_CODES, networkErrorCode } from '../http/network-errors.js';
import type { CallOptions } from '../genesys/api-transport.js';
import type { UploadEventListener } from '../upload/events.js';
import type { GenesysClient } from './genesys-client.js';

export interface DeliverFileOptions {
  fileId: string;
  fileName: string;
  /** 1..10 recipient addresses. */
  to: string[];
  /** Default: "File <name> attached." */
  text?: string | undefined;
  /** BCP-47 tag; default en-US. */
  language?: string | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: UploadEventListener | undefined;
  /** Retry reporting and policy for the two calls. */
  callOptions?: Omit<CallOptions, 'signal'>;
  /** A guest created earlier for this delivery (resume); a new one is made if the server lost it. */
  guestId?: string | undefined;
  recorder?: DeliveryRecorder | undefined;
}

/** The durable steps of a delivery; see the file comment. Synchronous, like the upload's. */
export interface DeliveryRecorder {
  guestCreated(guestId: string | undefined): void;
  messageSending(): void;
  /** The server answered that it did not create the message. */
  messageNotSent(): void;
  messageSent(messageId: string): void;
}

/** True when `error` proves the message POST created nothing. */
export function provablyNotSent(error: unknown): boolean {
  if (!(error instanceof UploadError)) return false;
  if (error.status !== undefined) return error.status < 500 || error.status === 503;
  const code = networkErrorCode(error);
  return code !== undefined && NOT_SENT_ERROR_CODES.includes(code);
}

function guestNotFound(error: unknown): boolean {
  return error instanceof UploadError && error.status === 400 && error.remoteCode === 'guest.not.found';
}

export interface DeliverFileResult {
  guestId: string;
  messageId: string;
}

export const DEFAULT_LANGUAGE = 'en-US';
const MAX_TEXT_CODE_POINTS = 2000;
/** A plausible BCP-47 tag: the server has the final word. */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

export function defaultMessageText(fileName: string): string {
  return `File ${fileName} attached.`;
}

/** Checks what the server would refuse with 400, before a file is uploaded for nothing. */
export function validateDelivery(options: { to: string[]; text?: string | undefined; language?: string | undefined }): void {
  if (!Array.isArray(options.to) || options.to.length < 1 || options.to.length > 10) {
    throw new ConfigError('config.to', `to: give 1 to 10 recipient addresses; got ${Array.isArray(options.to) ? options.to.length : 0}.`);
  }
  if (options.to.some((address) => typeof address !== 'string' || address.trim() === '' || address.length > 1024)) {
    throw new ConfigError('config.to', 'to: every recipient must be a non-empty address of at most 1024 characters.');
  }
  if (options.text !== undefined && [...options.text].length > MAX_TEXT_CODE_POINTS) {
    throw new ConfigError('config.text', `text: at most ${MAX_TEXT_CODE_POINTS} characters; got ${[...options.text].length}.`);
  }
  const language = options.language ?? DEFAULT_LANGUAGE;
  if (!LANGUAGE_TAG.test(language)) {
    throw new ConfigError('config.language', `language: ${JSON.stringify(language.slice(0, 50))} is not a BCP-47 tag such as en-US.`);
  }
}

export async function deliverFile(client: GenesysClient, options: DeliverFileOptions): Promise<DeliverFileResult> {
  validateDelivery(options);
  const call: CallOptions = {
    ...options.callOptions,
    signal: options.signal,
    onRetry:
      options.callOptions?.onRetry ??
      ((info) => options.onEvent?.({ type: 'retry', ...info })),
  };
  const recorder = options.recorder;
  options.onEvent?.({ type: 'delivering' });
  const newGuest = async (): Promise<string> => {
    const guest = await client.createGuest({ language: options.language ?? DEFAULT_LANGUAGE }, call);
    recorder?.guestCreated(guest.id);
    return guest.id;
  };
  const send = async (guestId: string): Promise<string> => {
    recorder?.messageSending();
    try {
      const message = await client.sendMessage(
        {
          guestId,
          to: options.to,
          text: options.text ?? defaultMessageText(options.fileName),
          attachments: [{ id: options.fileId, name: options.fileName }],
        },
        call,
      );
      return message.id;
    } catch (error) {
      if (provablyNotSent(error)) recorder?.messageNotSent();
      throw error;
    }
  };
  let guestId = options.guestId ?? (await newGuest());
  let messageId: string;
  try {
    messageId = await send(guestId);
  } catch (error) {
    // A guest from an earlier run may have expired on the server: one new guest, one more try.
    if (options.guestId === undefined || !guestNotFound(error)) throw error;
    recorder?.guestCreated(undefined);
    guestId = await newGuest();
    messageId = await send(guestId);
  }
  recorder?.messageSent(messageId);
  options.onEvent?.({ type: 'delivered', guestId, messageId });
  return { guestId, messageId };
}
