/**
 * What a failed write to the job store (SQLite) means for the service: a database locked by
 * another process past the busy timeout, a full disk, a read-only file system or any other I/O
 * failure. It is never fatal to the process: the request that needed the write answers 503/507,
 * progress writes are skipped, state changes are retried in the background (state-writes.ts), and
 * /readyz reports the store as failed until a write succeeds again.
 */
import { UploadError } from '../../errors/index.js';

export type StoreFailure = 'busy' | 'full' | 'read_only' | 'io';

export class StateStoreError extends UploadError {
  override readonly name = 'StateStoreError';
  readonly failure: StoreFailure;
  /** The HTTP status a request that needed this write answers (fastify reads `statusCode`). */
  readonly statusCode: number;
  constructor(failure: StoreFailure, message: string, cause: unknown) {
    super('transient', `state.${failure}`, message, { cause, status: failure === 'full' ? 507 : 503 });
    this.failure = failure;
    this.statusCode = failure === 'full' ? 507 : 503;
  }
}

/** SQLite's result codes (better-sqlite3 puts them in `code`) as a failure class. */
export function classify(error: unknown): StoreFailure {
  const code = String((error as { code?: unknown }).code ?? '');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_FULL') || (error as NodeJS.ErrnoException).code === 'ENOSPC') return 'full';
  if (code.startsWith('SQLITE_READONLY') || (error as NodeJS.ErrnoException).code === 'EROFS') return 'read_only';
  return 'io';
}

const DESCRIPTION: Record<StoreFailure, string> = {
  busy: 'the job database is locked by another process',
  full: 'the disk under the state dir is full',
  read_only: 'the job database or its directory is read-only',
  io: 'the job database could not be written',
};

export function toStoreError(error: unknown): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const failure = classify(error);
  const detail = error instanceof Error ? error.message : String(error);
  return new StateStoreError(failure, `The job store is unavailable: ${DESCRIPTION[failure]} (${detail}). Try again later.`, error);
}
