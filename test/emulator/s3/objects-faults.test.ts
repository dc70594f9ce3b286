/**
 * Whole objects (PutObject with its checksum verified, GetObject with Range, HeadObject with
 * checksum mode, DeleteObject), raw-request error paths, S3 XML errors, and the fault rules on
 * the s3-* routes (503 SlowDown, reset mid-part, stall, corrupt-after-store), the settings patch
 * over the admin API and the rgw16 flavor.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListPartsCommand, PutObjectCommand, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BUCKET, bytes, client, codeOf, emulator, md5hex, MiB, raw, sdkError, sha256b64, sha256hex } from './helpers.js';

test('PutObject: 1 byte and a few MiB, checksum verified and answered; Head with checksum mode; Get with Range; Delete', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const one = Buffer.from([42]);
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'one', Body: one, ChecksumSHA256: sha256b64(one), ContentType: 'text/plain' }));
  assert.equal(put.ETag, `"${md5hex(one)}"`);
  assert.equal(put.ChecksumSHA256, sha256b64(one));
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'one' }));
  assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), one);

  const data = bytes(3 * MiB + 5);
  const bad = await sdkError(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'three', Body: data, ChecksumSHA256: sha256b64(one) })));
  assert.deepEqual([bad.code, bad.status], ['BadDigest', 400]);
  assert.equal(emu.state().s3.buckets[0]?.objects.length, 1, 'nothing stored');
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'three', Body: data, ChecksumSHA256: sha256b64(data), Metadata: { origin: 'test' } }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'three', ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumSHA256, sha256b64(data));
  assert.equal(head.ContentLength, data.length);
  assert.equal(head.Metadata?.origin, 'test');
  const plain = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'three' }));
  assert.equal(plain.ChecksumSHA256, undefined, 'the checksum only with x-amz-checksum-mode: ENABLED');
  const tail = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'three', Range: 'bytes=-10' }));
  assert.deepEqual(Buffer.from(await tail.Body!.transformToByteArray()), data.subarray(data.length - 10));
  const beyond = await sdkError(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'three', Range: `bytes=${data.length}-` })));
  assert.deepEqual([beyond.code, beyond.status], ['InvalidRange', 416]);
  const object = emu.state().s3.buckets[0]?.objects.find((o) => o.key === 'three');
  assert.equal(object?.sha256, sha256hex(data));
  assert.equal(object?.checksumType, 'FULL_OBJECT');

  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'three' }));
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'three' })); // absent: still 204
  const missing = await sdkError(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'three' })));
  assert.deepEqual([missing.code, missing.status], ['NoSuchKey', 404]);
  const headMissing = await sdkError(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'three' })));
  assert.equal(headMissing.status, 404);
});

test('raw error paths answer S3 XML with Code, Message and RequestId (= x-amz-request-id)', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'x', ChecksumAlgorithm: 'SHA256' }));
  const completeUrl = await getSignedUrl(s3, new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'x', UploadId, MultipartUpload: { Parts: [] } }), {
    unsignableHeaders: new Set(['content-length']), // the raw bodies below have other lengths
  });
  const malformed = await raw(completeUrl, 'POST', { body: '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>' });
  assert.equal(malformed.status, 400, `${completeUrl}\n${malformed.text}`);
  assert.equal(codeOf(malformed.text), 'MalformedXML');
  assert.match(malformed.text, /<Message>[^<]+<\/Message>/);
  assert.equal(/<RequestId>([^<]+)<\/RequestId>/.exec(malformed.text)?.[1], malformed.headers['x-amz-request-id']);
  assert.equal(malformed.headers['content-type'], 'application/xml');

  const partUrl = await getSignedUrl(s3, new UploadPartCommand({ Bucket: BUCKET, Key: 'x', UploadId, PartNumber: 1 }), {
    unsignableHeaders: new Set(['content-length']),
  });
  const chunked = await raw(partUrl, 'PUT', { body: (async function* () { yield Buffer.from('abc'); })() as unknown as Buffer, headers: { 'x-amz-checksum-sha256': sha256b64(Buffer.from('abc')) } });
  assert.deepEqual([chunked.status, codeOf(chunked.text)], [411, 'MissingContentLength']);
  const unsigned = await raw(`${emu.s3Url}/${BUCKET}/x?uploads`, 'POST');
  assert.deepEqual([unsigned.status, codeOf(unsigned.text)], [403, 'AccessDenied']);
  const listBuckets = await raw(`${emu.s3Url}/`, 'GET');
  assert.equal(listBuckets.status, 501);
});

test('faults: 503 SlowDown, a reset mid-part, a stall, and corrupt-after-store on s3-* routes', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'f', ChecksumAlgorithm: 'SHA256' }));
  const data = bytes(256 * 1024);
  const send = (n: number) => s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'f', UploadId, PartNumber: n, Body: data, ChecksumSHA256: sha256b64(data) }));

  emu.addFault({ route: 's3-part', action: 'status', status: 503, count: 2 });
  const slow = await sdkError(send(1));
  assert.deepEqual([slow.code, slow.status], ['SlowDown', 503]);
  assert.equal((await sdkError(send(1))).code, 'SlowDown');
  await send(1);

  emu.addFault({ route: 's3-part', action: 'reset', afterBytes: 1000, partNumber: 2 });
  await send(1); // another part number: not affected
  const reset = await sdkError(send(2));
  assert.match(reset.code + reset.message, /ECONNRESET|socket|closed|aborted/i);
  assert.deepEqual(emu.state().s3.uploads[0]?.parts.map((p) => p.partNumber), [1], 'nothing of the cut part is stored');
  await send(2);

  emu.addFault({ route: 's3-list', action: 'stall', stallMs: 300 });
  const started = Date.now();
  await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'f', UploadId }));
  assert.ok(Date.now() - started >= 250);

  // Corrupt after store: the part is answered and listed with the checksum of what arrived, the stored copy differs.
  emu.addFault({ route: 's3-part', action: 'corrupt', partNumber: 3 });
  const last = bytes(1000, 7);
  await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'f', UploadId, PartNumber: 3, Body: last, ChecksumSHA256: sha256b64(last) }));
  const stored = emu.state().s3.uploads[0]?.parts.find((p) => p.partNumber === 3);
  assert.equal(stored?.checksumSHA256, sha256b64(last));
  assert.notEqual(stored?.sha256, sha256hex(last));

  emu.addFault({ route: 's3-put', action: 'corrupt' });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'rotten', Body: data, ChecksumSHA256: sha256b64(data) }));
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'rotten' }));
  assert.notEqual(sha256hex(Buffer.from(await got.Body!.transformToByteArray())), sha256hex(data));

  // A lost Complete answer: the object exists; the retried Complete gets the same answer.
  emu.addFault({ route: 's3-complete', action: 'lose-response' });
  const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'f', UploadId }));
  const parts = (listed.Parts ?? []).slice(0, 1).map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag, ChecksumSHA256: p.ChecksumSHA256 }));
  const lost = await sdkError(s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'f', UploadId, MultipartUpload: { Parts: parts } })));
  assert.equal(lost.status, undefined, `no answer: ${lost.message}`);
  assert.equal(emu.state().s3.buckets[0]?.objects.find((o) => o.key === 'f')?.size, data.length);
  const again = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'f', UploadId, MultipartUpload: { Parts: parts } }));
  assert.match(again.ChecksumSHA256 ?? '', /-1$/);

  const counters = emu.state().counters['s3-part'];
  assert.equal(counters?.statuses['503'], 2);
  assert.ok(emu.state().requestLog.some((e) => e.route === 's3-part' && e.fault === 'reset'));
});

test('settings over the admin API: buckets and the rgw16 flavor (no checksums returned, empty Complete ETag, NoSuchKey after completion); secrets redacted', async (t) => {
  const emu = await emulator(t);
  const patch = await raw(`${emu.url}/__emulator/config`, 'PATCH', { body: JSON.stringify({ s3: { flavor: 'rgw16', buckets: ['genesys-uploads', 'second'] } }), headers: { 'content-type': 'application/json' } });
  assert.equal(patch.status, 200, patch.text);
  const config = JSON.parse(patch.text);
  assert.equal(config.s3.credentials[0].secretAccessKey, '***');
  assert.equal(config.s3.flavor, 'rgw16');
  const bad = await raw(`${emu.url}/__emulator/config`, 'PATCH', { body: JSON.stringify({ s3: { buckets: ['Bad_Name'] } }), headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);

  const s3 = client(emu);
  const key = 'legacy';
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'second', Key: key, ChecksumAlgorithm: 'SHA256' }));
  const data = bytes(100);
  // Accepted but not verified: a wrong checksum passes, as on Ceph RGW 16.
  const p = await s3.send(new UploadPartCommand({ Bucket: 'second', Key: key, UploadId, PartNumber: 1, Body: data, ChecksumSHA256: sha256b64(bytes(100, 5)) }));
  assert.equal(p.ChecksumSHA256, undefined);
  const list = await s3.send(new ListPartsCommand({ Bucket: 'second', Key: key, UploadId }));
  assert.equal(list.Parts?.[0]?.ChecksumSHA256, undefined);
  assert.equal(list.Parts?.[0]?.ETag, `"${md5hex(data)}"`);
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'second', Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p.ETag }] } }));
  assert.ok(!done.ETag, 'an empty ETag');
  assert.equal(done.ChecksumSHA256, undefined);
  const after = await sdkError(s3.send(new ListPartsCommand({ Bucket: 'second', Key: key, UploadId })));
  assert.deepEqual([after.code, after.status], ['NoSuchKey', 404]);
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'second', Key: key, ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumSHA256, undefined);
  assert.equal(emu.state().s3.buckets.find((b) => b.name === 'second')?.objects[0]?.sha256, sha256hex(data));
});
