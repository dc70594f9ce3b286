/**
 * The S3 store through the real engine (runUpload over the seam, its part transport, buffer pool,
 * workers, retries and AIMD) against the emulator's S3 endpoint: a whole upload, a part damaged on
 * the way, SlowDown bursts and a reset, an expired part URL, and an interrupted upload resumed
 * with only the missing parts sent (ListParts on the emulator).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createS3Transport, type S3LinkStore } from '../../../src/destinations/s3/index.js';
import type { UploadEvent } from '../../../src/upload/events.js';
import type { PartTransport } from '../../../src/upload/put-part.js';
import { runUpload, type RunUploadOptions } from '../../../src/upload/run-upload.js';
import { BUCKET, bytes, download, emulator, emulatorStore, MiB, sha256hex } from './helpers.js';

async function file(t: TestContext, data: Buffer, name = 'big report.bin'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 's3-engine-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

function transport(t: TestContext): PartTransport {
  const tr = createS3Transport();
  t.after(() => tr.close());
  return tr;
}

const fast = { baseDelayMs: 5, maxDelayMs: 50 };

async function upload(store: S3LinkStore, tr: PartTransport, path: string, extra: Partial<RunUploadOptions> = {}) {
  const events: UploadEvent[] = [];
  const result = await runUpload(store, tr, { filePath: path, concurrency: 3, retry: fast, onEvent: (e) => events.push(e), ...extra });
  return { result, events };
}

test('engine: 17 MiB in 5 MiB parts, verified by the store, the link downloads the same bytes', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const data = bytes(17 * MiB, 31);
  const { result } = await upload(store, transport(t), await file(t, data));
  assert.equal(result.chunks, 4);
  assert.equal(result.stored.verified, true);
  assert.equal(result.stored.sha256, sha256hex(data));
  assert.equal(result.bytesSent, data.length);
  const got = await download(result.stored.link?.url ?? '');
  assert.equal(sha256hex(got.body), sha256hex(data));
  assert.match(String(got.headers['content-disposition']), /filename\*=UTF-8''big_report\.bin/);
  assert.equal(emu.state().s3.presignedRequests >= 5, true, 'parts went through pre-signed URLs');
});

test('engine: a part damaged on the way (BadDigest) is re-sent; SlowDown bursts and a reset are retried', async (t) => {
  const emu = await emulator(t);
  emu.addFault({ route: 's3-part', action: 'status', status: 503, count: 3, partNumber: 1 });
  emu.addFault({ route: 's3-part', action: 'reset', afterBytes: MiB, partNumber: 2 });
  const store = emulatorStore(t, emu);
  const real = transport(t);
  let mangled = 0;
  const damaging: PartTransport = {
    clock: real.clock,
    random: real.random,
    putPart: (request) => {
      // A faulty device flips a byte of part 3's first send; S3 answers BadDigest.
      if (mangled === 0 && request.url.includes('partNumber=3&')) {
        mangled++;
        const body = Buffer.from(request.body);
        body[7] = (body[7] ?? 0) ^ 1;
        return real.putPart({ ...request, body });
      }
      return real.putPart(request);
    },
  };
  const data = bytes(16 * MiB, 32);
  const { result, events } = await upload(store, damaging, await file(t, data));
  assert.equal(mangled, 1);
  assert.ok(events.some((e) => e.type === 'retry' && /BadDigest/.test(e.reason)), 'BadDigest re-sent');
  assert.ok(events.filter((e) => e.type === 'retry' && e.status === 503).length >= 3, 'SlowDown retried');
  assert.ok(events.some((e) => e.type === 'rate-adjusted'), 'SlowDown slowed the upload down (AIMD)');
  assert.equal(result.stored.verified, true);
  assert.equal(emu.state().s3.buckets[0]?.objects[0]?.sha256, sha256hex(data));
});

test('engine: a part URL that expires mid-upload is re-signed (one refresh) and the upload completes', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu, { partUrlLifetimeSeconds: 60 });
  const real = transport(t);
  let moved = false;
  const late: PartTransport = {
    clock: real.clock,
    random: real.random,
    putPart: (request) => {
      if (!moved && request.url.includes('partNumber=3&')) {
        moved = true;
        emu.advanceClock(20 * 60_000); // the store's clock moves on between signing and sending
      }
      return real.putPart(request);
    },
  };
  const data = bytes(16 * MiB, 33);
  const { result, events } = await upload(store, late, await file(t, data), { concurrency: 3 });
  assert.equal(events.filter((e) => e.type === 'url-refreshed').length, 1);
  assert.equal(result.stored.verified, true);
  assert.equal((await download(result.stored.link?.url ?? '')).status, 200);
});

test('engine: an interrupted upload kept open resumes from ListParts and sends only the missing parts', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const tr = transport(t);
  const data = bytes(26 * MiB, 34);
  const path = await file(t, data);
  const stop = new AbortController();
  let state: unknown;
  const first = await upload(store, tr, path, {
    concurrency: 1,
    keepOnError: true,
    signal: stop.signal,
    onEvent: (e) => {
      if (e.type === 'segment-stored' && e.index === 2) stop.abort();
    },
    recorder: {
      opened: (o: { state: unknown }) => {
        state = o.state;
      },
      segmentStored: () => {},
      completed: () => {},
    } as never,
  }).then(() => undefined, (e: unknown) => e);
  assert.equal((first as { kind?: string }).kind, 'interrupted');
  const held = emu.state().s3.uploads[0]?.parts.map((p) => p.partNumber);
  assert.deepEqual(held, [1, 2, 3]);

  const session = await store.resume(state as never, { fileName: 'big report.bin', contentType: 'application/octet-stream', size: data.length }, {
    signal: new AbortController().signal,
    retry: { limit: 0 } as never,
    emit: () => {},
  });
  assert.ok(session);
  const puts: string[] = [];
  const counting: PartTransport = { clock: tr.clock, random: tr.random, putPart: (r) => (puts.push(/partNumber=(\d+)/.exec(r.url)?.[1] ?? '?'), tr.putPart(r)) };
  const { result } = await upload(store, counting, path, { session });
  assert.deepEqual(puts.sort(), ['4', '5', '6']);
  assert.equal(result.resumed, true);
  assert.equal(result.bytesSkipped, 15 * MiB);
  assert.equal(result.stored.verified, true);
  const object = emu.state().s3.buckets.find((b) => b.name === BUCKET)?.objects[0];
  assert.equal(object?.sha256, sha256hex(data));
  assert.equal(emu.state().s3.uploads.length, 0);
});

test('engine: a failure that is not resumable aborts the multipart upload', async (t) => {
  const emu = await emulator(t);
  emu.addFault({ route: 's3-part', action: 'status', status: 400, partNumber: 2 });
  const store = emulatorStore(t, emu);
  const error = await upload(store, transport(t), await file(t, bytes(11 * MiB, 35))).then(() => undefined, (e: unknown) => e);
  assert.equal((error as { kind?: string }).kind, 'rejected');
  assert.equal(emu.state().s3.uploads.length, 0, 'aborted');
});
