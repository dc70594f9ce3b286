/**
 * The S3 store against the emulator's S3 endpoint when things go wrong: a part damaged on the way
 * (BadDigest) is re-sent, SlowDown bursts and a reset mid-part are retried, wrong credentials give
 * a clear auth error naming the setting (and no secret), a part URL that expires mid-upload is
 * re-signed, an interrupted upload resumes sending only the parts ListParts does not show, and a
 * store without flexible checksums (Ceph RGW 16) completes "not verified by the store".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, UploadError } from '../../../src/errors/index.js';
import { defaultS3Settings } from '../../../src/emulator/s3/index.js';
import { drive } from './drive.js';
import { bytes, download, emulator, emulatorStore, MiB, sha256hex } from './helpers.js';

test('a part damaged on the way is refused with BadDigest and re-sent; the object is intact', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const data = bytes(12 * MiB, 2);
  const run = await drive(store, data, {
    mangle: (index, attempt, body) => {
      if (index === 1 && attempt === 1) body[1000] = (body[1000] ?? 0) ^ 0xff;
      return body;
    },
  });
  assert.deepEqual(run.attempts.filter((a) => a.status !== 200), [{ index: 1, status: 400, code: 'BadDigest' }]);
  assert.equal(run.stored?.verified, true);
  assert.equal(emu.state().s3.buckets[0]?.objects[0]?.sha256, sha256hex(data));
});

test('SlowDown bursts on parts and on control calls, and a reset mid-part, are retried', async (t) => {
  const emu = await emulator(t);
  emu.addFault({ route: 's3-create', action: 'status', status: 503, count: 2 });
  emu.addFault({ route: 's3-part', action: 'status', status: 503, count: 4 });
  emu.addFault({ route: 's3-part', action: 'reset', afterBytes: MiB, partNumber: 3 });
  emu.addFault({ route: 's3-complete', action: 'status', status: 503, count: 1 });
  const store = emulatorStore(t, emu);
  const data = bytes(17 * MiB, 3);
  const run = await drive(store, data);
  assert.equal(run.attempts.filter((a) => a.code === 'SlowDown').length, 4);
  assert.ok(run.attempts.some((a) => a.index === 2 && a.status !== 200 && a.code !== 'SlowDown'), 'the reset part was tried again');
  assert.equal(run.stored?.verified, true);
  assert.equal(emu.state().s3.buckets[0]?.objects[0]?.sha256, sha256hex(data));
});

test('wrong credentials: a clear auth error that names the setting and prints no secret', async (t) => {
  const emu = await emulator(t);
  const secret = 'this-is-not-the-secret-0123456789';
  const wrongSecret = emulatorStore(t, emu, { credentials: { accessKeyId: 'GENESYSEMULATORDEMO0', secretAccessKey: secret } });
  const error = await drive(wrongSecret, bytes(6 * MiB)).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AuthError, String(error));
  assert.equal(error.code, 'auth.s3_signature');
  assert.equal(error.remoteCode, 'SignatureDoesNotMatch');
  assert.match(error.message, /AWS_SECRET_ACCESS_KEY/);
  assert.doesNotMatch(`${error.message} ${JSON.stringify(error.toJSON())}`, new RegExp(secret));

  const unknownKey = emulatorStore(t, emu, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: secret } });
  const error2 = await drive(unknownKey, bytes(6 * MiB)).then(() => undefined, (e: unknown) => e);
  assert.ok(error2 instanceof AuthError);
  assert.equal(error2.code, 'auth.s3_access_key');
  assert.match(error2.message, /AWS_ACCESS_KEY_ID/);
  assert.doesNotMatch(`${error2.message} ${JSON.stringify(error2.toJSON())}`, new RegExp(secret));
  assert.equal(error2.kind, 'auth');
});

test("a part URL that expires mid-upload (the store's clock moved on) is re-signed once and the upload completes", async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu, { partUrlLifetimeSeconds: 60 });
  const data = bytes(16 * MiB, 4);
  const run = await drive(store, data, {
    concurrency: 1,
    beforePut: (index, attempt) => {
      if (index === 2 && attempt === 1) emu.advanceClock(20 * 60_000);
    },
  });
  const refused = run.attempts.filter((a) => a.status === 403);
  assert.deepEqual(refused, [{ index: 2, status: 403, code: 'AccessDenied' }]);
  assert.equal(run.events.filter((e) => e.type === 'url-refreshed').length, 1);
  assert.equal(run.stored?.verified, true);
  // The link is dated on the store's clock too, so it works now.
  assert.equal((await download(run.stored?.link?.url ?? '')).status, 200);
});

test('a single PutObject whose URL expired before it was sent is re-signed once and stored', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu, { partUrlLifetimeSeconds: 60 });
  const data = bytes(2 * MiB, 9);
  const run = await drive(store, data, {
    beforePut: (_index, attempt) => {
      if (attempt === 1) emu.advanceClock(20 * 60_000);
    },
  });
  assert.deepEqual(run.attempts.filter((a) => a.status === 403), [{ index: 0, status: 403, code: 'AccessDenied' }]);
  assert.equal(run.events.filter((e) => e.type === 'url-refreshed').length, 1);
  assert.equal(run.stored?.verified, true);
  assert.equal((await download(run.stored?.link?.url ?? '')).status, 200);
});

test('resume after an interruption sends only the parts ListParts does not show', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const data = bytes(22 * MiB, 5);
  const first = await drive(store, data, { concurrency: 1, crashAfter: 3 });
  assert.deepEqual(first.sent, [0, 1, 2]);
  assert.equal(first.stored, undefined);
  const state = first.session.state();
  assert.deepEqual(emu.state().s3.uploads[0]?.parts.map((p) => p.partNumber), [1, 2, 3], 'the emulator holds three parts');

  const second = await drive(store, data, { resume: state });
  assert.equal(second.session.resumed, true);
  assert.deepEqual([...second.session.held.keys()], [0, 1, 2]);
  assert.deepEqual(second.sent.sort(), [3, 4]);
  assert.equal(second.stored?.verified, true);
  assert.equal(emu.state().s3.buckets[0]?.objects[0]?.sha256, sha256hex(data));

  // Completed: the store forgot the upload, so resuming it again starts over.
  assert.equal(await store.resume(state, { fileName: 'file.bin', contentType: 'application/octet-stream', size: data.length }, { signal: new AbortController().signal, retry: { limit: 0 } as never, emit: () => {} }), undefined);
});

test('discard aborts a journalled multipart upload', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const first = await drive(store, bytes(11 * MiB, 6), { concurrency: 1, crashAfter: 1 });
  assert.equal(emu.state().s3.uploads.length, 1);
  await store.discard(first.session.state());
  assert.equal(emu.state().s3.uploads.length, 0);
});

test('a store without flexible checksums (Ceph RGW 16): completes as "not verified by the store", never a failure', async (t) => {
  const emu = await emulator(t, { s3: { ...defaultS3Settings(), flavor: 'rgw16' } });
  const store = emulatorStore(t, emu);
  for (const size of [11 * MiB, 2 * MiB]) {
    const data = bytes(size, 7);
    const run = await drive(store, data);
    assert.equal(run.stored?.verified, false);
    assert.equal(run.stored?.sha256, sha256hex(data));
    const got = await download(run.stored?.link?.url ?? '');
    assert.equal(sha256hex(got.body), sha256hex(data));
    if (size > 5 * MiB) {
      // RGW answers ListParts on a finished upload with 404 NoSuchKey: forgotten, start over.
      const step = { signal: new AbortController().signal, retry: { limit: 0 } as never, emit: () => {} };
      assert.equal(await store.resume(run.session.state(), { fileName: 'file.bin', contentType: 'application/octet-stream', size }, step), undefined);
    }
  }
});

test('an upload the store forgot: resume answers undefined (start over); other failures are UploadErrors', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const first = await drive(store, bytes(11 * MiB, 8), { concurrency: 1, crashAfter: 1 });
  await store.discard(first.session.state());
  const step = { signal: new AbortController().signal, retry: { limit: 0 } as never, emit: () => {} };
  assert.equal(await store.resume(first.session.state(), { fileName: 'file.bin', contentType: 'application/octet-stream', size: 11 * MiB }, step), undefined);
  const missingBucket = emulatorStore(t, emu, { location: 's3://no-such-bucket/x' });
  const error = await drive(missingBucket, bytes(6 * MiB)).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof UploadError);
  assert.equal(error.code, 'config.s3_bucket');
  assert.match(error.message, /GENESYS_UPLOAD_S3/);
});
