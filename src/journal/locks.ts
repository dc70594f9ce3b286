/**
 * One process at a time per job (file + org + client): a row in the journal's `locks` table with
 * the holder's pid, hostname, process start time and a random owner token. Taking the lock is one
 * IMMEDIATE transaction (check + write are atomic across processes). A row whose process is gone
 * (same host, pid dead, zombie, or reused by another process) is stale and taken over. A holder on
 * another host cannot be checked and is respected.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import { isProcessAlive, processStartTime } from './process-alive.js';
import type { JobKey, LockHolder } from './types.js';

interface LockRow {
  job_key: string;
  entry_hint: string | null;
  pid: number;
  hostname: string;
  process_start: string | null;
  owner: string;
  acquired_at: number;
}

export type LockResult =
  | {
      acquired: true;
      release: () => void;
      /** Tells `uploads` which entry this holder is working on. */
      point: (entryId: string) => void;
      /** The stale holder replaced, if any. */
      replaced: LockHolder | undefined;
    }
  | { acquired: false; holder: LockHolder };

export function jobKeyString(key: JobKey): string {
  return JSON.stringify([key.filePath, key.apiUrl, key.clientId]);
}

function holderOf(row: LockRow): LockHolder {
  return { pid: row.pid, hostname: row.hostname, since: row.acquired_at };
}

export function isLive(row: Pick<LockRow, 'pid' | 'hostname' | 'process_start'>): boolean {
  if (row.hostname !== hostname()) return true;
  return isProcessAlive(row.pid, row.process_start ?? undefined);
}

export class JobLocks {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #start = processStartTime();

  constructor(db: Database.Database, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  acquire(key: JobKey): LockResult {
    const keyString = jobKeyString(key);
    const owner = randomBytes(12).toString('hex');
    const take = this.#db.transaction((): LockResult => {
      const row = this.#db.prepare('SELECT * FROM locks WHERE job_key = ?').get(keyString) as LockRow | undefined;
      if (row !== undefined && isLive(row)) return { acquired: false, holder: holderOf(row) };
      this.#db
        .prepare(
          'INSERT OR REPLACE INTO locks (job_key, entry_hint, pid, hostname, process_start, owner, acquired_at) VALUES (?, NULL, ?, ?, ?, ?, ?)',
        )
        .run(keyString, process.pid, hostname(), this.#start ?? null, owner, this.#now());
      return {
        acquired: true,
        replaced: row === undefined ? undefined : holderOf(row),
        release: () => this.#db.prepare('DELETE FROM locks WHERE job_key = ? AND owner = ?').run(keyString, owner),
        point: (entryId) => this.#db.prepare('UPDATE locks SET entry_hint = ? WHERE job_key = ? AND owner = ?').run(entryId, keyString, owner),
      };
    });
    return take.immediate();
  }

  /** Live holders by job key. */
  liveHolders(): Map<string, LockHolder & { entryHint: string | undefined }> {
    const rows = this.#db.prepare('SELECT * FROM locks').all() as LockRow[];
    const live = new Map<string, LockHolder & { entryHint: string | undefined }>();
    for (const row of rows) if (isLive(row)) live.set(row.job_key, { ...holderOf(row), entryHint: row.entry_hint ?? undefined });
    return live;
  }

  /** Removes rows of processes that are gone; returns how many. */
  pruneStale(): number {
    const rows = this.#db.prepare('SELECT job_key, pid, hostname, process_start FROM locks').all() as LockRow[];
    const remove = this.#db.prepare('DELETE FROM locks WHERE job_key = ? AND pid = ?');
    let removed = 0;
    for (const row of rows) if (!isLive(row)) removed += remove.run(row.job_key, row.pid).changes;
    return removed;
  }
}
