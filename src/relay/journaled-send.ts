/**
 * A send with the resume journal (see resume-decision.ts for what happens when). The job (file +
 * org + client) is locked for the whole run so two processes never interleave; each step is
 * journalled as it becomes true (the engine's recorder, then deliver.ts), so a crash at any
 * instant leaves a record the next run can continue from. On resume the destination's store is
 * the truth (`Store.resume`): the journal keeps the destination's name and its own JSON state, and
 * only says which session to ask about. A message whose answer was lost is settled by asking.
 */
import { realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { InternalError, UploadError } from '../errors/index.js';
import { resolveRetryPolicy } from '../http/retry-policy.js';
import { interrupted } from '../http/retry-runner.js';
import { fileChanges } from '../journal/file-identity.js';
import type { JobKey, Journal, JournalEntry, RecordedDelivery } from '../journal/index.js';
import { genesysFilesDestination } from '../destinations/genesys-files/index.js';
import type { Destination, RemoteSession, StepContext, StoredFile } from '../destinations/destination.js';
import type { UploadEvent } from '../upload/events.js';
import type { UploadRecorder } from '../upload/recorder.js';
import { contentTypeFor, validateContentType } from '../upload/content-type.js';
import { sanitizeFileName } from '../upload/sanitize-file-name.js';
import { openSourceFile } from '../upload/source-file.js';
import { runUpload, type RunUploadResult } from '../upload/run-upload.js';
import { DEFAULT_LANGUAGE, defaultMessageText, type DeliverFileResult } from './deliver-file.js';
import { UncertainDelivery, deliverOnce } from './deliver.js';
import type { GenesysClient } from './genesys-client.js';
import { fileChangedError, lockedError, notFoundError, otherTargetError, uncertainAfter, uncertainError, uploadChangedError } from './journal-errors.js';
import { earlierResult, uploadPart } from './journal-results.js';
import { decideResume, needsFileCheck } from './resume-decision.js';
import type { SendFileOptions, SendFileResult } from './send-file.js';

interface Run {
  client: GenesysClient;
  journal: Journal;
  options: SendFileOptions;
  key: JobKey;
  delivery: RecordedDelivery;
  point: (entryId: string) => void;
  emit: (event: UploadEvent) => void;
  /** The destination of this send: its store and notifier. */
  destination: Destination;
  /** Remote steps outside the engine (resume, delivery); counts their retries. */
  step: StepContext;
  startedAt: number;
  retries: number;
}

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

async function canonicalPath(path: string, maxFileSize: number | undefined): Promise<string> {
  // The usual checks and messages for a missing, unreadable, empty or too large file, first.
  const source = await openSourceFile(path, maxFileSize);
  await source.handle.close();
  return realpath(path).catch(() => resolve(path));
}

export async function journaledSend(client: GenesysClient, journal: Journal, options: SendFileOptions): Promise<SendFileResult> {
  const startedAt = performance.now();
  if (options.signal?.aborted) throw interrupted(options.signal);
  let named: JournalEntry | undefined;
  if (options.journalId !== undefined) {
    named = journal.find(options.journalId);
    if (named === undefined) throw notFoundError(options.journalId);
    if (named.target.apiUrl !== client.apiUrl || named.target.clientId !== client.clientId) throw otherTargetError(named, client.apiUrl, client.clientId);
  }
  const filePath = await canonicalPath(named?.file.path ?? options.filePath, options.maxFileSize);
  const key: JobKey = { filePath, apiUrl: client.apiUrl, clientId: client.clientId };
  const lock = journal.lock(key);
  if (!lock.acquired) throw lockedError(filePath, client.target, lock.holder);
  try {
    // Named as the user named it (not after the link it may be), typed as the engine would.
    const fileName = sanitizeFileName(options.fileName ?? basename(options.filePath));
    const contentType = validateContentType(options.contentType ?? contentTypeFor(fileName));
    const run: Run = {
      client,
      journal,
      options: { ...options, fileName, contentType },
      key,
      delivery: deliveryOf(options, fileName),
      point: lock.point,
      emit: (event) => options.onEvent?.(event),
      destination: genesysFilesDestination(client, { to: options.to, language: options.language ?? DEFAULT_LANGUAGE }),
      step: {
        signal: options.signal ?? new AbortController().signal,
        retry: resolveRetryPolicy({ ...client.retryPolicy, ...options.retry }),
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

function deliveryOf(options: SendFileOptions, fileName: string): RecordedDelivery {
  return { to: [...options.to], text: options.text ?? defaultMessageText(fileName), language: options.language ?? DEFAULT_LANGUAGE };
}

async function abandon(run: Run, entry: JournalEntry, reason: string): Promise<void> {
  run.journal.abandon(entry.id, reason);
  if (entry.state === 'uploading') {
    run.emit({ type: 'aborting', uploadId: entry.uploadId });
    await run.destination.store.discard(entry.sessionState);
  }
}

async function continueUpload(run: Run, entry: JournalEntry, deliveryChanged: boolean): Promise<SendFileResult> {
  const file = { fileName: entry.fileName, contentType: entry.contentType, size: entry.file.size };
  const session = await run.destination.store.resume(entry.sessionState, file, run.step);
  if (session === undefined) {
    const reason = `the server no longer knows upload ${entry.uploadId} (it expired, was removed or was aborted)`;
    run.journal.abandon(entry.id, reason);
    run.emit({ type: 'starting-over', journalId: entry.id, uploadId: entry.uploadId, reason });
    return uploadAndDeliver(run, undefined);
  }
  if (deliveryChanged) run.journal.updateDelivery(entry.id, run.delivery);
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

async function deliverOnly(run: Run, entry: JournalEntry, deliveryChanged: boolean, settle: boolean): Promise<SendFileResult> {
  if (deliveryChanged) run.journal.updateDelivery(entry.id, run.delivery);
  run.point(entry.id);
  const size = entry.file.size;
  run.emit({ type: 'resumed', journalId: entry.id, uploadId: entry.uploadId, phase: 'delivery', segmentsOnServer: entry.chunks, bytesOnServer: size, totalBytes: size });
  const stored = entry.stored ?? failMissingStored(entry);
  const delivery = await deliver(run, entry, stored, settle);
  return {
    ...uploadPart(entry),
    ...delivery,
    retries: run.retries,
    seconds: (performance.now() - run.startedAt) / 1000,
    bytesSent: 0,
    resumed: true,
    journalId: entry.id,
    bytesSkipped: size,
    alreadyDelivered: false,
  };
}

async function uploadAndDeliver(run: Run, resume: { entry: JournalEntry; session: RemoteSession } | undefined): Promise<SendFileResult> {
  const { result, entryId } = await upload(run, resume);
  const entry = run.journal.get(entryId) ?? failMissing(entryId);
  const delivery = await deliver(run, entry, result.stored, false);
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
    ...delivery,
    retries: result.retries + run.retries,
    seconds: (performance.now() - run.startedAt) / 1000,
    journalId: entryId,
    alreadyDelivered: false,
  };
}

async function upload(run: Run, resume: { entry: JournalEntry; session: RemoteSession } | undefined): Promise<{ result: RunUploadResult; entryId: string }> {
  const { journal, options, key } = run;
  let entryId = resume?.entry.id;
  // The server is the truth: what it holds replaces what the journal remembered.
  if (resume !== undefined) journal.replaceSegments(resume.entry.id, [...resume.session.held.values()].map((p) => ({ index: p.index, size: p.size, checksum: p.checksum ?? '' })));
  const recorded = (): string => entryId ?? '';
  const recorder: UploadRecorder = {
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
        target: { apiUrl: run.client.apiUrl, loginUrl: run.client.loginUrl, clientId: run.client.clientId, description: run.client.target },
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
      entryId = created.id;
      run.point(created.id);
    },
    segmentStored: (index, size, checksum) => journal.recordSegment(recorded(), index, size, checksum),
    completed: (stored) => journal.recordCompleted(recorded(), stored),
  };
  try {
    const result = await runUpload(run.destination.store, run.client, {
      basePolicy: run.client.retryPolicy,
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
      recorder,
      onEvent: (event: UploadEvent) => run.emit(event),
    });
    return { result, entryId: recorded() };
  } catch (error) {
    const entry = entryId === undefined ? undefined : journal.get(entryId);
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

async function deliver(run: Run, entry: JournalEntry, stored: StoredFile, settle: boolean): Promise<DeliverFileResult> {
  const { journal, options } = run;
  const entryId = entry.id;
  try {
    const receipt = await deliverOnce({
      notifier: run.destination.notifier,
      delivery: { stored, text: run.delivery.text },
      recorder: {
        intent: (intent) => journal.recordIntent(entryId, intent),
        sending: () => journal.recordSending(entryId),
        notSent: () => journal.clearSending(entryId),
        delivered: (receipt) => journal.recordDelivered(entryId, receipt),
      },
      step: run.step,
      intent: entry.intent,
      unsettled: settle,
    });
    return { guestId: receipt.details?.guestId ?? '', messageId: receipt.messageId };
  } catch (error) {
    const now = journal.get(entryId);
    if (now?.state === 'sending' && error instanceof UncertainDelivery) throw uncertainAfter(error, now);
    if (now !== undefined) {
      // Uploaded, not delivered (or its answer not settled yet): the next run goes straight to delivery.
      run.emit({ type: 'resumable', journalId: entryId, uploadId: now.uploadId, bytesStored: now.file.size, totalBytes: now.file.size });
    }
    throw options.signal?.aborted ? interrupted(options.signal, error) : error;
  }
}

function failMissing(id: string): never {
  throw new InternalError('journal.entry_missing', `The journal entry ${id} disappeared while in use (was the state directory removed?).`);
}

function failMissingStored(entry: JournalEntry): never {
  throw new InternalError('journal.entry_incomplete', `The journal entry ${entry.id} is completed but records no stored file; run again with --restart.`);
}
