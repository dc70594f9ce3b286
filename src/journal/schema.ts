/**
 * The journal's SQLite schema and connection settings. WAL lets `uploads` read while a `send`
 * writes; synchronous=NORMAL makes each commit survive a killed process (the WAL is in the OS's
 * page cache) for the price of no fsync per segment. Delivery steps switch to FULL for their
 * commit (see journal.ts): those are the records whose loss could repeat a message.
 */
import type Database from 'better-sqlite3';
import { ConfigError } from '../errors/index.js';

export const SCHEMA_VERSION = 2;

/** Version 1 of the schema (exported for the migration test). */
export const DDL = `
CREATE TABLE IF NOT EXISTS entries (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  file_path TEXT NOT NULL,
  file_size INTEGER NOT NULL,
  file_mtime_ns TEXT NOT NULL,
  file_ino TEXT NOT NULL,
  file_dev TEXT NOT NULL,
  head_sha256 TEXT NOT NULL,
  tail_sha256 TEXT NOT NULL,
  api_url TEXT NOT NULL,
  login_url TEXT NOT NULL,
  client_id TEXT NOT NULL,
  target TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  chunk_size INTEGER NOT NULL,
  max_chunks INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  file_id TEXT,
  sha256 TEXT,
  delivery_to TEXT NOT NULL,
  delivery_text TEXT NOT NULL,
  delivery_language TEXT NOT NULL,
  guest_id TEXT,
  message_attempt_at INTEGER,
  message_id TEXT,
  delivered_at INTEGER,
  error_code TEXT,
  error_message TEXT
);
CREATE INDEX IF NOT EXISTS entries_job ON entries (file_path, api_url, client_id, created_at);
CREATE INDEX IF NOT EXISTS entries_finished ON entries (finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS segments (
  entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  size INTEGER NOT NULL,
  checksum TEXT NOT NULL,
  PRIMARY KEY (entry_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS locks (
  job_key TEXT PRIMARY KEY,
  entry_hint TEXT,
  pid INTEGER NOT NULL,
  hostname TEXT NOT NULL,
  process_start TEXT,
  owner TEXT NOT NULL,
  acquired_at INTEGER NOT NULL
);
`;

/**
 * Version 2 makes entries destination-neutral: the destination's name and its own JSON state (the
 * remote session, the stored file, the delivery intent, the receipt), which the journal stores
 * opaquely. The older columns stay as a display copy (upload_id: the session's id; file_id,
 * sha256, message_id); entries written by version 1 are the tutorial API's and are carried over.
 */
const V2 = `
ALTER TABLE entries ADD COLUMN destination TEXT NOT NULL DEFAULT 'genesys-files';
ALTER TABLE entries ADD COLUMN session_state TEXT;
ALTER TABLE entries ADD COLUMN stored TEXT;
ALTER TABLE entries ADD COLUMN intent TEXT;
ALTER TABLE entries ADD COLUMN receipt TEXT;
UPDATE entries SET
  session_state = json_object('uploadId', upload_id),
  stored = CASE WHEN file_id IS NULL THEN NULL ELSE json_object('ref', file_id, 'fileName', file_name, 'contentType', content_type,
    'size', file_size, 'sha256', sha256, 'verified', json('true')) END,
  intent = CASE WHEN guest_id IS NULL THEN NULL ELSE json_object('guestId', guest_id) END,
  receipt = CASE WHEN message_id IS NULL THEN NULL ELSE json_object('messageId', message_id, 'details',
    CASE WHEN guest_id IS NULL THEN json_object() ELSE json_object('guestId', guest_id) END) END;
`;

/** Connection settings, then the schema (created once, in one transaction, by whoever is first). */
export function prepareDatabase(db: Database.Database, file: string): void {
  // Several processes may open the journal at once: wait for a writer rather than fail at once.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The journal is small: a few pages of cache are plenty, and the upload's memory budget is for segments.
  db.pragma('cache_size = -256');
  const migrate = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new ConfigError(
        'journal.version',
        `The journal ${file} was written by a newer genesys-upload (schema ${version}, this one knows ${SCHEMA_VERSION}). ` +
          'Upgrade genesys-upload, or point --state-dir elsewhere.',
      );
    }
    if (version < SCHEMA_VERSION) {
      if (version < 1) db.exec(DDL);
      if (version < 2) db.exec(V2);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
  });
  migrate.immediate();
}
