/**
 * `deliverFile(client, …)`: the library's delivery of a file uploaded to the tutorial's Files API
 * (PROTOCOL.md §7), a thin wrapper of the exactly-once delivery (deliver.ts) over that
 * destination's notifier: a guest in the given language, then one message to the recipients with
 * the file attached. A lost answer to the message is settled by asking the guest's messages, never
 * by sending blindly; a lost answer to the guest creation just makes another guest.
 */
import { ConfigError } from '../errors/index.js';
import { resolveRetryPolicy } from '../http/retry-policy.js';
import type { CallOptions } from '../genesys/api-transport.js';
import type { UploadEventListener } from '../upload/events.js';
import { FilesNotifier } from '../destinations/genesys-files/notifier.js';
import { deliverOnce } from './deliver.js';
import type { GenesysClient } from './genesys-client.js';
import { memoryRecorder, type DeliveryRecorder } from './recorder.js';

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
  /** Retry reporting and policy for the calls. */
  callOptions?: Omit<CallOptions, 'signal'>;
  /** Told of each durable step (default: kept in memory for this run). */
  recorder?: DeliveryRecorder | undefined;
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
  const language = options.language ?? DEFAULT_LANGUAGE;
  const onRetry = options.callOptions?.onRetry;
  const receipt = await deliverOnce({
    notifier: new FilesNotifier(client, { to: options.to, language }),
    delivery: {
      // Only the reference and name matter to a message; the rest describes the file.
      stored: { ref: options.fileId, fileName: options.fileName, contentType: '', size: 0, sha256: '', verified: true },
      text: options.text ?? defaultMessageText(options.fileName),
    },
    recorder: options.recorder ?? memoryRecorder(),
    step: {
      signal: options.signal ?? new AbortController().signal,
      retry: resolveRetryPolicy({ ...client.retryPolicy, ...options.callOptions?.retry }),
      emit: (event) => {
        if (event.type === 'retry' && onRetry !== undefined) {
          const { type: _type, route, ...info } = event;
          onRetry({ ...info, route: route === 'token' ? 'token' : 'api' });
          return;
        }
        options.onEvent?.(event);
      },
    },
  });
  return { guestId: receipt.details?.guestId ?? '', messageId: receipt.messageId };
}
