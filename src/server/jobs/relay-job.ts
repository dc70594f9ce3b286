/**
 * One relay attempt of a job: the same engine as `send`, on the spooled file. What a previous
 * attempt already achieved (kept in the job record from the engine's events) is not done again:
 * a job with a messageId is delivered; a job with a fileId only needs its message. When the resume
 * journal is available it is passed to the engine, which then also resumes a half-stored upload
 * without re-sending the stored segments.
 */
import type { GenesysClient } from '../../relay/genesys-client.js';
import { deliverFile } from '../../relay/deliver-file.js';
import { sendFile, type SendFileOptions } from '../../relay/send-file.js';
import type { UploadEvent } from '../../upload/events.js';
import type { Job } from './job.js';

export interface RelayOutcome {
  fileId: string;
  messageId: string;
  sha256: string | undefined;
}

export interface RelayContext {
  client: GenesysClient;
  job: Job;
  filePath: string;
  concurrency: number;
  signal: AbortSignal;
  onEvent: (event: UploadEvent) => void;
  /** Extra engine options: the resume journal, when one is open (and redeliver, when asked for). */
  engineOptions?: Pick<SendFileOptions, 'journal' | 'redeliver'> | undefined;
}

export async function relayJob(context: RelayContext): Promise<RelayOutcome> {
  const { job, client, signal, onEvent } = context;
  if (job.messageId !== undefined && job.fileId !== undefined) {
    return { fileId: job.fileId, messageId: job.messageId, sha256: job.sha256 };
  }
  const journaled = context.engineOptions?.journal !== undefined;
  if (job.fileId !== undefined && !journaled) {
    // The upload completed in an earlier attempt: only the message is missing.
    const delivered = await deliverFile(client, {
      fileId: job.fileId,
      fileName: job.fileName,
      to: job.to,
      text: job.text,
      language: job.language,
      signal,
      onEvent,
    });
    return { fileId: job.fileId, messageId: delivered.messageId, sha256: job.sha256 };
  }
  const result = await sendFile(client, {
    filePath: context.filePath,
    fileName: job.fileName,
    contentType: job.contentType,
    to: job.to,
    text: job.text,
    language: job.language,
    concurrency: context.concurrency,
    signal,
    onEvent,
    // A stopping service interrupts its relays: keep their remote uploads so the next start
    // resumes them, and a failed job's retry can too.
    keepOnError: true,
    ...context.engineOptions,
  });
  return { fileId: result.fileId, messageId: result.messageId, sha256: result.sha256 };
}
