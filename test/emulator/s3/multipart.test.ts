/**
 * Multipart upload through the official AWS SDK: Create (SHA256), UploadPart (checksums
 * verified), ListParts (pagination), Complete (order, ETags, checksums, 5 MiB minimum, composite
 * answer), Abort, ListMultipartUploads; the state view shows it all.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand,
  HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { BUCKET, bytes, client, emulator, md5hex, MiB, sdkError, sha256b64, sha256hex } from './helpers.js';

async function create(s3: S3Client, key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: 'SHA256', ...extra }));
  assert.ok(out.UploadId);
  return out.UploadId;
}

interface Sent {
  PartNumber: number;
  ETag: string;
  ChecksumSHA256: string;
}

async function part(s3: S3Client, key: string, uploadId: string, n: number, data: Buffer): Promise<Sent> {
  const out = await s3.send(
    new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: n, Body: data, ChecksumSHA256: sha256b64(data) }),
  );
  return { PartNumber: n, ETag: out.ETag ?? '', ChecksumSHA256: out.ChecksumSHA256 ?? '' };
}

test('17 MiB in 5 MiB parts: composite checksum and multipart ETag as S3 computes them; the bytes download intact', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const data = bytes(17 * MiB);
  const key = 'dir/report 2026 (final).bin';
  const uploadId = await create(s3, key, {
    ContentType: 'application/pdf',
    ContentDisposition: "attachment; filename*=UTF-8''report%202026.pdf",
    Metadata: { sha256: sha256hex(data) },
  });
  const sizes = [5 * MiB, 5 * MiB, 5 * MiB, 2 * MiB];
  const parts: Sent[] = [];
  let offset = 0;
  for (const [i, size] of sizes.entries()) {
    const chunk = data.subarray(offset, offset + size);
    offset += size;
    const p = await part(s3, key, uploadId, i + 1, chunk);
    assert.equal(p.ETag, `"${md5hex(chunk)}"`);
    assert.equal(p.ChecksumSHA256, sha256b64(chunk));
    parts.push(p);
  }
  const state = emu.state().s3;
  assert.equal(state.uploads.length, 1);
  assert.deepEqual(state.uploads[0]?.parts.map((p) => p.size), sizes);
  assert.equal(state.uploads[0]?.checksumAlgorithm, 'SHA256');

  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  const digests = Buffer.concat(sizes.map((_, i) => Buffer.from(parts[i]?.ChecksumSHA256 ?? '', 'base64')));
  assert.equal(done.ChecksumSHA256, `${createHash('sha256').update(digests).digest('base64')}-4`);
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.ETag.replaceAll('"', ''), 'hex')));
  assert.equal(done.ETag, `"${createHash('md5').update(md5s).digest('hex')}-4"`);
  assert.equal(done.Key, key);

  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
  assert.equal(head.ContentLength, data.length);
  assert.equal(head.ChecksumSHA256, done.ChecksumSHA256);
  assert.equal(head.ContentType, 'application/pdf');
  assert.equal(head.ContentDisposition, "attachment; filename*=UTF-8''report%202026.pdf");
  assert.equal(head.Metadata?.sha256, sha256hex(data));

  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.equal(sha256hex(Buffer.from(await got.Body!.transformToByteArray())), sha256hex(data));
  const ranged = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: `bytes=${5 * MiB - 3}-${5 * MiB + 2}` }));
  assert.deepEqual(Buffer.from(await ranged.Body!.transformToByteArray()), data.subarray(5 * MiB - 3, 5 * MiB + 3));
  assert.equal(ranged.ContentRange, `bytes ${5 * MiB - 3}-${5 * MiB + 2}/${data.length}`);

  const view = emu.state().s3;
  assert.equal(view.uploads.length, 0);
  const object = view.buckets.find((b) => b.name === BUCKET)?.objects[0];
  assert.equal(object?.key, key);
  assert.equal(object?.size, data.length);
  assert.equal(object?.sha256, sha256hex(data));
  assert.equal(object?.checksumSHA256, done.ChecksumSHA256);
  assert.equal(object?.contentType, 'application/pdf');
  assert.equal(object?.parts, 4);
});

test('exactly 5 MiB, one part; a part size that is not a power of two', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  for (const [key, data, partSize] of [
    ['five', bytes(5 * MiB, 2), 5 * MiB],
    ['odd', bytes(5 * MiB * 2 + 12345, 3), 5 * MiB + 777],
  ] as const) {
    const uploadId = await create(s3, key);
    const parts: Sent[] = [];
    for (let n = 1, off = 0; off < data.length; n++, off += partSize) parts.push(await part(s3, key, uploadId, n, data.subarray(off, off + partSize)));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(sha256hex(Buffer.from(await got.Body!.transformToByteArray())), sha256hex(data), key);
  }
});

test('UploadPart: a checksum that does not match the bytes is 400 BadDigest and stores nothing; so is a wrong Content-MD5', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const uploadId = await create(s3, 'k');
  const data = bytes(1000);
  const bad = await sdkError(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId: uploadId, PartNumber: 1, Body: data, ChecksumSHA256: sha256b64(bytes(1000, 9)) })));
  assert.equal(bad.code, 'BadDigest');
  assert.equal(bad.status, 400);
  const badMd5 = await sdkError(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId: uploadId, PartNumber: 1, Body: data, ChecksumSHA256: sha256b64(data), ContentMD5: createHash('md5').update('x').digest('base64') })));
  assert.equal(badMd5.code, 'BadDigest');
  assert.equal(emu.state().s3.uploads[0]?.parts.length, 0);
  const noChecksum = await sdkError(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId: uploadId, PartNumber: 1, Body: data })));
  assert.equal(noChecksum.code, 'InvalidRequest', 'a SHA256 upload wants every part checksummed');
  const good = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId: uploadId, PartNumber: 1, Body: data, ChecksumSHA256: sha256b64(data), ContentMD5: createHash('md5').update(data).digest('base64') }));
  assert.equal(good.ETag, `"${md5hex(data)}"`);
  const unknown = await sdkError(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId: 'nope', PartNumber: 1, Body: data, ChecksumSHA256: sha256b64(data) })));
  assert.deepEqual([unknown.code, unknown.status], ['NoSuchUpload', 404]);
  const badNumber = await sdkError(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId: uploadId, PartNumber: 10001, Body: data, ChecksumSHA256: sha256b64(data) })));
  assert.equal(badNumber.code, 'InvalidArgument');
});

test('ListParts: number, size, ETag and ChecksumSHA256 per part, paginated with part-number-marker and max-parts', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const uploadId = await create(s3, 'paged');
  const sent: Sent[] = [];
  for (const n of [1, 2, 3, 5, 8]) sent.push(await part(s3, 'paged', uploadId, n, bytes(100 + n, n)));
  const first = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'paged', UploadId: uploadId, MaxParts: 2 }));
  assert.deepEqual(first.Parts?.map((p) => p.PartNumber), [1, 2]);
  assert.equal(first.IsTruncated, true);
  assert.equal(first.NextPartNumberMarker, '2');
  assert.equal(first.ChecksumAlgorithm, 'SHA256');
  const rest = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'paged', UploadId: uploadId, PartNumberMarker: first.NextPartNumberMarker }));
  assert.deepEqual(rest.Parts?.map((p) => p.PartNumber), [3, 5, 8]);
  assert.equal(rest.IsTruncated, false);
  const all = [...(first.Parts ?? []), ...(rest.Parts ?? [])];
  for (const [i, p] of all.entries()) {
    assert.equal(p.ETag, sent[i]?.ETag);
    assert.equal(p.ChecksumSHA256, sent[i]?.ChecksumSHA256);
    assert.equal(p.Size, 100 + (sent[i]?.PartNumber ?? 0));
  }
  // Re-sending a part replaces it.
  const again = await part(s3, 'paged', uploadId, 3, bytes(50, 42));
  const after = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'paged', UploadId: uploadId }));
  assert.equal(after.Parts?.find((p) => p.PartNumber === 3)?.ETag, again.ETag);
  assert.equal(after.Parts?.length, 5);
});

test('Complete: order, unknown or mismatched parts, missing checksums, parts under 5 MiB, then success and a retried Complete', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const uploadId = await create(s3, 'c');
  const p1 = await part(s3, 'c', uploadId, 1, bytes(5 * MiB, 1));
  const p2 = await part(s3, 'c', uploadId, 2, bytes(10, 2));
  const complete = (Parts: Array<{ PartNumber: number; ETag?: string; ChecksumSHA256?: string }>) =>
    sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'c', UploadId: uploadId, MultipartUpload: { Parts } })));
  assert.equal((await complete([p2, p1])).code, 'InvalidPartOrder');
  assert.equal((await complete([p1, { ...p2, PartNumber: 3 }])).code, 'InvalidPart');
  assert.equal((await complete([p1, { ...p2, ETag: `"${md5hex(Buffer.from('x'))}"` }])).code, 'InvalidPart');
  assert.equal((await complete([p1, { ...p2, ChecksumSHA256: sha256b64(Buffer.from('x')) }])).code, 'InvalidPart');
  assert.equal((await complete([p1, { PartNumber: 2, ETag: p2.ETag }])).code, 'InvalidRequest');
  // A small part that is not the last one.
  const small = await create(s3, 'small');
  const s1 = await part(s3, 'small', small, 1, bytes(5 * MiB - 1, 1));
  const s2 = await part(s3, 'small', small, 2, bytes(10, 2));
  const tooSmall = await sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId: small, MultipartUpload: { Parts: [s1, s2] } })));
  assert.deepEqual([tooSmall.code, tooSmall.status], ['EntityTooSmall', 400]);

  const ok = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'c', UploadId: uploadId, MultipartUpload: { Parts: [p1, p2] } }));
  // The same Complete again (its answer was lost): the same answer.
  const retried = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'c', UploadId: uploadId, MultipartUpload: { Parts: [p1, p2] } }));
  assert.equal(retried.ETag, ok.ETag);
  assert.equal(retried.ChecksumSHA256, ok.ChecksumSHA256);
  const listAfter = await sdkError(s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'c', UploadId: uploadId })));
  assert.deepEqual([listAfter.code, listAfter.status], ['NoSuchUpload', 404]);
});

test('Abort ends an upload and its parts; ListMultipartUploads lists the open ones', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const a = await create(s3, 'a');
  const b = await create(s3, 'b');
  await part(s3, 'a', a, 1, bytes(10));
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  assert.deepEqual(listed.Uploads?.map((u) => [u.Key, u.UploadId]), [['a', a], ['b', b]]);
  await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'a', UploadId: a }));
  assert.deepEqual(emu.state().s3.uploads.map((u) => u.key), ['b']);
  const again = await sdkError(s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'a', UploadId: a })));
  assert.equal(again.code, 'NoSuchUpload');
  const gone = await sdkError(s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'a', UploadId: a, PartNumber: 2, Body: bytes(5), ChecksumSHA256: sha256b64(bytes(5)) })));
  assert.equal(gone.code, 'NoSuchUpload');
});
