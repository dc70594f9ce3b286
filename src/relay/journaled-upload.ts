/**
 * The upload half of a journalled send: the engine over the destination's store, each durable
 * fact recorded as it becomes true (the session opened, each part stored, the file completed —
 * with its link, generated once, so that every later delivery of it carries the same one). On
 * failure, what to keep: a failure a later run can get past stays resumable; anything else is
 * recorded as failed and its remote upload aborted (unless --keep-on-error).
 */
import { UploadError } from '../errors/index.js';
import type { JournalEntry } from '../journal/index.js';
import type { RemoteSession } from '../destinations/destination.js';
import type { UploadEvent } from '../upload/events.js';
import type { UploadRecorder } from '../upload/recorder.js';
import { runUpload, type RunUploadResult } from '../upload/run-upload.js';
import type { Run } from './journaled-run.js';

/**
 * Failures a later run can get past without a change to the file: keep the upload for it. An
 * interruption (Ctrl-C, an aborted signal) is the user saying stop: the remote upload is aborted
 * as without a journal, unless they asked to keep it (--keep-on-error), which makes it resumable.
 * A crash (kill -9, a reboot) aborts nothing and is always resumable.
 */
function resumable(error: unknown, keepOnError: boolean): boolean {
  if (!(error instanceof UploadError)) return false;
  if (error.kind === 'interrupted') return keepOnError;
  return error.kind === 'transient' || error.kind === 'auth';
}

/**
 * The journal as the engine's recorder: each fact of the upload recorded as it becomes true, under
 * `run`'s job key and target. Also how the service records an upload stored while it was received
 * (server/relay-stream/stored-upload.ts): one way to journal an upload.
 */
export function journalRecorder(run: Pick<Run, 'journal' | 'key' | 'via' | 'destination' | 'delivery' | 'point'>, entryId: { current: string | undefined }): UploadRecorder {
  const { journal, key } = run;
  const recorded = (): string => entryId.current ?? '';
  return {
    opened(started) {
      const { identity, fingerprint, plan } = started;
      const created = journal.create({
        file: {
          path: key.filePath,
          size: identity.size,
          mtimeNs: identity.mtimeNs.toString(),
          ino: identity.ino.toString(),
          dev: identity.dev.toString(),
          headSha256: fingerprint.headSha256,
          tailSha256: fingerprint.tailSha256,
        },
        target: run.via.target,
        destination: run.destination.name,
        sessionState: started.state,
        uploadId: started.id,
        fileName: started.fileName,
        contentType: started.contentType,
        chunkSize: plan.chunkSize,
        maxChunks: plan.maxChunks,
        chunks: plan.chunks,
        delivery: run.delivery,
      });
      entryId.current = created.id;
      run.point(created.id);
    },
    segmentStored: (index, size, checksum) => journal.recordSegment(recorded(), index, size, checksum),
    completed: (stored) => journal.recordCompleted(recorded(), stored),
  };
}

export async function journaledUpload(run: Run, resume: { entry: JournalEntry; session: RemoteSession } | undefined): Promise<{ result: RunUploadResult; entryId: string }> {
  const { journal, options, key } = run;
  const entryId = { current: resume?.entry.id };
  // The server is the truth: what it holds replaces what the journal remembered.
  if (resume !== undefined) journal.replaceSegments(resume.entry.id, [...resume.session.held.values()].map((p) => ({ index: p.index, size: p.size, checksum: p.checksum ?? '' })));
  try {
    const result = await runUpload(run.destination.store, run.via.transport, {
      basePolicy: run.via.retryPolicy,
      filePath: key.filePath,
      contentType: options.contentType,
      fileName: options.fileName,
      concurrency: options.concurrency,
      maxRps: options.maxRps,
      retry: options.retry,
      maxFileSize: options.maxFileSize,
      signal: options.signal,
      // The engine keeps the remote upload on failure; what to keep is decided below.
      keepOnError: true,
      session: resume?.session,
      recorder: journalRecorder(run, entryId),
      onEvent: (event: UploadEvent) => run.emit(event),
    });
    return { result, entryId: entryId.current ?? '' };
  } catch (error) {
    const entry = entryId.current === undefined ? undefined : journal.get(entryId.current);
    if (entry !== undefined && resumable(error, options.keepOnError ?? false)) {
      run.emit({ type: 'resumable', journalId: entry.id, uploadId: entry.uploadId, bytesStored: entry.bytesStored, totalBytes: entry.file.size });
      throw error;
    }
    if (entry !== undefined) {
      const failure = error instanceof UploadError ? error : undefined;
      journal.recordFailed(entry.id, failure?.code ?? 'internal', failure?.message ?? String(error));
    }
    if (entry !== undefined && !(options.keepOnError ?? false)) {
      run.emit({ type: 'aborting', uploadId: entry.uploadId });
      await run.destination.store.discard(entry.sessionState);
    }
    throw error;
  }
}
