import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadFile } from '../../src/relay/index.js';
import { KiB, recorder, withHarness } from './harness.js';

test('storage SlowDown lowers the in-flight limit and rate for the whole upload, then they recover', async () => {
  await withHarness({ chunkSize: 16 * KiB, singleChunkMaxSize: 0, storageRateLimitPerSecond: 8 }, async (h) => {
    const source = await h.file(40 * 16 * KiB);
    const rec = recorder();
    const result = await uploadFile(h.client, { filePath: source.path, concurrency: 4, onEvent: rec.onEvent });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    const adjusted = rec.of('rate-adjusted');
    assert.ok(adjusted.length > 0, 'the controller reacted');
    assert.ok(adjusted.some((e) => e.inFlightLimit < 4), JSON.stringify(adjusted));
    assert.ok(adjusted.some((e) => e.requestsPerSecond !== null && e.requestsPerSecond <= 8));
    const slowDowns = h.emulator.state().requestLog.filter((e) => e.route === 'segment' && e.status === 429).length;
    // Without a shared controller, four workers would each keep hitting the limit; with it the
    // 429s stay a small fraction of the 40 segments.
    assert.ok(slowDowns < 20, `${slowDowns} SlowDowns`);
    assert.equal(rec.of('retry').filter((r) => r.status === 429).length, slowDowns);
  });
});

test('maxRps caps the storage request rate from the start', async () => {
  await withHarness({ chunkSize: 16 * KiB, singleChunkMaxSize: 0, storageRateLimitPerSecond: 10 }, async (h) => {
    const source = await h.file(12 * 16 * KiB);
    const result = await uploadFile(h.client, { filePath: source.path, concurrency: 4, maxRps: 8 });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.equal(h.emulator.state().requestLog.filter((e) => e.status === 429).length, 0);
  });
});
