/**
 * A send with the resume journal (see resume-decision.ts for what happens when). The job (file +
 * org + client) is locked for the whole run so two processes never interleave; each step is
 * journalled as it becomes true (the engine's recorder, then deliver.ts), so a crash at any
 * instant leaves a record the next run can continue from. On resume the destination's store is
 * the truth (`Store.resume`): the journal keeps the destination's name and its own JSON state, and
 * only says which session to ask about. A message whose answer was lost is settled by asking.
 *
 * This file decides what a run does (the job, its lock, the decision) and sequences it; the upload
 * half is journaled-upload.ts, the delivery half journaled-delivery.ts, their shared state
 * journaled-run.ts.
 */
import { realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { resolveRetryPolicy } from '../http/retry-policy.js';
import { interrupted } from '../http/retry-runner.js';
import { fileChanges } from '../journal/file-identity.js';
import type { JobKey, Journal, JournalEntry, RecordedDelivery } from '../journal/index.js';
import type { RemoteSession } from '../destinations/destination.js';
import { contentTypeFor, validateContentType } from '../upload/content-type.js';
import { sanitizeFileName } from '../upload/sanitize-file-name.js';
import { openSourceFile } from '../upload/source-file.js';
import { DEFAULT_LANGUAGE } from './deliver-file.js';
import { fileChangedError, lockedError, notFoundError, otherTargetError, uncertainError, uploadChangedError } from './journal-errors.js';
import { earlierResult, uploadPart } from './journal-results.js';
import { journaledDeliver, receiptPart } from './journaled-delivery.js';
import { failMissing, failMissingStored, type Run } from './journaled-run.js';
import { journaledUpload } from './journaled-upload.js';
import { requestedText } from './message-text.js';
import { decideResume, needsFileCheck } from './resume-decision.js';
import type { PipelineResult, SendViaOptions } from './send-via.js';
import type { Via } from './via.js';

async function canonicalPath(path: string, maxFileSize: number | undefined): Promise<string> {
  // The usual checks and messages for a missing, unreadable, empty or too large file, first.
  const source = await openSourceFile(path, maxFileSize);
  await source.handle.close();
  return realpath(path).catch(() => resolve(path));
}

export async function journaledSend(via: Via, journal: Journal, options: SendViaOptions): Promise<PipelineResult> {
  const startedAt = performance.now();
  if (options.signal?.aborted) throw interrupted(options.signal);
  let named: JournalEntry | undefined;
  if (options.journalId !== undefined) {
    named = journal.find(options.journalId);
    if (named === undefined) throw notFoundError(options.journalId);
    if (named.target.apiUrl !== via.target.apiUrl || named.target.clientId !== via.target.clientId) throw otherTargetError(named, via.target.apiUrl, via.target.clientId);
  }
  const filePath = await canonicalPath(named?.file.path ?? options.filePath, options.maxFileSize);
  const key: JobKey = { filePath, apiUrl: via.target.apiUrl, clientId: via.target.clientId };
  const lock = journal.lock(key);
  if (!lock.acquired) throw lockedError(filePath, via.target.description, lock.holder);
  try {
    // Named as the user named it (not after the link it may be), typed as the engine would.
    const fileName = sanitizeFileName(options.fileName ?? basename(options.filePath));
    const contentType = validateContentType(options.contentType ?? contentTypeFor(fileName));
    const run: Run = {
      via,
      journal,
      options: { ...options, fileName, contentType },
      key,
      delivery: deliveryOf(via, options, fileName),
      deliveryChanged: false,
      point: lock.point,
      emit: (event) => options.onEvent?.(event),
      destination: via.destination,
      step: {
        signal: options.signal ?? new AbortController().signal,
        retry: resolveRetryPolicy({ ...via.retryPolicy, ...options.retry }),
        emit: (event) => {
          if (event.type === 'retry') run.retries++;
          run.emit(event);
        },
      },
      startedAt,
      retries: 0,
    };
    // Read after taking the lock: what another process did before it let go counts.
    const entry = named === undefined ? journal.latest(key) : journal.get(named.id);
    const restart = options.restart ?? false;
    const changes = entry !== undefined && needsFileCheck(entry, restart) ? await fileChanges(entry.file, entry, options.signal) : [];
    const decision = decideResume({
      entry,
      fileChanges: changes,
      delivery: run.delivery,
      upload: { fileName, contentType },
      restart,
      redeliver: options.redeliver ?? false,
      canSettle: run.destination.notifier.find !== undefined,
    });
    switch (decision.kind) {
      case 'earlier':
        return earlierResult(decision.entry, startedAt);
      case 'uncertain':
        throw uncertainError(decision.entry);
      case 'file-changed':
        throw fileChangedError(decision.entry, decision.changes);
      case 'upload-changed':
        throw uploadChangedError(decision.entry, { fileName, contentType });
      case 'fresh':
        if (decision.abandon !== undefined) await abandon(run, decision.abandon.entry, decision.abandon.reason);
        return await uploadAndDeliver(run, undefined);
      case 'deliver':
        return await deliverOnly(run, decision.entry, decision.deliveryChanged, decision.settle);
      case 'upload':
        return await continueUpload(run, decision.entry, decision.deliveryChanged);
    }
  } finally {
    lock.release();
  }
}

/** The delivery a send records. Recipients and language belong to the tutorial's API; other destinations record none. */
export function deliveryOf(via: Pick<Via, 'delivery'>, options: Pick<SendViaOptions, 'to' | 'text' | 'language'>, fileName: string): RecordedDelivery {
  const to = options.to ?? [];
  return { to: [...to], text: requestedText(options.text, fileName, via.delivery), language: to.length === 0 ? (options.language ?? '') : (options.language ?? DEFAULT_LANGUAGE) };
}

async function abandon(run: Run, entry: JournalEntry, reason: string): Promise<void> {
  run.journal.abandon(entry.id, reason);
  if (entry.state === 'uploading') {
    run.emit({ type: 'aborting', uploadId: entry.uploadId });
    await run.destination.store.discard(entry.sessionState);
  }
}

async function continueUpload(run: Run, entry: JournalEntry, deliveryChanged: boolean): Promise<PipelineResult> {
  const file = { fileName: entry.fileName, contentType: entry.contentType, size: entry.file.size };
  const journalledParts = run.journal.segments(entry.id).map((s) => ({ index: s.index, size: s.size, checksum: s.checksum === '' ? undefined : s.checksum }));
  const session = await run.destination.store.resume(entry.sessionState, file, run.step, journalledParts);
  if (session === undefined) {
    const reason = `the server no longer knows upload ${entry.uploadId} (it expired, was removed or was aborted)`;
    run.journal.abandon(entry.id, reason);
    run.emit({ type: 'starting-over', journalId: entry.id, uploadId: entry.uploadId, reason });
    return uploadAndDeliver(run, undefined);
  }
  if (deliveryChanged) run.journal.updateDelivery(entry.id, run.delivery);
  run.deliveryChanged = deliveryChanged;
  run.point(entry.id);
  const held = [...session.held.values()];
  run.emit({
    type: 'resumed',
    journalId: entry.id,
    uploadId: entry.uploadId,
    phase: 'upload',
    segmentsOnServer: held.length,
    bytesOnServer: held.reduce((sum, s) => sum + s.size, 0),
    totalBytes: session.plan.totalSize,
  });
  return uploadAndDeliver(run, { entry, session });
}

async function deliverOnly(run: Run, entry: JournalEntry, deliveryChanged: boolean, settle: boolean): Promise<PipelineResult> {
  if (deliveryChanged) run.journal.updateDelivery(entry.id, run.delivery);
  run.deliveryChanged = deliveryChanged;
  run.point(entry.id);
  const size = entry.file.size;
  run.emit({ type: 'resumed', journalId: entry.id, uploadId: entry.uploadId, phase: 'delivery', segmentsOnServer: entry.chunks, bytesOnServer: size, totalBytes: size });
  const stored = entry.stored ?? failMissingStored(entry);
  const receipt = await journaledDeliver(run, entry, stored, settle);
  return {
    ...uploadPart(entry),
    ...receiptPart(run, stored, receipt),
    retries: run.retries,
    seconds: (performance.now() - run.startedAt) / 1000,
    bytesSent: 0,
    resumed: true,
    journalId: entry.id,
    bytesSkipped: size,
    alreadyDelivered: false,
  };
}

async function uploadAndDeliver(run: Run, resume: { entry: JournalEntry; session: RemoteSession } | undefined): Promise<PipelineResult> {
  const { result, entryId } = await journaledUpload(run, resume);
  const entry = run.journal.get(entryId) ?? failMissing(entryId);
  const receipt = await journaledDeliver(run, entry, result.stored, false);
  return {
    uploadId: result.sessionId,
    fileId: typeof result.stored.ref === 'string' ? result.stored.ref : '',
    fileName: result.stored.fileName,
    contentType: result.stored.contentType,
    size: result.stored.size,
    sha256: result.stored.sha256,
    chunks: result.chunks,
    chunkSize: result.chunkSize,
    bytesSent: result.bytesSent,
    resumed: result.resumed,
    bytesSkipped: result.bytesSkipped,
    ...receiptPart(run, result.stored, receipt),
    retries: result.retries + run.retries,
    seconds: (performance.now() - run.startedAt) / 1000,
    journalId: entryId,
    alreadyDelivered: false,
  };
}
