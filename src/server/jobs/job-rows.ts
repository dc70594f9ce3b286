/**
 * How a job is laid out in SQLite: the jobs table's schema, its row type, the mapping from a row
 * to a Job, and the column each patchable field is written to. The store (job-store.ts) runs the
 * statements; this file is the one place that knows the column names.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { FailureKind } from '../../errors/index.js';
import type { Job, JobError, JobState } from './job.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id            TEXT PRIMARY KEY,
  state         TEXT NOT NULL CHECK (state IN ('receiving','queued','relaying','delivered','failed')),
  file_name     TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  size          INTEGER NOT NULL,
  recipients    TEXT NOT NULL,
  text          TEXT,
  language      TEXT,
  intake_bytes  INTEGER NOT NULL DEFAULT 0,
  relay_bytes   INTEGER NOT NULL DEFAULT 0,
  upload_id     TEXT,
  file_id       TEXT,
  message_id    TEXT,
  sha256        TEXT,
  error_kind    TEXT,
  error_code    TEXT,
  error_message TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  received_at   INTEGER,
  started_at    INTEGER,
  finished_at   INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, received_at);
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs (created_at);
CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
`;

/** Creates the tables, and adds the columns later versions introduced to an older database. */
export function migrate(db: SqliteDatabase): void {
  db.exec(SCHEMA);
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(jobs)').all();
  const has = (name: string): boolean => columns.some((column) => column.name === name);
  // The hash of the API key that created the job (NULL: created without keys). Never the key.
  if (!has('owner')) db.exec('ALTER TABLE jobs ADD COLUMN owner TEXT');
  // Destination-neutral jobs: rows written before destinations existed went to the Files API.
  if (!has('destination')) db.exec("ALTER TABLE jobs ADD COLUMN destination TEXT NOT NULL DEFAULT 'genesys-files'");
  // The destination's ids as a JSON object of strings (never a secret).
  if (!has('details')) db.exec("ALTER TABLE jobs ADD COLUMN details TEXT NOT NULL DEFAULT '{}'");
}

export interface Row {
  id: string;
  state: JobState;
  file_name: string;
  content_type: string;
  size: number;
  recipients: string;
  text: string | null;
  language: string | null;
  intake_bytes: number;
  relay_bytes: number;
  upload_id: string | null;
  file_id: string | null;
  message_id: string | null;
  sha256: string | null;
  error_kind: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  received_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  owner: string | null;
  destination: string;
  details: string;
}

/** The fields a caller may change; `null` clears an optional field. */
export interface JobPatch {
  state?: JobState;
  intakeBytes?: number;
  relayBytes?: number;
  uploadId?: string | null;
  fileId?: string | null;
  messageId?: string | null;
  sha256?: string | null;
  /** Replaces the destination's ids (callers merge). */
  details?: Record<string, string>;
  error?: JobError | null;
  attempts?: number;
  receivedAt?: number | null;
  startedAt?: number | null;
  finishedAt?: number | null;
}

export const COLUMN: Record<keyof JobPatch, string> = {
  state: 'state',
  intakeBytes: 'intake_bytes',
  relayBytes: 'relay_bytes',
  uploadId: 'upload_id',
  fileId: 'file_id',
  messageId: 'message_id',
  sha256: 'sha256',
  details: 'details',
  error: 'error',
  attempts: 'attempts',
  receivedAt: 'received_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/** The details column: a JSON object of strings; anything else reads as no details. */
function parseDetails(text: string | null): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

export function fromRow(row: Row): Job {
  return {
    id: row.id,
    state: row.state,
    fileName: row.file_name,
    contentType: row.content_type,
    size: row.size,
    destination: row.destination,
    details: parseDetails(row.details),
    to: JSON.parse(row.recipients) as string[],
    text: opt(row.text),
    language: opt(row.language),
    intakeBytes: row.intake_bytes,
    relayBytes: row.relay_bytes,
    uploadId: opt(row.upload_id),
    fileId: opt(row.file_id),
    messageId: opt(row.message_id),
    sha256: opt(row.sha256),
    error:
      row.error_code === null
        ? undefined
        : { kind: (row.error_kind ?? 'internal') as FailureKind, code: row.error_code, message: row.error_message ?? '' },
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    receivedAt: opt(row.received_at),
    startedAt: opt(row.started_at),
    finishedAt: opt(row.finished_at),
    owner: opt(row.owner),
  };
}
