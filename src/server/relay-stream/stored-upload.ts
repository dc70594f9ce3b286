/**
 * What a stream that stored its upload leaves for the job runner's relay (relay-streams.ts): the
 * job record with the stored file, and the resume journal with a completed upload of the spool
 * file, so that the relay after intake only delivers the message. The journal is written by the
 * same recorder as any journalled send's (relay/journaled-upload.ts), under the job key and the
 * delivery that relay asks for (the same Via, the same send options: relay-job.ts), after the fact:
 * while the file grew its identity was not final. Kept apart from the streams' lifecycle: it is
 * the hand-over, not the streaming.
 */
import { realpath } from 'node:fs/promises';
import type { RemoteSession, StoredFile } from '../../destinations/destination.js';
import type { Journal } from '../../journal/index.js';
import { journalRecorder } from '../../relay/journaled-upload.js';
import { deliveryOf } from '../../relay/journaled-send.js';
import type { Via } from '../../relay/via.js';
import { identify } from '../../upload/file-guard.js';
import { GROWING_FINGERPRINT } from '../../upload/growing-source.js';
import { segmentRange } from '../../upload/plan.js';
import type { Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import { jobSendOptions } from '../jobs/relay-job.js';

export interface StoredUpload {
  stored: StoredFile;
  uploadId: string;
  /** Each stored part's checksum by index ("sha256:<hex>"). */
  checksums: Map<number, string>;
  session: RemoteSession;
}

/** Records `upload` of `job`: in the journal (when the job has one) as a completed upload of `where.path`, then in the job store. */
export async function recordStoredUpload(
  where: { path: string; journal: Journal | undefined; store: Pick<JobStore, 'update'> },
  job: Job,
  via: Via,
  upload: StoredUpload,
): Promise<void> {
  const { journal } = where;
  const { stored, uploadId, checksums, session } = upload;
  if (journal !== undefined) {
    const filePath = await realpath(where.path);
    const { plan } = session;
    const run = {
      journal,
      key: { filePath, apiUrl: via.target.apiUrl, clientId: via.target.clientId },
      via,
      destination: via.destination,
      delivery: deliveryOf(via, jobSendOptions(job), job.fileName),
      // No lock is held: the job's relay waits for this stream before it sends.
      point: () => undefined,
    };
    const recorder = journalRecorder(run, { current: undefined });
    recorder.opened({
      id: uploadId,
      state: session.state(),
      fileName: session.fileName,
      contentType: session.contentType,
      plan,
      identity: await identify(filePath),
      // No fingerprint: the service wrote the spool file, so the journal checks its identity only
      // and does not read its first and last parts again before the message.
      fingerprint: GROWING_FINGERPRINT,
    });
    for (const [index, checksum] of checksums) recorder.segmentStored(index, segmentRange(plan, index).length, checksum);
    recorder.completed(stored);
  }
  where.store.update(job.id, { uploadId, fileId: typeof stored.ref === 'string' ? stored.ref : JSON.stringify(stored.ref), sha256: stored.sha256, relayBytes: job.size });
}
