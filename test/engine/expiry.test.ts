import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendFile, uploadFile } from '../../src/relay/index.js';
import { KiB, recorder, withHarness } from './harness.js';

const small = { chunkSize: 64 * KiB, singleChunkMaxSize: 0 };

test('a token that expires during the upload: 401, one fresh token, the call repeated once', async () => {
  await withHarness({ ...small, tokenTtlSeconds: 60 }, async (h) => {
    const source = await h.file(4 * 64 * KiB);
    let advanced = false;
    const result = await sendFile(h.client, {
      filePath: source.path,
      to: ['+15550100'],
      concurrency: 1,
      onEvent: (event) => {
        // Move the emulator's clock past the token's lifetime while segments are being sent.
        if (event.type === 'segment-stored' && !advanced) {
          advanced = true;
          h.emulator.advanceClock(120_000);
        }
      },
    });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    const log = h.emulator.state().requestLog;
    const unauthorized = log.filter((e) => e.status === 401);
    assert.equal(unauthorized.length, 1, 'only the first call after expiry saw 401');
    assert.equal(unauthorized[0]?.route, 'complete');
    assert.equal(h.client.tokenFetches(), 2);
    assert.equal(h.emulator.state().storageAuthorizationSeen, false);
  });
});

test('a pre-signed URL that expires during the upload is refreshed once (shared) and the segments re-sent', async () => {
  await withHarness({ ...small, urlTtlSeconds: 60 }, async (h) => {
    const source = await h.file(8 * 64 * KiB);
    const rec = recorder();
    let advanced = false;
    const result = await uploadFile(h.client, {
      filePath: source.path,
      concurrency: 4,
      onEvent: (event) => {
        rec.onEvent(event);
        if (event.type === 'segment-stored' && !advanced) {
          advanced = true;
          h.emulator.advanceClock(120_000);
        }
      },
    });
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.equal(rec.of('url-refreshed').length, 1, 'one refresh for all workers');
    const log = h.emulator.state().requestLog;
    assert.ok(log.some((e) => e.route === 'segment' && e.status === 403));
    assert.equal(log.filter((e) => e.route === 'status').length, 1);
  });
});
