/**
 * The resume journal: one SQLite database (better-sqlite3, synchronous, WAL) in the state
 * directory. Every write is one transaction, so a process killed at any instant leaves either the
 * old or the new record, never half of one. Segment confirmations are cheap (no fsync, see
 * schema.ts); the delivery steps — intent, sending, receipt — are committed with
 * synchronous=FULL because losing one of them to a power cut could repeat a message.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, InternalError } from '../errors/index.js';
import type { JsonValue, Receipt, StoredFile } from '../destinations/destination.js';
import { newRowValues, toEntry, type EntryRow } from './entry-row.js';
import { JobLocks, jobKeyString, type LockResult } from './locks.js';
import { prepareDatabase } from './schema.js';
import { DEFAULT_RETENTION_MS, makeStateDir } from './state-dir.js';
import { journalStorageError, withStorageErrors } from './storage-errors.js';
import {
  FINISHED_STATES,
  type JobKey,
  type JournalEntry,
  type NewEntry,
  type RecordedDelivery,
  type StoredSegmentRecord,
} from './types.js';

export interface OpenJournalOptions {
  stateDir: string;
  /** Finished entries older than this are pruned on open and by prune(); default 7 days. */
  retentionMs?: number;
  now?: () => number;
}

export interface Journal {
  readonly stateDir: string;
  /** The database file. */
  readonly file: string;
  close(): void;
  /** Every entry, newest first. */
  list(): JournalEntry[];
  get(id: string): JournalEntry | undefined;
  /** By id or a unique prefix of one; undefined when none matches. Throws when several do. */
  find(idOrPrefix: string): JournalEntry | undefined;
  /** The newest entry of a job that was not abandoned. */
  latest(key: JobKey): JournalEntry | undefined;
  /** Deletes finished entries older than the retention (default: the journal's); returns how many. */
  prune(options?: { retentionMs?: number }): number;
  /** One process per job: the second gets `acquired: false` and who holds it. */
  lock(key: JobKey): LockResult;
  create(entry: NewEntry): JournalEntry;
  segments(id: string): StoredSegmentRecord[];
  recordSegment(id: string, index: number, size: number, checksum: string): void;
  /** Replaces the recorded segments with the server's list (on resume: the server is the truth). */
  replaceSegments(id: string, segments: readonly StoredSegmentRecord[]): void;
  updateDelivery(id: string, delivery: RecordedDelivery): void;
  /** The store completed and verified the file. */
  recordCompleted(id: string, stored: StoredFile): void;
  /** The notifier's intent (or none, when it went stale), before anything is sent with it. */
  recordIntent(id: string, intent: JsonValue | undefined): void;
  /** The message is about to be sent: from here until recordDelivered its outcome needs settling. */
  recordSending(id: string): void;
  /** The message provably does not exist (refused, or not found): a later send is not a repeat. */
  clearSending(id: string): void;
  recordDelivered(id: string, receipt: Receipt): void;
  recordFailed(id: string, code: string, message: string): void;
  abandon(id: string, reason: string): void;
}

const ENTRY_SELECT = `SELECT e.*,
  (SELECT COUNT(*) FROM segments s WHERE s.entry_id = e.id) AS segments_stored,
  (SELECT COALESCE(SUM(s.size), 0) FROM segments s WHERE s.entry_id = e.id) AS bytes_stored
  FROM entries e`;

const FINISHED_SQL = FINISHED_STATES.map((s) => `'${s}'`).join(', ');

