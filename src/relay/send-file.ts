/**
 * One job end to end over the tutorial's Files API: `sendFile(client, …)` is the pipeline of
 * send-via.ts with the genesys-files destination built from the client. What the CLI's default
 * `send` and the proxy service run.
 */
import type { RetryPolicy } from '../http/retry-policy.js';
import type { Journal } from '../journal/index.js';
import type { UploadEvent } from '../upload/events.js';
import { DEFAULT_LANGUAGE, validateDelivery } from './deliver-file.js';
import type { GenesysClient } from './genesys-client.js';
import { runPipeline } from './send-via.js';
import { genesysFilesVia } from './via.js';

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

/** The pipeline (send-via.ts) over the tutorial's Files API; the result keeps its own fields. */
export async function sendFile(client: GenesysClient, options: SendFileOptions): Promise<SendFileResult> {
  validateDelivery(options); // fail before uploading when the message could never be sent
  const via = genesysFilesVia(client, { to: options.to, language: options.language ?? DEFAULT_LANGUAGE });
  const { destination: _destination, details: _details, delivery: _delivery, link: _link, ...result } = await runPipeline(via, options);
  return result;
}
