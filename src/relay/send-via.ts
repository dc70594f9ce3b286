/**
 * `sendVia(via, options)`: one file through any destination — upload with its store, then deliver
 * with its notifier, exactly once. With a `journal` the facts are recorded durably and the job is
 * crash-safe and resumable (journaled-send.ts); without one the same steps record into memory.
 * `sendFile(client, …)` (send-file.ts) is this pipeline over the tutorial's Files API.
 */
import type { Receipt, StepContext, StoredFile } from '../destinations/destination.js';
import { ConfigError } from '../errors/index.js';
import { resolveRetryPolicy } from '../http/retry-policy.js';
import { interrupted } from '../http/retry-runner.js';
import { runUpload } from '../upload/run-upload.js';
import { deliverOnce } from './deliver.js';
import { deliveryReport, type LinkReport } from './delivery-result.js';
import { journaledSend } from './journaled-send.js';
import { deliveryText, requestedText } from './message-text.js';
import { memoryRecorder, type DeliveryRecorder } from './recorder.js';
import type { SendFileOptions, SendFileResult } from './send-file.js';
import { detailsOf, type Via } from './via.js';

/** As for sendFile; recipients and language only mean something to the tutorial's Files API. */
export interface SendViaOptions extends Omit<SendFileOptions, 'to' | 'language'> {
  to?: string[] | undefined;
  language?: string | undefined;
}

/** What every destination reports; its own ids are in `details`. */
export interface SendViaResult {
  /** The destination's name ("web-messaging", "conversation", "genesys-files"). */
  destination: string;
  messageId: string;
  /** The remote upload's id (an attachment or media id, an upload id). */
  uploadId: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  retries: number;
  bytesSent: number;
  bytesSkipped: number;
  seconds: number;
  journalId: string;
  resumed: boolean;
  alreadyDelivered: boolean;
  /** attachmentId, conversationId, communicationId, mediaId, guestId, fileId… as the destination gives them. */
  details: Record<string, string>;
  /** What the message carried: the file itself, or a text with a link to it. */
  delivery: 'attachment' | 'link';
  /** For a link: when it expires and the object's key (never the URL: its query string is a credential). */
  link?: LinkReport | undefined;
}

/** The pipeline's own result: the Files API's fields and every destination's. */
export interface PipelineResult extends SendFileResult {
  destination: string;
  details: Record<string, string>;
  delivery: 'attachment' | 'link';
  link?: LinkReport | undefined;
}

export async function sendVia(via: Via, options: SendViaOptions): Promise<SendViaResult> {
  return commonResult(await runPipeline(via, options));
}

function commonResult(result: PipelineResult): SendViaResult {
  const { destination, messageId, uploadId, fileName, contentType, size, sha256, retries, bytesSent, bytesSkipped, seconds, journalId, resumed, alreadyDelivered, details, delivery, link } = result;
  return {
    destination,
    messageId,
    uploadId,
    fileName,
    contentType,
    size,
    sha256,
    retries,
    bytesSent,
    bytesSkipped,
    seconds,
    journalId,
    resumed,
    alreadyDelivered,
    details,
    delivery,
    ...(link !== undefined && { link }),
  };
}

/** Checks the text against the notifier's limit, before a file is uploaded for nothing. */
function checkText(via: Via, text: string | undefined): void {
  if (text === undefined) return;
  const { length, unit } = via.destination.notifier.maxText;
  const size = unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : [...text].length;
  if (size > length) throw new ConfigError('config.text', `text: at most ${length} ${unit} for ${via.destination.name}; got ${size}.`);
}

/**
 * The message for a stored file through the Via's notifier, exactly once by the notifier's own
 * settling of a lost answer; without a journal, `recorder` keeps the facts for this run. The text
 * is the requested one, or the link text within the notifier's target's limit.
 */
export async function deliverStoredFile(
  via: Via,
  stored: StoredFile,
  options: Pick<SendViaOptions, 'text' | 'signal' | 'retry' | 'onEvent'>,
  recorder: DeliveryRecorder = memoryRecorder(),
): Promise<{ receipt: Receipt; retries: number }> {
  let retries = 0;
  const step: StepContext = {
    signal: options.signal ?? new AbortController().signal,
    retry: resolveRetryPolicy({ ...via.retryPolicy, ...options.retry }),
    emit: (event) => {
      if (event.type === 'retry') retries++;
      options.onEvent?.(event);
    },
  };
  const { notifier } = via.destination;
  const text = await deliveryText(stored, requestedText(options.text, stored.fileName, via.delivery), notifier, step);
  const receipt = await deliverOnce({ notifier, delivery: { stored, text }, recorder, step }).catch((error: unknown) => {
    throw options.signal?.aborted ? interrupted(options.signal, error) : error;
  });
  return { receipt, retries };
}

export async function runPipeline(via: Via, options: SendViaOptions): Promise<PipelineResult> {
  checkText(via, options.text);
  if (options.journal !== undefined) return journaledSend(via, options.journal, options);
  // Without a journal: the same pipeline, its facts kept in memory for this run.
  const started = performance.now();
  const { destination } = via;
  const recorder = memoryRecorder();
  const upload = await runUpload(destination.store, via.transport, { ...options, basePolicy: via.retryPolicy, recorder });
  const { receipt, retries: deliveryRetries } = await deliverStoredFile(via, upload.stored, options, recorder);
  const { stored } = upload;
  return {
    destination: destination.name,
    details: detailsOf(stored.ref, receipt),
    ...deliveryReport(stored),
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
