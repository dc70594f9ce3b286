/**
 * The journal on a real SQLite file: entries and their state machine, segment records, pruning
 * by age (the journal's clock is injected), id prefixes, the schema version guard, and that the
 * state directory is private.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../../src/errors/index.js';
import { DAY_MS, openJournal } from '../../src/journal/index.js';
import { KEY, newEntry, tempDir } from './helpers.js';

test('openJournal creates a private state dir and a WAL database', async (t) => {
  const dir = join(await tempDir(t), 'nested', 'state');
  const journal = openJournal({ stateDir: dir });
  t.after(() => journal.close());
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal(journal.file, join(dir, 'journal.db'));
  assert.equal((await stat(journal.file)).mode & 0o777, 0o600);
  const db = new Database(journal.file, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(journal.list(), []);
});

test('an entry goes uploading → completed → sending → delivered, with segments counted', async (t) => {
  let now = 1_000_000;
  const journal = openJournal({ stateDir: await tempDir(t), now: () => now });
  t.after(() => journal.close());
  const created = journal.create(newEntry());
  assert.match(created.id, /^[0-9a-f]{8}$/);
  assert.equal(created.state, 'uploading');
  assert.equal(created.segmentsStored, 0);
  journal.recordSegment(created.id, 2, 1_514_240, `sha256:${'2'.repeat(64)}`);
  journal.recordSegment(created.id, 0, 5_242_880, `sha256:${'0'.repeat(64)}`);
  journal.recordSegment(created.id, 0, 5_242_880, `sha256:${'0'.repeat(64)}`); // a re-send replaces
  let entry = journal.get(created.id)!;
  assert.equal(entry.segmentsStored, 2);
  assert.equal(entry.bytesStored, 5_242_880 + 1_514_240);
  assert.deepEqual(journal.segments(created.id).map((s) => s.index), [0, 2]);

  journal.replaceSegments(created.id, [{ index: 1, size: 5_242_880, checksum: `sha256:${'1'.repeat(64)}` }]);
  assert.deepEqual(journal.segments(created.id), [{ index: 1, size: 5_242_880, checksum: `sha256:${'1'.repeat(64)}` }]);

  now += 10;
  const stored = { ref: 'file-1', fileName: 'report.pdf', contentType: 'application/pdf', size: 12_000_000, sha256: 'c'.repeat(64), verified: true };
  journal.recordCompleted(created.id, stored);
  journal.recordIntent(created.id, { guestId: 'guest-1' });
  journal.recordSending(created.id);
  entry = journal.get(created.id)!;
  assert.equal(entry.state, 'sending');
  assert.equal(entry.displayState, 'uncertain', 'nobody holds it: its message may or may not exist');
  assert.equal(entry.messageAttemptAt, now);
  journal.clearSending(created.id);
  assert.equal(journal.get(created.id)!.state, 'completed');
  journal.recordSending(created.id);
  journal.recordDelivered(created.id, { messageId: 'message-1', details: { guestId: 'guest-1' } });
  entry = journal.get(created.id)!;
  assert.equal(entry.state, 'delivered');
  assert.equal(entry.messageId, 'message-1');
  assert.equal(entry.finishedAt, now);
  assert.equal(entry.fileId, 'file-1');
  assert.equal(entry.guestId, 'guest-1');
  assert.deepEqual(entry.delivery, newEntry().delivery);
  assert.equal(entry.destination, 'genesys-files');
  assert.deepEqual(entry.sessionState, { uploadId: 'upload-1' });
  assert.deepEqual(entry.stored, stored);
  assert.deepEqual(entry.intent, { guestId: 'guest-1' });
  assert.deepEqual(entry.receipt, { messageId: 'message-1', details: { guestId: 'guest-1' } });
});

test('latest() finds the newest entry of a job that was not abandoned', async (t) => {
  let now = 1;
  const journal = openJournal({ stateDir: await tempDir(t), now: () => now++ });
  t.after(() => journal.close());
  const first = journal.create(newEntry());
  const second = journal.create(newEntry({ uploadId: 'upload-2' }));
  journal.create(newEntry({}, '/data/other.pdf'));
  journal.create(newEntry({ target: { ...newEntry().target, clientId: 'client-2' } }));
  assert.equal(journal.latest(KEY)?.id, second.id);
  journal.abandon(second.id, 'replaced');
  assert.equal(journal.latest(KEY)?.id, first.id);
  assert.equal(journal.get(second.id)?.error?.message, 'replaced');
  assert.equal(journal.latest({ ...KEY, apiUrl: 'https://api.mypurecloud.com' }), undefined);
});

test('find() takes a unique id prefix and refuses an ambiguous one', async (t) => {
  const journal = openJournal({ stateDir: await tempDir(t) });
  t.after(() => journal.close());
  const entries = Array.from({ length: 40 }, (_, i) => journal.create(newEntry({ uploadId: `u${i}` })));
  const one = entries[0]!;
  assert.equal(journal.find(one.id)?.id, one.id);
  const unique = one.id.slice(0, 6);
  if (entries.filter((e) => e.id.startsWith(unique)).length === 1) assert.equal(journal.find(unique)?.id, one.id);
  // 40 random ids over 16 first digits: some digit starts two of them.
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.id[0]!, (counts.get(e.id[0]!) ?? 0) + 1);
  const shared = [...counts].find(([, n]) => n > 1)![0];
  assert.throws(() => journal.find(shared), (e: unknown) => e instanceof ConfigError && e.code === 'journal.ambiguous_id');
  assert.equal(journal.find('zz-not-an-id'), undefined);
});

test('finished entries are pruned after the retention (on open and by prune); unfinished ones never', async (t) => {
  const dir = await tempDir(t);
  let now = 10 * DAY_MS;
  const journal = openJournal({ stateDir: dir, now: () => now });
  const delivered = journal.create(newEntry());
  journal.recordCompleted(delivered.id, { ref: 'f', fileName: 'report.pdf', contentType: 'application/pdf', size: 1, sha256: 'c'.repeat(64), verified: true });
  journal.recordDelivered(delivered.id, { messageId: 'm' });
  const failed = journal.create(newEntry());
  journal.recordFailed(failed.id, 'storage.rejected', 'refused');
  const uploading = journal.create(newEntry());
  journal.recordSegment(uploading.id, 0, 5, `sha256:${'0'.repeat(64)}`);
  const uncertain = journal.create(newEntry());
  journal.recordSending(uncertain.id);
  now += 7 * DAY_MS - 1;
  assert.equal(journal.prune(), 0, 'not yet 7 days');
  now += 1;
  assert.equal(journal.prune(), 2);
  assert.deepEqual(new Set(journal.list().map((e) => e.id)), new Set([uploading.id, uncertain.id]));
  journal.close();

  now += 400 * DAY_MS;
  const reopened = openJournal({ stateDir: dir, now: () => now, retentionMs: 0 });
  t.after(() => reopened.close());
  assert.equal(reopened.list().length, 2, 'unfinished entries stay however old');
  assert.equal(reopened.segments(uploading.id).length, 1);
  const done = reopened.create(newEntry());
  reopened.recordFailed(done.id, 'x', 'y');
  reopened.close();
  const again = openJournal({ stateDir: dir, now: () => now, retentionMs: 0 });
  t.after(() => again.close());
  assert.equal(again.get(done.id), undefined, 'pruned automatically on open');
  assert.equal(again.prune({ retentionMs: 0 }), 0);
});

test('a journal written by a newer schema is refused with advice', async (t) => {
  const dir = await tempDir(t);
  openJournal({ stateDir: dir }).close();
  const db = new Database(join(dir, 'journal.db'));
  db.pragma('user_version = 99');
  db.close();
  assert.throws(() => openJournal({ stateDir: dir }), (e: unknown) => e instanceof ConfigError && e.code === 'journal.version' && /newer/.test(e.message));
});

test('a state dir that cannot be created is a usage error naming --state-dir', async (t) => {
  const dir = await tempDir(t);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'file'), 'x');
  assert.throws(
    () => openJournal({ stateDir: join(dir, 'file', 'state') }),
    (e: unknown) => e instanceof ConfigError && e.code === 'journal.open' && /--state-dir/.test(e.message),
  );
});

test('openJournal rejects a negative retention', async (t) => {
  const dir = await tempDir(t);
  assert.throws(() => openJournal({ stateDir: dir, retentionMs: -1 }), ConfigError);
});

test('a version 1 journal is migrated: its entries become genesys-files entries with their JSON state', async (t) => {
  const dir = await tempDir(t);
  const { default: Database } = await import('better-sqlite3');
  const { DDL } = await import('../../src/journal/schema.js');
  const { join } = await import('node:path');
  const old = new Database(join(dir, 'journal.db'));
  old.exec(DDL);
  old.pragma('user_version = 1');
  const row = {
    file_path: '/data/a.pdf', file_size: 10, file_mtime_ns: '1', file_ino: '2', file_dev: '3', head_sha256: 'h', tail_sha256: 't',
    api_url: 'https://api.x', login_url: 'https://login.x', client_id: 'c', target: 'x', file_name: 'a.pdf', content_type: 'application/pdf',
    chunk_size: 10, max_chunks: 10, chunks: 1, delivery_to: '["+1"]', delivery_text: 'hi', delivery_language: 'en-US',
  };
  const insert = old.prepare(
    `INSERT INTO entries (id, state, created_at, updated_at, upload_id, file_id, sha256, guest_id, message_id, ${Object.keys(row).join(', ')})
     VALUES (@id, @state, 1, 1, @upload_id, @file_id, @sha256, @guest_id, @message_id, ${Object.keys(row).map((k) => `@${k}`).join(', ')})`,
  );
  insert.run({ ...row, id: 'aaaaaaaa', state: 'sending', upload_id: 'u1', file_id: 'f1', sha256: 's'.repeat(64), guest_id: 'g1', message_id: null });
  insert.run({ ...row, id: 'bbbbbbbb', state: 'uploading', upload_id: 'u2', file_id: null, sha256: null, guest_id: null, message_id: null });
  old.close();

  const journal = openJournal({ stateDir: dir });
  t.after(() => journal.close());
  const sending = journal.get('aaaaaaaa')!;
  assert.equal(sending.destination, 'genesys-files');
  assert.deepEqual(sending.sessionState, { uploadId: 'u1' });
  assert.deepEqual(sending.stored, { ref: 'f1', fileName: 'a.pdf', contentType: 'application/pdf', size: 10, sha256: 's'.repeat(64), verified: true });
  assert.deepEqual(sending.intent, { guestId: 'g1' });
  assert.equal(sending.receipt, undefined);
  const uploading = journal.get('bbbbbbbb')!;
  assert.deepEqual(uploading.sessionState, { uploadId: 'u2' });
  assert.equal(uploading.stored, undefined);
  assert.equal(uploading.intent, undefined);
});
