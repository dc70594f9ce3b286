/**
 * Issue 8 §3.4: limits on intake. Creations are rate-limited per key (429 + Retry-After), the
 * unfinished intakes are capped (429), what they may still write must fit the spool disk's free
 * space (507), and finished jobs' rows and failed jobs' spool files are removed after the
 * retention. (Unknown metadata keys and oversized metadata: tus-protocol.test.ts.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createUpload, encodeMetadata, followJob, h, http, jobIdOf, patch, startTestService, terminal, TUS } from './helpers.js';

const A = 'key-a-0123456789abcdef';
const B = 'key-b-0123456789abcdef';
const create = (base: string, size: number, headers: Record<string, string> = {}) =>
  http(`${base}/files/`, { method: 'POST', headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': encodeMetadata({ filename: 'a.pdf', to: '+15550100' }), ...headers } });

test('creations per minute per key: 429 with Retry-After, refilled over time; another key is not affected', async () => {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const t = await startTestService({ createRatePerMinute: 5, apiKeys: [A, B], clock: { now: () => now } });
  try {
    const a = { authorization: `Bearer ${A}` };
    for (let i = 0; i < 5; i += 1) assert.equal((await create(t.url, 10, a)).status, 201);
    const limited = await create(t.url, 10, a);
    assert.equal(limited.status, 429);
    assert.equal(h(limited, 'retry-after'), '12');
    assert.equal((await create(t.url, 10, { authorization: `Bearer ${B}` })).status, 201);
    now += 12_000;
    assert.equal((await create(t.url, 10, a)).status, 201);
    assert.equal((await create(t.url, 10, a)).status, 429);
  } finally {
    await t.close();
  }
});

test('unfinished intakes are capped (429); reserved bytes must fit the free space (507)', async () => {
  const t = await startTestService({ maxIntakes: 3, maxSize: Number.MAX_SAFE_INTEGER, minFreeSpace: 0 });
  try {
    const urls = [await createUpload(t.url, 5), await createUpload(t.url, 5), await createUpload(t.url, 5)];
    const capped = await create(t.url, 5);
    assert.equal(capped.status, 429);
    assert.ok(h(capped, 'retry-after'));
    assert.equal((await patch(urls[0]!, 0, Buffer.from('12345'))).status, 204); // one intake completes
    assert.equal((await create(t.url, 5)).status, 201);
    for (const url of urls.slice(1)) assert.equal((await http(url, { method: 'DELETE', headers: TUS })).status, 204);

    const fs = await statfs(join(t.dir, 'spool'));
    const free = fs.bavail * fs.bsize;
    // (Other processes change the free space meanwhile: margins, not exact sizes.)
    assert.equal((await create(t.url, free * 2)).status, 507);
    // Two uploads of 60 % each: the first reserves its bytes, the second no longer fits.
    const share = Math.floor(free * 0.6);
    assert.equal((await create(t.url, share)).status, 201);
    const second = await create(t.url, share);
    assert.equal(second.status, 507);
    assert.match(second.text, /Not enough space/);
  } finally {
    await t.close();
  }
});

test('retention: finished jobs past it are removed, with a failed job\'s spool file', async () => {
  let now = Date.now();
  // Relays after intake: the one-off refusal of the initiate must fail the job's relay.
  const t = await startTestService({ retentionMs: 60_000, clock: { now: () => now }, relayWhileReceiving: false });
  try {
    const delivered = randomBytes(5000);
    const deliveredUrl = await createUpload(t.url, delivered.length);
    assert.equal((await patch(deliveredUrl, 0, delivered)).status, 204);
    assert.equal((await followJob(t.url, jobIdOf(deliveredUrl), terminal)).at(-1)!.data.state, 'delivered');

    t.service.emulator!.addFault({ route: 'initiate', action: 'status', status: 403, count: 1 });
    const failed = randomBytes(5000);
    const failedUrl = await createUpload(t.url, failed.length);
    assert.equal((await patch(failedUrl, 0, failed)).status, 204);
    assert.equal((await followJob(t.url, jobIdOf(failedUrl), terminal)).at(-1)!.data.state, 'failed');
    const spoolFile = join(t.dir, 'spool', 'intake', jobIdOf(failedUrl));
    assert.ok(existsSync(spoolFile), 'a failed job keeps its file for a retry');

    now += 59_000;
    assert.equal(await t.service.sweepRetention(), 0);
    now += 2000;
    assert.equal(await t.service.sweepRetention(), 2);
    assert.equal((await http(`${t.url}/api/jobs/${jobIdOf(deliveredUrl)}`)).status, 404);
    assert.equal((await http(`${t.url}/api/jobs/${jobIdOf(failedUrl)}`)).status, 404);
    assert.ok(!existsSync(spoolFile));
    assert.ok(!existsSync(`${spoolFile}.json`));
  } finally {
    await t.close();
  }
});
