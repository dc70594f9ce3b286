/** The errors a journalled send raises itself; each says what happened and what to do next. */
import { ConfigError, IntegrityError, InterruptedError, TransientError, UploadError } from '../errors/index.js';
import type { JournalEntry, LockHolder } from '../journal/index.js';

const at = (ms: number): string => new Date(ms).toISOString();

export function lockedError(filePath: string, target: string, holder: LockHolder): TransientError {
  return new TransientError(
    'journal.locked',
    `Another genesys-upload process (pid ${holder.pid} on ${holder.hostname}, since ${at(holder.since)}) is already sending ` +
      `${filePath} to ${target}. Not starting a second one, so the two cannot interleave. Wait for it to finish ` +
      '(running this command again afterwards prints its result), or stop that process first.',
    { details: { holder } },
  );
}

export function fileChangedError(entry: JournalEntry, changes: readonly string[]): IntegrityError {
  return new IntegrityError(
    'journal.file_changed',
    `${entry.file.path} changed since its upload ${entry.id} started on ${at(entry.createdAt)} (${changes.join(', ')}), ` +
      'so the chunks stored then cannot be reused. To upload the file as it is now, run the same command with --restart ' +
      '(the earlier upload is discarded).',
    { details: { journalId: entry.id, changes } },
  );
}

export function uploadChangedError(entry: JournalEntry, upload: { fileName: string; contentType: string }): ConfigError {
  return new ConfigError(
    'journal.upload_changed',
    `The unfinished upload ${entry.id} of ${entry.file.path} was started as ${entry.fileName} (${entry.contentType}); this run asks for ` +
      `${upload.fileName} (${upload.contentType}). An upload keeps the name and type it was started with: run again without ` +
      '--file-name/--content-type to continue it, or with --restart to upload the file anew under the new ones.',
    { details: { journalId: entry.id } },
  );
}

function uncertainText(entry: JournalEntry): string {
  const when = entry.messageAttemptAt === undefined ? '' : ` at ${at(entry.messageAttemptAt)}`;
  return (
    `The message with ${entry.fileName} (journal entry ${entry.id}) may already have been sent: it was sent${when} ` +
    'and no answer was recorded. It is not sent again automatically, so that no recipient gets it twice. ' +
    `If you know it did not arrive, run again with --redeliver (genesys-upload resume ${entry.id} --redeliver); ` +
    '--restart uploads the file anew and sends a new message.'
  );
}

/** A later run finds the uncertain entry: the user has to decide. */
export function uncertainError(entry: JournalEntry): ConfigError {
  return new ConfigError('delivery.uncertain', uncertainText(entry), { details: { journalId: entry.id, fileId: entry.fileId } });
}

/** The run that lost the answer: keeps its own class (a network failure, an interruption). */
export function uncertainAfter(error: unknown, entry: JournalEntry): UploadError {
  const why = error instanceof Error ? ` (${error.message})` : '';
  const message = `${uncertainText(entry)}${why}`;
  const details = { journalId: entry.id, fileId: entry.fileId };
  if (error instanceof InterruptedError) return new InterruptedError(message, { cause: error, details });
  const from = error instanceof UploadError ? error : undefined;
  // Its own code: this run lost an answer (transient, exit 6); a later run finding the entry
  // undecided raises delivery.uncertain (usage, exit 2: the user decides). One kind per code.
  return new TransientError('delivery.answer_lost', message, {
    cause: error,
    details,
    ...(from?.status !== undefined && { status: from.status }),
    ...(from?.remoteCode !== undefined && { remoteCode: from.remoteCode }),
    ...(from?.contextId !== undefined && { contextId: from.contextId }),
  });
}

export function notFoundError(id: string): ConfigError {
  return new ConfigError('journal.not_found', `No upload ${id} in the journal. Run genesys-upload uploads to list them.`);
}

export function otherTargetError(entry: JournalEntry, apiUrl: string, clientId: string): ConfigError {
  const theirs = `${entry.target.apiUrl} as OAuth client ${entry.target.clientId}`;
  return new ConfigError(
    'journal.other_target',
    `Upload ${entry.id} goes to ${theirs}, not to ${apiUrl} as client ${clientId}. Resume it with the client id and secret it was started with ` +
      `(GENESYS_CLIENT_ID=${entry.target.clientId}).`,
  );
}
