/**
 * One job end to end: upload a file through a destination's store, then deliver it with its
 * notifier, exactly once. What the CLI's `send` and the proxy service both run. With a `journal`
 * the facts are recorded durably and the job is crash-safe and resumable (journaled-send.ts);
 * without one the same steps record into memory (recorder.ts).
 */
import { resolveRetryPolicy, type RetryPolicy } from '../http/retry-policy.js';
import { interrupted } from '../http/retry-runner.js';
import type { Journal } from '../journal/index.js';
import type { UploadEvent } from '../upload/events.js';
import { genesysFilesDestination } from '../destinations/genesys-files/index.js';
import { runUpload } from '../upload/run-upload.js';
import { DEFAULT_LANGUAGE, defaultMessageText, validateDelivery } from './deliver-file.js';
import { deliverOnce } from './deliver.js';
import { memoryRecorder } from './recorder.js';
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
  // Without a journal: the same pipeline, its facts kept in memory for this run.
  const started = performance.now();
  const destination = genesysFilesDestination(client, { to: options.to, language: options.language ?? DEFAULT_LANGUAGE });
  const recorder = memoryRecorder();
  const upload = await runUpload(destination.store, client, { ...options, basePolicy: client.retryPolicy, recorder });
  let deliveryRetries = 0;
  const receipt = await deliverOnce({
    notifier: destination.notifier,
    delivery: { stored: upload.stored, text: options.text ?? defaultMessageText(upload.stored.fileName) },
    recorder,
    step: {
      signal: options.signal ?? new AbortController().signal,
      retry: resolveRetryPolicy({ ...client.retryPolicy, ...options.retry }),
      emit: (event) => {
        if (event.type === 'retry') deliveryRetries++;
        options.onEvent?.(event);
      },
    },
  }).catch((error: unknown) => {
    throw options.signal?.aborted ? interrupted(options.signal, error) : error;
  });
  const { stored } = upload;
  return {
    uploadId: upload.sessionId,
    fileId: typeof stored.ref === 'string' ? stored.ref : '',
    messageId: receipt.messageId,
    guestId: receipt.details?.guestId ?? '',
    fileName: stored.fileName,
    contentType: stored.contentType,
    size: stored.size,
    sha256: stored.sha256,
    chunks: upload.chunks,
    chunkSize: upload.chunkSize,
    retries: upload.retries + deliveryRetries,
    seconds: (performance.now() - started) / 1000,
    bytesSent: upload.bytesSent,
    resumed: upload.resumed,
    journalId: '',
    bytesSkipped: upload.bytesSkipped,
    alreadyDelivered: false,
  };
}
