/**
 * The jobs table in SQLite (better-sqlite3, WAL): what survives a crash or a restart of the
 * service. Writes are synchronous and small; every change is also announced (per job and
 * globally) so that the SSE streams, the queue gauge and the logs follow without polling.
 *
 * better-sqlite3 blocks the event loop while it waits for a lock, so the busy timeout is short
 * (default 50 ms, not SQLite's usual seconds): a database locked by another process, a full or a
 * read-only disk make a write throw a StateStoreError quickly, and the callers decide (answer
 * 503/507, skip a progress write, retry a state change later). The last failure is kept for
 * /readyz until a write succeeds again.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { InternalError } from '../../errors/index.js';
import { ensurePrivateDirSync, ensurePrivateFileSync } from '../private-fs.js';
import type { Job, JobError, JobSpec, JobState } from './job.js';
import { COLUMN, fromRow, migrate, type JobPatch, type Row } from './job-rows.js';
import { toStoreError, type StateStoreError } from './store-error.js';

export type { JobPatch } from './job-rows.js';

export const JOBS_DATABASE_FILE = 'jobs.sqlite3';

/** Default busy timeout: how long one write may block the event loop waiting for a lock. */
export const DEFAULT_BUSY_TIMEOUT_MS = 50;

/** Which jobs a caller sees: all (admin, or no keys configured), or those of one key. */
export type JobScope = { all: true } | { all: false; owner: string };

export class JobStore {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;
  readonly #events = new EventEmitter();
  readonly #get: Statement<[string], Row>;
  #failure: { at: number; error: StateStoreError } | undefined;

  constructor(stateDir: string, now: () => number, options: { busyTimeoutMs?: number } = {}) {
    ensurePrivateDirSync(stateDir);
    const path = join(stateDir, JOBS_DATABASE_FILE);
    // 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
    ensurePrivateFileSync(path);
    for (const extra of [`${path}-wal`, `${path}-shm`]) if (existsSync(extra)) ensurePrivateFileSync(extra);
    this.#db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    // WAL + NORMAL: a committed write survives a killed process (not necessarily a power cut).
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    migrate(this.#db);
    this.#now = now;
    this.#events.setMaxListeners(0);
    this.#get = this.#db.prepare<[string], Row>('SELECT * FROM jobs WHERE id = ?');
  }

  /** The last write failure, while no write has succeeded since. */
  get failure(): { at: number; error: StateStoreError } | undefined {
    return this.#failure;
  }

  create(id: string, spec: JobSpec, owner?: string): Job {
    const now = this.#now();
    this.#write(() =>
      this.#db
        .prepare(
          `INSERT INTO jobs (id, state, file_name, content_type, size, recipients, text, language, created_at, updated_at, owner, destination, details)
           VALUES (?, 'receiving', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          spec.fileName,
          spec.contentType,
          spec.size,
          JSON.stringify(spec.to),
          spec.text ?? null,
          spec.language ?? null,
          now,
          now,
          owner ?? null,
          spec.destination,
          JSON.stringify(spec.details),
        ),
    );
    return this.#announce(this.getOrThrow(id));
  }

  /** Removes job `id`'s row (a creation that failed after the row was written; retention). */
  delete(id: string): boolean {
    return this.#write(() => this.#db.prepare('DELETE FROM jobs WHERE id = ?').run(id)).changes > 0;
  }

  /** Finished (delivered or failed) jobs that finished before `cutoff`, oldest first. */
  finishedBefore(cutoff: number, limit: number): Job[] {
    return this.#db
      .prepare<[number, number], Row>("SELECT * FROM jobs WHERE state IN ('delivered','failed') AND finished_at < ? ORDER BY finished_at LIMIT ?")
      .all(cutoff, limit)
      .map(fromRow);
  }

  /** Unfinished intakes: how many, and the bytes they may still write (for the intake caps). */
  intakeLoad(): { count: number; pendingBytes: number } {
    const row = this.#db
      .prepare<[], { n: number; pending: number | null }>("SELECT COUNT(*) AS n, SUM(size - intake_bytes) AS pending FROM jobs WHERE state = 'receiving'")
      .get();
    return { count: row?.n ?? 0, pendingBytes: row?.pending ?? 0 };
  }

  get(id: string): Job | undefined {
    const row = this.#get.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  getOrThrow(id: string): Job {
    const job = this.get(id);
    if (job === undefined) throw new InternalError('internal.job_missing', `Job ${id} is not in the state store.`);
    return job;
  }

  /** Applies `patch`; with `from`, only when the job is in one of those states. Returns the job, or undefined if not applied. */
  update(id: string, patch: JobPatch, from?: readonly JobState[]): Job | undefined {
    const sets: string[] = ['updated_at = @updated_at'];
    const params: Record<string, unknown> = { id, updated_at: this.#now() };
    for (const [key, value] of Object.entries(patch) as Array<[keyof JobPatch, unknown]>) {
      if (value === undefined) continue;
      if (key === 'error') {
        const error = value as JobError | null;
        sets.push('error_kind = @error_kind', 'error_code = @error_code', 'error_message = @error_message');
        Object.assign(params, { error_kind: error?.kind ?? null, error_code: error?.code ?? null, error_message: error?.message ?? null });
      } else {
        sets.push(`${COLUMN[key]} = @${COLUMN[key]}`);
        params[COLUMN[key]] = key === 'details' ? JSON.stringify(value) : value;
      }
    }
    let where = 'id = @id';
    if (from !== undefined) {
      where += ` AND state IN (${from.map((_, i) => `@from${i}`).join(', ')})`;
      from.forEach((state, i) => (params[`from${i}`] = state));
    }
    const result = this.#write(() => this.#db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE ${where}`).run(params));
    if (result.changes === 0) return undefined;
    return this.#announce(this.getOrThrow(id));
  }

