import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { sendFile, uploadFile } from '../../src/relay/index.js';
import { AuthError, IntegrityError, InterruptedError, RejectedError } from '../../src/errors/index.js';
import { KiB, recorder, withHarness } from './harness.js';

const small = { chunkSize: 64 * KiB, singleChunkMaxSize: 0 };

test('missing permission: AuthError naming the permission and where to add it', async () => {
  const limited = { id: 'limited', secret: 'limited-secret', permissions: ['messaging:guest', 'messaging:send'] as Array<'messaging:guest' | 'messaging:send'> };
  await withHarness({ clients: [limited] }, async (h) => {
    const source = await h.file(1000);
    await assert.rejects(sendFile(h.clientFor(limited.id, limited.secret), { filePath: source.path, to: ['x'] }), (error: unknown) => {
      assert.ok(error instanceof AuthError);
      assert.equal(error.code, 'auth.missing_permission');
      assert.match(error.message, /files:upload/);
      assert.match(error.message, /OAuth client/);
      assert.equal(error.status, 403);
      return true;
    });
  });
});

test('wrong client secret: AuthError pointing at GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET', async () => {
  await withHarness({}, async (h) => {
    const source = await h.file(1000);
    await assert.rejects(uploadFile(h.clientFor('demo-client', 'wrong'), { filePath: source.path }), (error: unknown) => {
      assert.ok(error instanceof AuthError);
      assert.match(error.message, /GENESYS_CLIENT_SECRET/);
      assert.ok(!error.message.includes('wrong'));
      return true;
    });
  });
});

test('a content type the org does not allow: RejectedError suggesting --content-type', async () => {
  await withHarness({}, async (h) => {
    const source = await h.file(1000);
    await assert.rejects(uploadFile(h.client, { filePath: source.path, contentType: 'application/x-msdownload' }), (error: unknown) => {
      assert.ok(error instanceof RejectedError);
      assert.equal(error.status, 415);
      assert.match(error.message, /application\/x-msdownload/);
      assert.match(error.message, /--content-type/);
      return true;
    });
  });
});

test('a file changed during the upload: IntegrityError, never completed, remote upload aborted', async () => {
  await withHarness(small, async (h) => {
    const source = await h.file(6 * 64 * KiB);
    const rec = recorder();
    let changed = false;
    await assert.rejects(
      uploadFile(h.client, {
        filePath: source.path,
        concurrency: 2,
        onEvent: (event) => {
          rec.onEvent(event);
          if (event.type === 'segment-stored' && !changed) {
            changed = true;
            appendFileSync(source.path, 'more bytes');
          }
        },
      }),
      (error: unknown) => error instanceof IntegrityError && error.code === 'integrity.file_changed',
    );
    const state = h.emulator.state();
    assert.equal(state.counters.complete?.requests ?? 0, 0, 'complete never called');
    assert.equal(state.files.length, 0);
    assert.equal(state.uploads[0]?.state, 'aborted');
    assert.equal(rec.of('aborting').length, 1);
  });
});

test('AbortSignal mid-upload: InterruptedError, in-flight requests stopped, remote upload aborted', async () => {
  await withHarness({ ...small, faults: [{ route: 'segment', action: 'stall', stallMs: 60_000, segmentIndex: 3 }] }, async (h) => {
    const source = await h.file(8 * 64 * KiB);
    const controller = new AbortController();
    const rec = recorder();
    const upload = uploadFile(h.client, {
      filePath: source.path,
      concurrency: 2,
      signal: controller.signal,
      onEvent: (event) => {
        rec.onEvent(event);
        // Segment 3 stalls on the server; abort while it is in flight.
        if (event.type === 'segment-stored' && event.index === 4) controller.abort();
      },
    });
    await assert.rejects(upload, InterruptedError);
    const status = await h.client.status(rec.of('initiated')[0]?.uploadId ?? '');
    assert.equal(status.state, 'aborted');
    assert.ok(!status.segments.some((s) => s.index === 3), 'the stalled segment was never stored');
    assert.equal(rec.of('aborting').length, 1);
    assert.equal(rec.of('completing').length, 0);
  });
});

test('keepOnError leaves the remote upload open', async () => {
  await withHarness({ ...small, faults: [{ route: 'segment', action: 'status', status: 400, segmentIndex: 1 }] }, async (h) => {
    const source = await h.file(3 * 64 * KiB);
    await assert.rejects(uploadFile(h.client, { filePath: source.path, keepOnError: true }), RejectedError);
    assert.equal(h.emulator.state().uploads[0]?.state, 'open');
  });
});
