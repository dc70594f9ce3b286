/**
 * One relay attempt of a job: the same pipeline as `send` (send-via.ts), on the spooled file,
 * through the service's destination (relay-vias.ts), whichever it is. What a previous attempt
 * already achieved (kept in the job record from the engine's events) is not done again: a job
 * with a messageId is delivered. With the resume journal (always there for the destinations that
 * need it) the engine also resumes a half-stored upload without re-sending the stored parts,
 * delivers an upload stored while it was received (relay-streams.ts) without uploading it again,
 * and settles a message whose answer was lost instead of sending it twice. Without the journal (a
 * Files API service whose state dir could not hold one) a job whose upload is stored (its fileId)
 * only needs its message.
 */
import { InternalError } from '../../errors/index.js';
import type { StoredFile } from '../../destinations/destination.js';
import { chooseVia } from '../../relay/delivery-choice.js';
import type { SendFileOptions } from '../../relay/send-file.js';
import { deliverStoredFile, runPipeline, type SendViaOptions } from '../../relay/send-via.js';
import type { Via } from '../../relay/via.js';
import type { UploadEvent } from '../../upload/events.js';
import type { Job } from './job.js';
import { jobDeliveryMode, type RelayVias } from './relay-vias.js';

export interface RelayOutcome {
  messageId: string;
  sha256: string | undefined;
  /** The Files API's file id (genesys-files only). */
  fileId: string | undefined;
  /** The job's details with what the relay learnt (guestId, attachmentId, mediaId, delivery…). */
  details: Record<string, string>;
}

export interface RelayContext {
  vias: RelayVias;
  job: Job;
  filePath: string;
  concurrency: number;
  signal: AbortSignal;
  onEvent: (event: UploadEvent) => void;
  /** The job's details as soon as the destination adds to them (the guest, before any upload). */
  onDetails?: ((details: Record<string, string>) => void) | undefined;
  /** Extra engine options: the resume journal, when one is open (and redeliver, when asked for). */
  engineOptions?: Pick<SendFileOptions, 'journal' | 'redeliver'> | undefined;
}

/** The guest a Web Messaging destination speaks as: the digest in its target key (never the token). */
function guestIdOf(targetKey: string): string | undefined {
  const [name, , guest] = targetKey.split(':');
  return name === 'web-messaging' && guest !== undefined && guest !== '' ? guest : undefined;
}

/**
 * What a job asks of the pipeline: its file's name and type, and its message (recipients and
 * language mean something to the Files API only; the others' jobs have none). The relay streams
 * journal a stored upload with the same (stored-upload.ts), so that this relay finds it.
 */
export function jobSendOptions(job: Job): Pick<SendViaOptions, 'fileName' | 'contentType' | 'text' | 'to' | 'language'> {
  return { fileName: job.fileName, contentType: job.contentType, text: job.text, to: job.to, language: job.language };
}

/** The Via `job` goes through: the opened destination's, or the link store's over it, as the service's delivery mode chooses. */
function jobVia(vias: Pick<RelayVias, 'delivery'>, job: Job, opened: Via): Via {
  const mode = jobDeliveryMode(vias, job);
  // The choice depends only on the file and the destination's limits: a restart makes the same one.
  return mode === undefined ? opened : chooseVia(opened, vias.delivery?.link, mode, { fileName: job.fileName, contentType: job.contentType, size: job.size });
}

export async function relayJob(context: RelayContext): Promise<RelayOutcome> {
  const { job, vias } = context;
  if (job.messageId !== undefined) return { fileId: job.fileId, messageId: job.messageId, sha256: job.sha256, details: job.details };
  if (job.destination !== vias.name) {
    throw new InternalError('internal.destination', `Job ${job.id} was received for ${job.destination}; this service now relays to ${vias.name}. Start it with --via ${job.destination} to relay it.`);
  }
  const journaled = context.engineOptions?.journal !== undefined;
  if (!journaled && vias.needsJournal) {
    // Exactly once needs the journal (relay-setup.ts refuses to start without it for this destination).
    throw new InternalError('internal.journal', `Job ${job.id} cannot relay to ${job.destination} without the resume journal.`);
  }
  const opened = await vias.open(job, context.filePath, context.signal);
  try {
    const guestId = guestIdOf(opened.via.destination.targetKey);
    let details = job.details;
    if (guestId !== undefined && details['guestId'] !== guestId) {
      details = { ...details, guestId };
      context.onDetails?.(details);
    }
    const via = jobVia(vias, job, opened.via);
    // Stored in an earlier attempt, and no journal to say so: only the message is missing.
    if (!journaled && job.fileId !== undefined) return await deliverStored(via, job, job.fileId, context, details);
    const result = await runPipeline(via, {
      ...jobSendOptions(job),
      filePath: context.filePath,
      concurrency: context.concurrency,
      signal: context.signal,
      onEvent: context.onEvent,
      // A stopping service interrupts its relays: keep their remote uploads so the next start
      // resumes them, and a failed job's retry can too.
      keepOnError: true,
      ...context.engineOptions,
    });
    const fileId = result.fileId === '' ? undefined : result.fileId;
    const link: Record<string, string> = result.link?.expiresAt === undefined ? {} : { linkExpiresAt: result.link.expiresAt };
    // Never the link itself: a pre-signed URL's query string is a credential; only the message has it.
    return {
      fileId,
      messageId: result.messageId,
      sha256: result.sha256,
      details: { ...details, ...result.details, ...(fileId !== undefined && { fileId }), delivery: result.delivery, ...link },
    };
  } finally {
    await opened.close();
  }
}

/** The message of a job whose upload is stored (its fileId), exactly once through the notifier's own settling. */
async function deliverStored(via: Via, job: Job, fileId: string, context: RelayContext, details: Record<string, string>): Promise<RelayOutcome> {
  const stored: StoredFile = { ref: fileId, fileName: job.fileName, contentType: job.contentType, size: job.size, sha256: job.sha256 ?? '', verified: true };
  const { receipt } = await deliverStoredFile(via, stored, { text: job.text, signal: context.signal, onEvent: context.onEvent });
  return { fileId, messageId: receipt.messageId, sha256: job.sha256, details: { ...details, ...receipt.details, fileId } };
}
