/**
 * Issue 8 §3.2: API keys are scoped. A job belongs to the key that created it; another key
 * cannot list, read, watch, retry, resume, append to or terminate it (it is "not found"); an
 * admin key sees and acts on all. The job database keeps a hash of the key, never the key.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createUpload, http, jobIdOf, patch, startTestService, TUS } from './helpers.js';

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef00';
const ADMIN = 'admin-key-0123456789abcdef';
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

test('each key sees and acts on its own jobs only; an admin key on all; the store keeps no key', async () => {
  const t = await startTestService({ apiKeys: [ALICE, BOB], adminKeys: [ADMIN] });
  try {
    const aliceUrl = await createUpload(t.url, 10, { filename: 'alice.pdf', to: '+15550100', text: 'for alice' }, auth(ALICE));
    const bobUrl = await createUpload(t.url, 10, { filename: 'bob.pdf', to: '+15550101' }, auth(BOB));
    const aliceId = jobIdOf(aliceUrl);
    const bobId = jobIdOf(bobUrl);

    const list = async (key: string) => ((await http(`${t.url}/api/jobs`, { headers: auth(key) })).json as { jobs: Array<{ id: string }> }).jobs.map((job) => job.id);
    assert.deepEqual(await list(ALICE), [aliceId]);
    assert.deepEqual(await list(BOB), [bobId]);
    assert.deepEqual((await list(ADMIN)).sort(), [aliceId, bobId].sort());

    // Bob cannot read, watch, retry, resume, append to or terminate Alice's job.
    assert.equal((await http(`${t.url}/api/jobs/${aliceId}`, { headers: auth(BOB) })).status, 404);
    assert.equal((await http(`${t.url}/api/jobs/${aliceId}/events`, { headers: auth(BOB) })).status, 404);
    assert.equal((await http(`${t.url}/api/jobs/${aliceId}/events?key=${BOB}`)).status, 404);
    assert.equal((await http(`${t.url}/api/jobs/${aliceId}/retry`, { method: 'POST', headers: auth(BOB) })).status, 404);
    assert.equal((await http(aliceUrl, { method: 'HEAD', headers: { ...TUS, ...auth(BOB) } })).status, 404);
    assert.equal((await patch(aliceUrl, 0, Buffer.alloc(10), auth(BOB))).status, 404);
    assert.equal((await http(aliceUrl, { method: 'DELETE', headers: { ...TUS, ...auth(BOB) } })).status, 404);
    const alice = await http(`${t.url}/api/jobs/${aliceId}`, { headers: auth(ALICE) });
    assert.equal(alice.status, 200);
    assert.equal((alice.json as { state: string }).state, 'receiving');

    // The admin reads both, and may terminate Bob's upload.
    assert.equal((await http(`${t.url}/api/jobs/${aliceId}`, { headers: auth(ADMIN) })).status, 200);
    assert.equal((await http(bobUrl, { method: 'DELETE', headers: { ...TUS, ...auth(ADMIN) } })).status, 204);
    assert.equal(((await http(`${t.url}/api/jobs/${bobId}`, { headers: auth(BOB) })).json as { state: string }).state, 'failed');

    // Alice finishes her own upload.
    assert.equal((await patch(aliceUrl, 0, Buffer.alloc(10, 1), auth(ALICE))).status, 204);

    // The job database holds hashes, never a key.
    const database = await readFile(join(t.dir, 'state', 'jobs.sqlite3'));
    const wal = await readFile(join(t.dir, 'state', 'jobs.sqlite3-wal')).catch(() => Buffer.alloc(0));
    for (const key of [ALICE, BOB, ADMIN]) {
      assert.ok(!database.includes(key) && !wal.includes(key), 'a key is stored in the job database');
    }
  } finally {
    await t.close();
  }
});