export function openJournal(options: OpenJournalOptions): Journal {
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  if (!(Number.isFinite(retentionMs) && retentionMs >= 0)) {
    throw new ConfigError('config.keep_days', `retentionMs must be a number of milliseconds >= 0; got ${String(retentionMs)}.`);
  }
  const now = options.now ?? Date.now;
  const file = join(options.stateDir, 'journal.db');
  let db: Database.Database;
  try {
    makeStateDir(options.stateDir);
    db = new Database(file);
  } catch (error) {
    const mapped = journalStorageError(error, options.stateDir, file);
    if (mapped !== error) throw mapped;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      'journal.open',
      `Cannot open the resume journal ${file} (${code}). Give a writable directory with --state-dir or GENESYS_UPLOAD_STATE_DIR, or run without a journal (--no-journal).`,
      { cause: error },
    );
  }
  try {
    prepareDatabase(db, file);
    // The journal names files and recipients: readable by its owner only.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      try {
        chmodSync(f, 0o600);
      } catch {
        // -wal/-shm may not exist yet, or belong to another user's shared dir: not ours to fix.
      }
    }
  } catch (error) {
    db.close();
    throw journalStorageError(error, options.stateDir, file);
  }
  // Every later write maps its storage failures too (a disk that fills up during a send).
  const journal = withStorageErrors<Journal>(new SqliteJournal(db, options.stateDir, file, retentionMs, now), options.stateDir, file);
  try {
    journal.prune();
  } catch (error) {
    journal.close();
    throw error;
  }
  return journal;
}

class SqliteJournal implements Journal {
  readonly #db: Database.Database;
  readonly #locks: JobLocks;
  readonly #retentionMs: number;
  readonly #now: () => number;
  readonly #recordSegment: (id: string, index: number, size: number, checksum: string) => void;

  constructor(
    db: Database.Database,
    readonly stateDir: string,
    readonly file: string,
    retentionMs: number,
    now: () => number,
  ) {
    this.#db = db;
    this.#locks = new JobLocks(db, now);
    this.#retentionMs = retentionMs;
    this.#now = now;
    const insert = db.prepare('INSERT OR REPLACE INTO segments (entry_id, idx, size, checksum) VALUES (?, ?, ?, ?)');
    const touch = db.prepare('UPDATE entries SET updated_at = ? WHERE id = ?');
    this.#recordSegment = db.transaction((id: string, index: number, size: number, checksum: string) => {
      insert.run(id, index, size, checksum);
      if (touch.run(this.#now(), id).changes === 0) throw missing(id);
    });
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  list(): JournalEntry[] {
    return this.#entries(this.#db.prepare(`${ENTRY_SELECT} ORDER BY e.created_at DESC, e.rowid DESC`).all() as EntryRow[]);
  }

  get(id: string): JournalEntry | undefined {
    return this.#entries(this.#db.prepare(`${ENTRY_SELECT} WHERE e.id = ?`).all(id) as EntryRow[])[0];
  }

  find(idOrPrefix: string): JournalEntry | undefined {
    const exact = this.get(idOrPrefix);
    if (exact !== undefined || !/^[0-9a-f]{1,16}$/.test(idOrPrefix)) return exact;
    const ids = (this.#db.prepare('SELECT id FROM entries WHERE id LIKE ? ORDER BY created_at DESC').all(`${idOrPrefix}%`) as Array<{ id: string }>).map((r) => r.id);
    if (ids.length > 1) {
      throw new ConfigError('journal.ambiguous_id', `${idOrPrefix} matches ${ids.length} journal entries (${ids.slice(0, 5).join(', ')}); give more of the id.`);
    }
    return ids[0] === undefined ? undefined : this.get(ids[0]);
  }

  latest(key: JobKey): JournalEntry | undefined {
    const rows = this.#db
      .prepare(`${ENTRY_SELECT} WHERE e.file_path = ? AND e.api_url = ? AND e.client_id = ? AND e.state != 'abandoned' ORDER BY e.created_at DESC, e.rowid DESC LIMIT 1`)
      .all(key.filePath, key.apiUrl, key.clientId) as EntryRow[];
    return this.#entries(rows)[0];
  }

  prune(options: { retentionMs?: number } = {}): number {
    const retention = options.retentionMs ?? this.#retentionMs;
    const removed = this.#db.prepare(`DELETE FROM entries WHERE state IN (${FINISHED_SQL}) AND finished_at <= ?`).run(this.#now() - retention).changes;
    this.#locks.pruneStale();
    return removed;
  }

  lock(key: JobKey): LockResult {
    return this.#locks.acquire(key);
  }

  create(entry: NewEntry): JournalEntry {
    const at = this.#now();
    for (;;) {
      const id = randomBytes(4).toString('hex');
      const values = newRowValues(id, entry, at);
      const columns = Object.keys(values);
      const inserted = this.#db
        .prepare(`INSERT OR IGNORE INTO entries (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`)
        .run(values).changes;
      if (inserted === 1) return this.get(id) ?? failMissing(id);
    }
  }

  segments(id: string): StoredSegmentRecord[] {
    return this.#db.prepare('SELECT idx AS "index", size, checksum FROM segments WHERE entry_id = ? ORDER BY idx').all(id) as StoredSegmentRecord[];
  }

  recordSegment(id: string, index: number, size: number, checksum: string): void {
    this.#recordSegment(id, index, size, checksum);
  }

  replaceSegments(id: string, segments: readonly StoredSegmentRecord[]): void {
    const insert = this.#db.prepare('INSERT INTO segments (entry_id, idx, size, checksum) VALUES (?, ?, ?, ?)');
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM segments WHERE entry_id = ?').run(id);
      for (const s of segments) insert.run(id, s.index, s.size, s.checksum);
      this.#update(id, {});
    })();
  }

