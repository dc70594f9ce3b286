/**
 * Delivery (PROTOCOL.md §7): a guest in the given language, then one message to the recipients
 * with the uploaded file attached. Neither POST is retried after a lost connection (it could
 * create a second guest or send the message twice); 429 and 503 are retried.
 */
import { ConfigError } from '../errors/index.js';
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
  options.onEvent?.({ type: 'delivering' });
  const guest = await client.createGuest({ language: options.language ?? DEFAULT_LANGUAGE }, call);
  const message = await client.sendMessage(
    {
      guestId: guest.id,
      to: options.to,
      text: options.text ?? defaultMessageText(options.fileName),
      attachments: [{ id: options.fileId, name: options.fileName }],
    },
    call,
  );
  options.onEvent?.({ type: 'delivered', guestId: guest.id, messageId: message.id });
  return { guestId: guest.id, messageId: message.id };
}
