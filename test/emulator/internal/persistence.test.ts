/** Restarting on the same data directory, and what close() leaves behind. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startEmulator } from '../../../src/emulator/index.js';
import { call, checksums, complete, initiate, putSegment, sha256, token } from './helpers.js';

describe('persistence', () => {
  test('uploads, segments, files, guests, messages, tokens and URLs survive a restart', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emu-internal-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    const data = randomBytes(100);
    let first = await startEmulator({ dataDir, chunkSize: 30, singleChunkMaxSize: 0 });
    const tok = await token(first.url);
    const u = await initiate(first.url, tok, data);
    assert.equal((await putSegment(u, 0)).status, 206);
    assert.equal((await putSegment(u, 2)).status, 206);
    const aborted = await initiate(first.url, tok, data);
    assert.equal((await putSegment(aborted, 1)).status, 206);
    assert.equal((await call(first.url, 'DELETE', `/api/v2/files/uploads/${aborted.uploadId}`, { token: tok })).status, 204);
    // A leftover temp body from a crash must not survive the restart.
    await writeFile(join(dataDir, 'uploads', u.uploadId, 'tmp-leftover'), 'junk');
    await first.close();
    assert.ok(existsSync(dataDir), 'close() keeps a data directory it did not create');

    first = await startEmulator({ dataDir, chunkSize: 30, singleChunkMaxSize: 0 });
    t.after(() => first.close());
    const u2 = { ...u, presignedUrl: u.presignedUrl.replace(/:\d+\//, `:${first.port}/`) };
    const status = await call(first.url, 'GET', `/api/v2/files/uploads/${u.uploadId}`, { token: tok });
    assert.equal(status.status, 200, 'the old token still works');
    assert.deepEqual(status.json.segments.map((s: { index: number }) => s.index), [0, 2]);
    assert.ok(!(await readdir(join(dataDir, 'uploads', u.uploadId))).some((n) => n.startsWith('tmp-')));
    assert.equal((await putSegment(u2, 1)).status, 206, 'the URL issued before the restart still works');
    assert.equal((await putSegment(u2, 3)).status, 200);
    const done = await complete(first.url, tok, u2);
    assert.equal(done.status, 200);
    assert.equal(done.json.sha256, sha256(data));
    const abortedStatus = await call(first.url, 'GET', `/api/v2/files/uploads/${aborted.uploadId}`, { token: tok });
    assert.equal(abortedStatus.json.state, 'aborted');
    assert.deepEqual(abortedStatus.json.segments, []);
    const guest = await call(first.url, 'POST', '/api/v2/conversations/messaging/guests', { token: tok, body: { language: 'en' } });
    const msg = await call(first.url, 'POST', '/api/v2/conversations/messaging/messages', {
      token: tok,
      body: { guestId: guest.json.id, to: ['a'], text: 'hi', attachments: [{ id: done.json.fileId, name: 'd.bin' }] },
    });
    assert.equal(msg.status, 201);
    await first.close();

    const third = await startEmulator({ dataDir });
    t.after(() => third.close());
    const file = await call(third.url, 'GET', `/api/v2/files/${done.json.fileId}`, { token: tok });
    assert.deepEqual(file.json.checksums, checksums(u));
    const content = await call(third.url, 'GET', `/api/v2/files/${done.json.fileId}/content`, { token: tok });
    assert.ok(content.bytes.equals(data), 'the content streams from the stored segments');
    const got = await call(third.url, 'GET', `/api/v2/conversations/messaging/messages/${msg.json.id}`, { token: tok });
    assert.equal(got.json.attachments[0].sha256, sha256(data));
    assert.equal(third.state().guests.length, 1);
    assert.equal(third.state().files.length, 1);
  });

  test('without a data directory, close() removes the temp directory it made', async () => {
    const emu = await startEmulator();
    assert.ok(existsSync(emu.dataDir));
    await emu.close();
    await emu.close(); // idempotent
    assert.ok(!existsSync(emu.dataDir));
  });
});
