/**
 * The same flows against s3rver 3.7.1, a third-party S3 fake that is not ours. It checks much less
 * than our emulator (no SigV4 signature check, no checksums, no ListParts or AbortMultipartUpload),
 * so what it proves is interoperability: our requests are S3 requests another implementation
 * parses — multipart create, pre-signed part and object PUTs, complete, head, pre-signed GET.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Transport } from '../../../src/destinations/s3/index.js';
import { AuthError } from '../../../src/errors/index.js';
import { runUpload } from '../../../src/upload/run-upload.js';
import { drive } from './drive.js';
import { bytes, download, MiB, s3rver, s3rverStore, sha256hex } from './helpers.js';

for (const [name, size, partSize] of [
  ['1 byte', 1, 5 * MiB],
  ['exactly 5 MiB', 5 * MiB, 5 * MiB],
  ['17 MiB with 5 MiB parts', 17 * MiB, 5 * MiB],
  ['13,000,001 bytes with 6,000,000-byte parts', 13_000_001, 6_000_000],
] as const) {
  test(`s3rver: ${name} — stored, "not verified by the store" (no checksums), the link downloads the same bytes`, async (t) => {
    const peer = await s3rver(t);
    const store = s3rverStore(t, peer.url, { partSize });
    const data = bytes(size, size);
    const run = await drive(store, data, { fileName: 'report 2026.pdf', contentType: 'application/pdf' });
    assert.ok(run.stored);
    assert.equal(run.stored.verified, false);
    const got = await download(run.stored.link?.url ?? '');
    assert.equal(got.status, 200);
    assert.equal(sha256hex(got.body), sha256hex(data));
    assert.equal(got.headers['content-type'], 'application/pdf');
  });
}

test('s3rver: a resume on a store without ListParts starts over, and the fresh upload completes', async (t) => {
  const peer = await s3rver(t);
  const store = s3rverStore(t, peer.url);
  const data = bytes(11 * MiB, 21);
  const first = await drive(store, data, { concurrency: 1, crashAfter: 1 });
  const step = { signal: new AbortController().signal, retry: { limit: 0 } as never, emit: () => {} };
  assert.equal(await store.resume(first.session.state(), { fileName: 'file.bin', contentType: 'application/octet-stream', size: data.length }, step), undefined);
  const run = await drive(store, data);
  assert.equal(sha256hex((await download(run.stored?.link?.url ?? '')).body), sha256hex(data));
});

test('s3rver: an unknown access key is a clear auth error naming the setting', async (t) => {
  const peer = await s3rver(t);
  const secret = 'not-the-secret-9876543210';
  const store = s3rverStore(t, peer.url, { credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: secret } });
  const error = await drive(store, bytes(6 * MiB)).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof AuthError, String(error));
  assert.equal(error.code, 'auth.s3_access_key');
  assert.match(error.message, /AWS_ACCESS_KEY_ID/);
  assert.doesNotMatch(JSON.stringify(error.toJSON()), new RegExp(secret));
});

test('s3rver through the real engine: 17 MiB in 5 MiB parts over pre-signed URLs, the link downloads the same bytes', async (t) => {
  const peer = await s3rver(t);
  const store = s3rverStore(t, peer.url);
  const transport = createS3Transport();
  t.after(() => transport.close());
  const dir = await mkdtemp(join(tmpdir(), 's3rver-engine-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = bytes(17 * MiB, 22);
  await writeFile(join(dir, 'data.bin'), data);
  const result = await runUpload(store, transport, { filePath: join(dir, 'data.bin'), concurrency: 3 });
  assert.equal(result.chunks, 4);
  assert.equal(result.stored.verified, false);
  assert.equal(sha256hex((await download(result.stored.link?.url ?? '')).body), sha256hex(data));
});