  /** Newest first, only the jobs `scope` may see. */
  list(options: { limit: number; state?: JobState | undefined; scope: JobScope }): Job[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (options.state !== undefined) {
      where.push('state = ?');
      params.push(options.state);
    }
    if (!options.scope.all) {
      where.push('owner = ?');
      params.push(options.scope.owner);
    }
    const filter = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const rows = this.#db.prepare<Array<string | number>, Row>(`SELECT * FROM jobs ${filter} ORDER BY created_at DESC, id LIMIT ?`).all(...params, options.limit);
    return rows.map(fromRow);
  }

  /** Jobs in a state, oldest intake first (the queue order). */
  inState(state: JobState): Job[] {
    return this.#db
      .prepare<[string], Row>('SELECT * FROM jobs WHERE state = ? ORDER BY received_at, created_at, id')
      .all(state)
      .map(fromRow);
  }

  /** Receiving jobs created before `cutoff` (expired intakes). */
  receivingCreatedBefore(cutoff: number): Job[] {
    return this.#db
      .prepare<[number], Row>("SELECT * FROM jobs WHERE state = 'receiving' AND created_at < ?")
      .all(cutoff)
      .map(fromRow);
  }

  countInState(state: JobState): number {
    return (this.#db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM jobs WHERE state = ?').get(state)?.n ?? 0);
  }

  /** Readiness: a real write (it fails on a read-only or full disk, or a locked database). */
  probeWrite(): void {
    this.#write(() => this.#db.prepare('INSERT INTO probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(this.#now()));
  }

  /** Every change of job `id`. Returns the unsubscribe function. */
  watch(id: string, listener: (job: Job) => void): () => void {
    this.#events.on(`job:${id}`, listener);
    return () => this.#events.off(`job:${id}`, listener);
  }

  /** Every change of every job. */
  onChange(listener: (job: Job) => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  close(): void {
    this.#events.removeAllListeners();
    if (this.#db.open) this.#db.close();
  }

  /** Runs one write; a failure is remembered (for /readyz) and thrown as a StateStoreError. */
  #write<T>(write: () => T): T {
    let result: T;
    try {
      result = write();
    } catch (error) {
      const storeError = toStoreError(error);
      this.#failure = { at: this.#now(), error: storeError };
      throw storeError;
    }
    this.#failure = undefined;
    return result;
  }

  #announce(job: Job): Job {
    this.#events.emit(`job:${job.id}`, job);
    this.#events.emit('change', job);
    return job;
  }
}
