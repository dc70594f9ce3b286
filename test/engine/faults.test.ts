import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendFile, uploadFile } from '../../src/relay/index.js';
import { TransientError } from '../../src/errors/index.js';
import { KiB, recorder, withHarness } from './harness.js';

const small = { chunkSize: 64 * KiB, singleChunkMaxSize: 0 };

test('bursts of 429 with Retry-After: every retried request arrives at least Retry-After later', async () => {
  await withHarness(
    {
      ...small,
      faults: [
        { route: 'segment', action: 'status', status: 429, retryAfter: 1, count: 2 },
        { route: 'initiate', action: 'status', status: 429, retryAfter: 1, count: 1 },
      ],
    },
    async (h) => {
      const source = await h.file(3 * 64 * KiB);
      const rec = recorder();
      const result = await uploadFile(h.client, { filePath: source.path, concurrency: 1, onEvent: rec.onEvent });
      assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
      const log = h.emulator.state().requestLog.filter((e) => e.route === 'segment' || e.route === 'initiate');
      const limited = log.filter((e) => e.status === 429);
      assert.equal(limited.length, 3);
      for (const entry of limited) {
        const next = log.find((e) => e.route === entry.route && e.at >= entry.at && e !== entry && log.indexOf(e) > log.indexOf(entry));
        assert.ok(next !== undefined, 'the request was retried');
        assert.ok(next.at - entry.at >= 1000, `retried ${next.at - entry.at} ms after a 429 with Retry-After: 1`);
      }
      const retries = rec.of('retry');
      assert.equal(retries.length, 3);
      assert.ok(retries.every((r) => r.delayMs === 1000 && r.status === 429));
      assert.deepEqual(retries.map((r) => r.route).sort(), ['api', 'storage', 'storage']);
      assert.equal(result.retries, 3);
    },
  );
});

test('503s from storage and from complete are retried', async () => {
  await withHarness(
    {
      ...small,
      faults: [
        { route: 'segment', action: 'status', status: 503, retryAfter: 0, count: 3 },
        { route: 'segment', action: 'status', status: 500, count: 1 },
        { route: 'complete', action: 'status', status: 503, retryAfter: 0, count: 1 },
        { route: 'status', action: 'status', status: 502, count: 1 },
      ],
    },
    async (h) => {
      const source = await h.file(5 * 64 * KiB + 1);
      const result = await uploadFile(h.client, { filePath: source.path });
      assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
      assert.equal(result.retries, 5);
      assert.equal(h.emulator.state().files.length, 1);
    },
  );
});

test('connections reset mid-body are retried with the same bytes', async () => {
  await withHarness({ ...small, faults: [{ route: 'segment', action: 'reset', afterBytes: 10_000, count: 3 }] }, async (h) => {
    const source = await h.file(4 * 64 * KiB);
    const rec = recorder();
    const result = await uploadFile(h.client, { filePath: source.path, onEvent: rec.onEvent });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    const retries = rec.of('retry');
    assert.equal(retries.length, 3);
    assert.ok(retries.every((r) => r.route === 'storage' && r.segmentIndex !== undefined && r.code !== undefined), JSON.stringify(retries));
    assert.ok(result.bytesSent > source.sha256.length && result.bytesSent <= 4 * 64 * KiB + 3 * 64 * KiB);
  });
});

test('a corrupted stored segment is reported by complete, re-sent, and the upload succeeds', async () => {
  await withHarness({ ...small, faults: [{ route: 'segment', action: 'corrupt', segmentIndex: 1 }] }, async (h) => {
    const source = await h.file(3 * 64 * KiB);
    const rec = recorder();
    const result = await uploadFile(h.client, { filePath: source.path, onEvent: rec.onEvent });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.deepEqual(rec.of('completing').map((e) => e.round), [1, 2]);
    const stored = rec.of('segment-stored').map((e) => e.index);
    assert.equal(stored.filter((i) => i === 1).length, 2, 'segment 1 sent twice');
    assert.equal(stored.length, 4);
  });
});

test("complete's lost response is retried (complete is idempotent): exactly one file", async () => {
  await withHarness({ ...small, faults: [{ route: 'complete', action: 'lose-response' }] }, async (h) => {
    const source = await h.file(2 * 64 * KiB);
    const result = await sendFile(h.client, { filePath: source.path, to: ['a@example.com'] });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    const state = h.emulator.state();
    assert.equal(state.files.length, 1);
    assert.equal(state.counters.complete?.requests, 2);
    assert.equal(state.messages.length, 1);
  });
});

test('a reset on initiate is not retried (could duplicate); a lost message answer is settled by asking, never by sending blindly', async () => {
  await withHarness({ ...small, faults: [{ route: 'initiate', action: 'reset' }] }, async (h) => {
    const source = await h.file(1000);
    await assert.rejects(uploadFile(h.client, { filePath: source.path }), (error: unknown) => {
      assert.ok(error instanceof TransientError);
      assert.equal(error.code, 'network.not_retried');
      return true;
    });
    assert.equal(h.emulator.state().counters.initiate?.requests, 1);
  });
  await withHarness({ ...small, faults: [{ route: 'message', action: 'lose-response' }] }, async (h) => {
    const source = await h.file(1000);
    const result = await sendFile(h.client, { filePath: source.path, to: ['x'] });
    const state = h.emulator.state();
    assert.equal(state.counters.message?.requests, 1);
    assert.equal(state.messages.length, 1, 'the server did send it; we did not send it twice');
    assert.equal(result.messageId, state.messages[0]!.id, 'found by asking the guest\'s messages');
  });
  await withHarness({ ...small, faults: [{ route: 'message', action: 'reset', afterBytes: 10 }] }, async (h) => {
    const source = await h.file(1000);
    const result = await sendFile(h.client, { filePath: source.path, to: ['x'] });
    const state = h.emulator.state();
    assert.equal(state.counters.message?.requests, 2, 'asked, not found, sent again');
    assert.equal(state.messages.length, 1);
    assert.equal(result.messageId, state.messages[0]!.id);
  });
});

test('retry exhaustion: a TransientError saying how many attempts over how long', async () => {
  await withHarness({ ...small, faults: [{ route: 'segment', action: 'status', status: 500, count: 100 }] }, async (h) => {
    const source = await h.file(1000);
    const rec = recorder();
    await assert.rejects(uploadFile(h.client, { filePath: source.path, retry: { limit: 2 }, onEvent: rec.onEvent }), (error: unknown) => {
      assert.ok(error instanceof TransientError);
      assert.match(error.message, /after 3 attempts over \d+\.\d s/);
      assert.equal(error.status, 500);
      return true;
    });
    assert.equal(rec.of('aborting').length, 1);
    assert.equal(h.emulator.state().uploads[0]?.state, 'aborted');
  });
});
