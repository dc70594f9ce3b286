/**
 * Job rows written before destinations existed (no owner, destination or details columns) load
 * after an upgrade as Files API jobs with no details, and new rows of every destination round-trip.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { JobStore, JOBS_DATABASE_FILE } from '../../src/server/jobs/job-store.js';
import { jobView } from '../../src/server/jobs/job.js';

const OLD_SCHEMA = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY, state TEXT NOT NULL, file_name TEXT NOT NULL, content_type TEXT NOT NULL, size INTEGER NOT NULL,
  recipients TEXT NOT NULL, text TEXT, language TEXT, intake_bytes INTEGER NOT NULL DEFAULT 0, relay_bytes INTEGER NOT NULL DEFAULT 0,
  upload_id TEXT, file_id TEXT, message_id TEXT, sha256 TEXT, error_kind TEXT, error_code TEXT, error_message TEXT,
  attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  received_at INTEGER, started_at INTEGER, finished_at INTEGER
);`;

test('an old job row loads as a genesys-files job; new rows keep their destination and details', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gu-job-migration-'));
  try {
    const old = new Database(join(dir, JOBS_DATABASE_FILE));
    old.exec(OLD_SCHEMA);
    old.prepare(
      `INSERT INTO jobs (id, state, file_name, content_type, size, recipients, file_id, message_id, created_at, updated_at)
       VALUES ('a'||hex(randomblob(15)), 'delivered', 'old.pdf', 'application/pdf', 10, '["+15550100"]', 'f-1', 'm-1', 1, 2)`,
    ).run();
    old.close();

    const store = new JobStore(dir, () => 1000);
    try {
      const [job] = store.inState('delivered');
      assert.ok(job !== undefined);
      const view = jobView(job);
      assert.equal(view.destination, 'genesys-files');
      assert.deepEqual(view.details, {});
      assert.deepEqual(view.to, ['+15550100']);
      assert.equal(view.fileId, 'f-1');
      assert.equal(view.messageId, 'm-1');

      const spec = { fileName: 'n.pdf', contentType: 'application/pdf', size: 5, text: undefined, language: undefined, to: [] };
      store.create('0'.repeat(32), { ...spec, destination: 'conversation', details: { conversationId: 'c-1' } });
      const updated = store.update('0'.repeat(32), { details: { conversationId: 'c-1', mediaId: 'md-1' }, messageId: 'm-2' });
      assert.equal(updated?.destination, 'conversation');
      assert.deepEqual(updated?.details, { conversationId: 'c-1', mediaId: 'md-1' });
    } finally {
      store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
