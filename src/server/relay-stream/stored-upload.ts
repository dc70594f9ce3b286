/**
 * What a stream that stored its upload leaves for the job runner's relay (relay-streams.ts): the
 * job record with the stored file, and the resume journal with a completed upload of the spool
 * file, so that the relay after intake only delivers the message. Kept apart from the streams'
 * lifecycle: it is the hand-over format, the journal's shape, not the streaming.
 */
import { realpath, stat } from 'node:fs/promises';
import type { RemoteSession, StoredFile } from '../../destinations/destination.js';
import type { Journal } from '../../journal/index.js';
import { DEFAULT_LANGUAGE, defaultMessageText } from '../../relay/deliver-file.js';
import type { Via } from '../../relay/via.js';
import { GROWING_FINGERPRINT } from '../../upload/growing-source.js';
import type { Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';

export interface StoredUpload {
  stored: StoredFile;
  uploadId: string;
  /** Each stored part's checksum by index. */
  checksums: Map<number, string>;
  chunks: number;
  chunkSize: number;
  session: RemoteSession;
}

/** Records `upload` of `job`: in the journal (when the job has one) as a completed upload of `where.path`, then in the job store. */
export async function recordStoredUpload(
  where: { path: string; journal: Journal | undefined; store: Pick<JobStore, 'update'> },
  job: Job,
  via: Via,
  upload: StoredUpload,
): Promise<void> {
  const { path, journal } = where;
  const { stored, uploadId, checksums, chunks, chunkSize, session } = upload;
  if (journal !== undefined) {
    const s = await stat(path, { bigint: true });
    const entry = journal.create({
      file: {
        path: await realpath(path),
        size: Number(s.size),
        mtimeNs: s.mtimeNs.toString(),
        ino: s.ino.toString(),
        dev: s.dev.toString(),
        // No fingerprint: the service wrote the spool file, so the journal checks its identity
        // only and does not read its first and last parts again before the message.
        ...GROWING_FINGERPRINT,
      },
      target: via.target,
      destination: via.destination.name,
      sessionState: session.state(),
      uploadId,
      fileName: session.fileName,
      contentType: session.contentType,
      chunkSize,
      maxChunks: session.plan.maxChunks,
      chunks,
      delivery: { to: [...job.to], text: job.text ?? defaultMessageText(job.fileName), language: job.language ?? DEFAULT_LANGUAGE },
    });
    for (const [index, checksum] of checksums) journal.recordSegment(entry.id, index, Math.min(chunkSize, job.size - index * chunkSize), checksum);
    journal.recordCompleted(entry.id, stored);
  }
  where.store.update(job.id, { uploadId, fileId: typeof stored.ref === 'string' ? stored.ref : JSON.stringify(stored.ref), sha256: stored.sha256, relayBytes: job.size });
}