  updateDelivery(id: string, delivery: RecordedDelivery): void {
    this.#update(id, { delivery_to: JSON.stringify(delivery.to), delivery_text: delivery.text, delivery_language: delivery.language });
  }

  recordCompleted(id: string, stored: StoredFile): void {
    const fileId = typeof stored.ref === 'string' ? stored.ref : null;
    this.#update(id, { state: 'completed', file_id: fileId, sha256: stored.sha256, stored: JSON.stringify(stored) });
  }

  recordIntent(id: string, intent: JsonValue | undefined): void {
    this.#durably(() => this.#update(id, { intent: intent === undefined ? null : JSON.stringify(intent) }));
  }

  recordSending(id: string): void {
    this.#durably(() => this.#update(id, { state: 'sending', message_attempt_at: this.#now() }));
  }

  clearSending(id: string): void {
    this.#durably(() => this.#update(id, { state: 'completed', message_attempt_at: null }));
  }

  recordDelivered(id: string, receipt: Receipt): void {
    const at = this.#now();
    this.#durably(() =>
      this.#update(id, {
        state: 'delivered',
        message_id: receipt.messageId,
        receipt: JSON.stringify(receipt),
        delivered_at: at,
        finished_at: at,
        error_code: null,
        error_message: null,
      }),
    );
  }

  recordFailed(id: string, code: string, message: string): void {
    this.#update(id, { state: 'failed', finished_at: this.#now(), error_code: code, error_message: message });
  }

  abandon(id: string, reason: string): void {
    this.#update(id, { state: 'abandoned', finished_at: this.#now(), error_code: 'abandoned', error_message: reason });
  }

  #update(id: string, columns: Record<string, string | number | null>): void {
    const values = { ...columns, updated_at: this.#now() };
    const set = Object.keys(values).map((c) => `${c} = @${c}`).join(', ');
    const changed = this.#db.prepare(`UPDATE entries SET ${set} WHERE id = @id`).run({ ...values, id }).changes;
    if (changed === 0) throw missing(id);
  }

  /** Commits with an fsync of the WAL: survives a power cut, not just a killed process. */
  #durably(write: () => void): void {
    this.#db.pragma('synchronous = FULL');
    try {
      write();
    } finally {
      this.#db.pragma('synchronous = NORMAL');
    }
  }

  #entries(rows: EntryRow[]): JournalEntry[] {
    if (rows.length === 0) return [];
    const holders = this.#locks.liveHolders();
    return rows.map((row) => {
      const holder = holders.get(jobKeyString({ filePath: row.file_path, apiUrl: row.api_url, clientId: row.client_id }));
      const working = holder !== undefined && (holder.entryHint === row.id || (holder.entryHint === undefined && !FINISHED_STATES.includes(row.state)));
      return toEntry(row, working ? { pid: holder.pid, hostname: holder.hostname, since: holder.since } : undefined);
    });
  }
}

function missing(id: string): InternalError {
  return new InternalError('journal.entry_missing', `The journal entry ${id} disappeared while in use (was the state directory removed?).`);
}

function failMissing(id: string): never {
  throw missing(id);
}
