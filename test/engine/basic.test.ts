import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendFile, uploadFile } from '../../src/relay/index.js';
import { RejectedError } from '../../src/errors/index.js';
import { KiB, MiB, recorder, withHarness } from './harness.js';

test('a plain upload is delivered byte for byte, with events in order and no bearer token sent to storage', async () => {
  await withHarness({ chunkSize: 256 * KiB, singleChunkMaxSize: 0 }, async (h) => {
    const source = await h.file(MiB + 100, 'quarterly report.pdf');
    const rec = recorder();
    const result = await sendFile(h.client, { filePath: source.path, to: ['+15550100'], text: 'hello', onEvent: rec.onEvent });
    assert.equal(result.sha256, source.sha256);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.equal(result.fileName, 'quarterly_report.pdf');
    assert.equal(result.contentType, 'application/pdf');
    assert.equal(result.size, MiB + 100);
    assert.equal(result.chunks, 5);
    assert.equal(result.chunkSize, 256 * KiB);
    assert.equal(result.retries, 0);
    assert.equal(result.bytesSent, MiB + 100);
    const types = rec.events.map((e) => e.type);
    assert.deepEqual(types, ['initiated', ...Array(5).fill('segment-stored'), 'completing', 'completed', 'delivering', 'delivered']);
    const stored = rec.of('segment-stored');
    assert.equal(stored.at(-1)?.bytesStored, MiB + 100);
    assert.deepEqual(new Set(stored.map((e) => e.index)), new Set([0, 1, 2, 3, 4]));
    const message = await h.client.getMessage(result.messageId);
    assert.deepEqual(message.to, ['+15550100']);
    assert.equal(message.attachments[0]?.id, result.fileId);
    assert.equal(message.attachments[0]?.sha256, source.sha256);
    const state = h.emulator.state();
    assert.equal(state.storageAuthorizationSeen, false);
    assert.equal(state.uploads[0]?.state, 'completed');
  });
});

test('odd chunk size (1 MiB + 7 bytes): segments follow the server, not a round number', async () => {
  await withHarness({ chunkSize: MiB + 7, singleChunkMaxSize: 0 }, async (h) => {
    const source = await h.file(3 * MiB + 3);
    const result = await uploadFile(h.client, { filePath: source.path });
    assert.equal(result.chunkSize, MiB + 7);
    assert.equal(result.chunks, 3);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.deepEqual(h.emulator.state().uploads[0]?.segments.map((s) => s.size), [MiB + 7, MiB + 7, MiB - 11]);
  });
});

test('a 1-byte file', async () => {
  await withHarness({}, async (h) => {
    const source = await h.file(1);
    const result = await uploadFile(h.client, { filePath: source.path });
    assert.equal(result.chunks, 1);
    assert.equal(result.chunkSize, 1);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
  });
});

test('a file of exactly maxChunks × chunkSize is accepted; one byte more is rejected before any PUT', async () => {
  await withHarness({ chunkSize: 64 * KiB, singleChunkMaxSize: 0, maxChunks: 8 }, async (h) => {
    const exact = await h.file(8 * 64 * KiB);
    const result = await uploadFile(h.client, { filePath: exact.path, concurrency: 3 });
    assert.equal(result.chunks, 8);
    assert.equal(await h.downloadedSha256(result.fileId), exact.sha256);

    const before = h.emulator.state().counters.segment?.requests ?? 0;
    const over = await h.file(8 * 64 * KiB + 1);
    await assert.rejects(uploadFile(h.client, { filePath: over.path }), (error: unknown) => {
      assert.ok(error instanceof RejectedError);
      assert.equal(error.status, 413);
      return true;
    });
    assert.equal(h.emulator.state().counters.segment?.requests ?? 0, before, 'no segment request for the rejected file');
  });
});

test('a known maximum file size rejects before contacting the server', async () => {
  await withHarness({}, async (h) => {
    const source = await h.file(1001);
    await assert.rejects(uploadFile(h.client, { filePath: source.path, maxFileSize: 1000 }), (error: unknown) => {
      assert.ok(error instanceof RejectedError);
      assert.match(error.message, /1001 bytes.*1000 bytes/);
      return true;
    });
    const { counters } = h.emulator.state();
    assert.equal(counters.initiate?.requests ?? 0, 0);
    assert.equal(counters.segment?.requests ?? 0, 0);
  });
});

test('64 MiB with the default chunking (5 MiB chunks above 10 MiB)', async () => {
  await withHarness({}, async (h) => {
    const source = await h.file(64 * MiB);
    const result = await uploadFile(h.client, { filePath: source.path });
    assert.equal(result.chunkSize, 5 * MiB);
    assert.equal(result.chunks, 13);
    assert.equal(result.sha256, source.sha256);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.equal(h.emulator.state().storageAuthorizationSeen, false);
  });
});
