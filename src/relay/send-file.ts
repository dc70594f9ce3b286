/**
 * One job end to end: upload a file, then deliver it in a message. What the CLI's `send` and the
 * proxy service both run.
 */
import { resolveRetryPolicy, type RetryPolicy } from '../http/retry-policy.js';
import { interrupted } from '../http/retry-runner.js';
import type { UploadEvent } from '../upload/events.js';
import { uploadFile } from '../upload/upload-file.js';
import { deliverFile, validateDelivery } from './deliver-file.js';
import type { GenesysClient } from './genesys-client.js';

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
}

export async function sendFile(client: GenesysClient, options: SendFileOptions): Promise<SendFileResult> {
  validateDelivery(options); // fail before uploading when the message could never be sent
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
  };
}
