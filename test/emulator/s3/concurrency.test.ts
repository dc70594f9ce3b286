/**
 * Parts in parallel, as the link store sends them: eight pre-signed UploadPart PUTs at once over
 * raw undici, some of them the same part number twice, then a Complete; and an Abort racing
 * in-flight parts leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BUCKET, bytes, client, emulator, MiB, raw, sha256b64, sha256hex } from './helpers.js';

test('eight parts in flight at once (two of them twice) complete into the right bytes', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const data = bytes(8 * 5 * MiB + 1234, 11);
  const partSize = 5 * MiB;
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'parallel', ChecksumAlgorithm: 'SHA256' }));
  const count = Math.ceil(data.length / partSize);
  const put = async (n: number) => {
    const chunk = data.subarray((n - 1) * partSize, n * partSize);
    const sum = sha256b64(chunk);
    const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket: BUCKET, Key: 'parallel', UploadId, PartNumber: n, ChecksumSHA256: sum }), {
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    });
    const res = await raw(url, 'PUT', { body: chunk, headers: { 'x-amz-checksum-sha256': sum } });
    assert.equal(res.status, 200, res.text);
    return { PartNumber: n, ETag: String(res.headers.etag), ChecksumSHA256: sum };
  };
  const numbers = [...Array(count).keys()].map((i) => i + 1);
  const sent = await Promise.all([...numbers, 2, 7].map(put));
  const parts = numbers.map((n) => sent.find((p) => p.PartNumber === n)!);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'parallel', UploadId, MultipartUpload: { Parts: parts } }));
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'parallel' }));
  assert.equal(sha256hex(Buffer.from(await got.Body!.transformToByteArray())), sha256hex(data));
  assert.equal(emu.state().s3.buckets[0]?.objects[0]?.parts, count);
});

test('an Abort racing parts in flight: every part ends stored-then-dropped or refused, the upload is gone', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'race', ChecksumAlgorithm: 'SHA256' }));
  const chunk = bytes(MiB, 3);
  const sum = sha256b64(chunk);
  const sends = [1, 2, 3, 4].map((n) =>
    s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'race', UploadId, PartNumber: n, Body: chunk, ChecksumSHA256: sum })).then(
      () => 'stored',
      (e: { name: string }) => e.name,
    ),
  );
  await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'race', UploadId }));
  const outcomes = await Promise.all(sends);
  for (const o of outcomes) assert.ok(o === 'stored' || o === 'NoSuchUpload', o);
  assert.equal(emu.state().s3.uploads.length, 0);
});
