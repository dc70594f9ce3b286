/**
 * One job end to end: upload a file, then deliver it in a message. What the CLI's `send` and the
 * proxy service both run. With a `journal` the job is crash-safe and resumable (journaled-send.ts);
 * without one it is the plain pipeline below.
 */
import { resolveRetryPolicy, type RetryPolicy } from '../http/retry-policy.js';
import { interrupted } from '../http/retry-runner.js';
import type { Journal } from '../journal/index.js';
import type { UploadEvent } from '../upload/events.js';
import { uploadFile } from '../destinations/genesys-files/upload-file.js';
import { deliverFile, validateDelivery } from './deliver-file.js';
import type { GenesysClient } from './genesys-client.js';
import { journaledSend } from './journaled-send.js';

export interface SendFileOptions {
  filePath: string;
  to: string[];
  text?: string | undefined;
  /** BCP-47 guest language; default 'en-US'. */
  language?: string | undefined;
  contentType?: string | undefined;
  fileName?: string | undefined;
  /** Default 4. */
  concurrency?: number | undefined;
  maxRps?: number | undefined;
  keepOnError?: boolean | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  maxFileSize?: number | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((event: UploadEvent) => void) | undefined;
  /**
   * The resume journal: progress is recorded as it happens, and a send of the same file to the
   * same org and client continues where an interrupted one stopped. Transient failures and
   * interruptions then keep the remote upload for that (others still abort it).
   */
  journal?: Journal | undefined;
  /** With a journal: discard an unfinished upload of this file and start a new one. */
  restart?: boolean | undefined;
  /** With a journal: send the message although an earlier attempt may have arrived (it is uncertain). */
  redeliver?: boolean | undefined;
  /** With a journal: continue exactly this journal entry (`genesys-upload resume ID`). */
  journalId?: string | undefined;
}

export interface SendFileResult {
  uploadId: string;
  fileId: string;
  messageId: string;
  guestId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  chunks: number;
  chunkSize: number;
  retries: number;
  seconds: number;
  bytesSent: number;
  /** True when an interrupted earlier run was continued (or its result reported). */
  resumed: boolean;
  /** The journal entry of this job; '' without a journal. */
  journalId: string;
  /** Bytes not sent because the server already held them (resume). */
  bytesSkipped: number;
  /** True when the message had been delivered by an earlier run: nothing was sent now. */
  alreadyDelivered: boolean;
}

export async function sendFile(client: GenesysClient, options: SendFileOptions): Promise<SendFileResult> {
  validateDelivery(options); // fail before uploading when the message could never be sent
  if (options.journal !== undefined) return journaledSend(client, options.journal, options);
  const started = performance.now();
  const upload = await uploadFile(client, options);
  let deliveryRetries = 0;
  const delivery = await deliverFile(client, {
    fileId: upload.fileId,
    fileName: upload.fileName,
    to: options.to,
    text: options.text,
    language: options.language,
    signal: options.signal,
    onEvent: options.onEvent,
    callOptions: {
      retry: resolveRetryPolicy({ ...client.retryPolicy, ...options.retry }),
      onRetry: (info) => {
        deliveryRetries++;
        options.onEvent?.({ type: 'retry', ...info });
      },
    },
  }).catch((error: unknown) => {
    throw options.signal?.aborted ? interrupted(options.signal, error) : error;
  });
  return {
    ...upload,
    ...delivery,
    retries: upload.retries + deliveryRetries,
    seconds: (performance.now() - started) / 1000,
    journalId: '',
    alreadyDelivered: false,
  };
}
