/**
 * One relay attempt of a job: the same pipeline as `send` (`sendVia`), on the spooled file,
 * through the service's destination (relay-vias.ts). What a previous attempt already achieved
 * (kept in the job record from the engine's events) is not done again: a job with a messageId is
 * delivered; a Files API job with a fileId only needs its message. With the resume journal (always
 * there for the other destinations) the engine also resumes a half-stored upload without
 * re-sending the stored parts, and settles a message whose answer was lost instead of sending it
 * twice.
 */
import { InternalError } from '../../errors/index.js';
import { deliverFile } from '../../relay/deliver-file.js';
import { sendFile, type SendFileOptions } from '../../relay/send-file.js';
import { chooseVia } from '../../relay/delivery-choice.js';
import { sendVia } from '../../relay/send-via.js';
import type { UploadEvent } from '../../upload/events.js';
import type { Job } from './job.js';
import type { RelayVias } from './relay-vias.js';

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

export async function relayJob(context: RelayContext): Promise<RelayOutcome> {
  const { job, signal, onEvent } = context;
  if (job.destination !== 'genesys-files') return relayVia(context);
  const client = context.vias.client;
  if (client === undefined) throw new InternalError('internal.destination', `Job ${job.id} was received for the Files API, which this service does not relay to.`);
  if (job.messageId !== undefined && job.fileId !== undefined) {
    return { fileId: job.fileId, messageId: job.messageId, sha256: job.sha256, details: job.details };
  }
  const journaled = context.engineOptions?.journal !== undefined;
  if (job.fileId !== undefined && !journaled) {
    // The upload completed in an earlier attempt: only the message is missing.
    const delivered = await deliverFile(client, { fileId: job.fileId, fileName: job.fileName, to: job.to, text: job.text, language: job.language, signal, onEvent });
    return { fileId: job.fileId, messageId: delivered.messageId, sha256: job.sha256, details: job.details };
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
  return { fileId: result.fileId, messageId: result.messageId, sha256: result.sha256, details: { ...job.details, fileId: result.fileId } };
}

async function relayVia(context: RelayContext): Promise<RelayOutcome> {
  const { job, vias } = context;
  if (job.messageId !== undefined) return { fileId: undefined, messageId: job.messageId, sha256: job.sha256, details: job.details };
  if (job.destination !== vias.name) {
    throw new InternalError('internal.destination', `Job ${job.id} was received for ${job.destination}; this service now relays to ${vias.name}. Start it with --via ${job.destination} to relay it.`);
  }
  if (context.engineOptions?.journal === undefined) {
    // Exactly once needs the journal (service.ts refuses to start without it for this destination).
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
    const choice = vias.delivery;
    // The choice depends only on the file and the destination's limits: a restart makes the same one.
    const via = choice === undefined ? opened.via : chooseVia(opened.via, choice.link, choice.mode, { fileName: job.fileName, contentType: job.contentType, size: job.size });
    const result = await sendVia(via, {
      filePath: context.filePath,
      fileName: job.fileName,
      contentType: job.contentType,
      text: job.text,
      concurrency: context.concurrency,
      signal: context.signal,
      onEvent: context.onEvent,
      keepOnError: true,
      ...context.engineOptions,
    });
    const link: Record<string, string> = result.link?.expiresAt === undefined ? {} : { linkExpiresAt: result.link.expiresAt };
    // Never the link itself: a pre-signed URL's query string is a credential; only the message has it.
    return { fileId: undefined, messageId: result.messageId, sha256: result.sha256, details: { ...details, ...result.details, delivery: result.delivery, ...link } };
  } finally {
    await opened.close();
  }
}
