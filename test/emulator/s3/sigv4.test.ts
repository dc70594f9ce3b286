/**
 * SigV4 on the S3 endpoint: header-signed requests from the official SDK, pre-signed URLs from
 * @aws-sdk/s3-request-presigner (UploadPart with the checksum header kept a header, GetObject with
 * an expiry on the emulator's clock), and the refusals: unknown key, wrong secret, wrong region,
 * tampering, expiry, the 7-day limit, clock skew, unsigned requests, aws-chunked payloads, a
 * literal payload hash that does not match.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  CreateMultipartUploadCommand, GetObjectCommand, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { defaultS3Settings, DEMO_S3_CREDENTIAL } from '../../../src/emulator/s3/index.js';
import { BUCKET, bytes, client, codeOf, emulator, raw, sdkError, sha256b64, sha256hex } from './helpers.js';

test('pre-signed UploadPart signs x-amz-checksum-sha256 as a header: the right bytes store, other bytes are BadDigest, another checksum breaks the signature', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'p', ChecksumAlgorithm: 'SHA256' }));
  const data = bytes(70_000);
  const sum = sha256b64(data);
  const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket: BUCKET, Key: 'p', UploadId, PartNumber: 1, ChecksumSHA256: sum }), {
    expiresIn: 600,
    unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
  });
  assert.match(new URL(url).searchParams.get('X-Amz-SignedHeaders') ?? '', /x-amz-checksum-sha256/);
  assert.equal(new URL(url).searchParams.get('x-amz-checksum-sha256'), null);

  const otherSum = sha256b64(bytes(70_000, 2));
  const tampered = await raw(url, 'PUT', { body: data, headers: { 'x-amz-checksum-sha256': otherSum } });
  assert.deepEqual([tampered.status, codeOf(tampered.text)], [403, 'SignatureDoesNotMatch']);
  const corrupt = await raw(url, 'PUT', { body: bytes(70_000, 2), headers: { 'x-amz-checksum-sha256': sum } });
  assert.deepEqual([corrupt.status, codeOf(corrupt.text)], [400, 'BadDigest']);
  const ok = await raw(url, 'PUT', { body: data, headers: { 'x-amz-checksum-sha256': sum } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.headers['x-amz-checksum-sha256'], sum);
  const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'p', UploadId }));
  assert.equal(parts.Parts?.[0]?.ChecksumSHA256, sum);
  assert.equal(emu.state().s3.presignedRequests, 2, 'the tampered request never passed the signature check');

  // Another part number on the same signature: the query is signed.
  const moved = await raw(url.replace('partNumber=1', 'partNumber=2'), 'PUT', { body: data, headers: { 'x-amz-checksum-sha256': sum } });
  assert.deepEqual([moved.status, codeOf(moved.text)], [403, 'SignatureDoesNotMatch']);
});

test('a presigner that hoists the checksum into the query string: the part is refused with a message that says so', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'h', ChecksumAlgorithm: 'SHA256' }));
  const data = bytes(1000);
  const url = await getSignedUrl(s3, new UploadPartCommand({ Bucket: BUCKET, Key: 'h', UploadId, PartNumber: 1, ChecksumSHA256: sha256b64(data) }));
  assert.ok(new URL(url).searchParams.get('x-amz-checksum-sha256'));
  const res = await raw(url, 'PUT', { body: data });
  assert.equal(res.status, 400);
  assert.equal(codeOf(res.text), 'InvalidRequest');
  assert.match(res.text, /query string/);
});

test('pre-signed GetObject works until X-Amz-Date + X-Amz-Expires on the emulator clock, then 403 "Request has expired"; response-content-disposition is honoured', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  const data = bytes(3000);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big file.zip', Body: data, ContentType: 'application/zip', ChecksumSHA256: sha256b64(data) }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'big file.zip', ResponseContentDisposition: "attachment; filename*=UTF-8''big%20file.zip" }), { expiresIn: 3600 });
  const got = await raw(url, 'GET');
  assert.equal(got.status, 200);
  assert.equal(sha256hex(got.bytes), sha256hex(data));
  assert.equal(got.headers['content-disposition'], "attachment; filename*=UTF-8''big%20file.zip");
  assert.equal(got.headers['content-type'], 'application/zip');
  const part = await raw(url, 'GET', { headers: { range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.deepEqual(part.bytes, data.subarray(10, 20));

  emu.advanceClock(3590_000);
  assert.equal((await raw(url, 'GET')).status, 200);
  emu.advanceClock(20_000);
  const expired = await raw(url, 'GET');
  assert.equal(expired.status, 403);
  assert.equal(codeOf(expired.text), 'AccessDenied');
  assert.match(expired.text, /Request has expired/);
});

test('pre-signed URL limits: X-Amz-Expires over 7 days is refused; the SDK refuses to sign one', async (t) => {
  const emu = await emulator(t);
  const s3 = client(emu);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'k' }), { expiresIn: 604_800 });
  assert.equal((await raw(url, 'GET')).status, 200, 'exactly 7 days is allowed');
  const tooLong = await raw(url.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801'), 'GET');
  assert.deepEqual([tooLong.status, codeOf(tooLong.text)], [400, 'AuthorizationQueryParametersError']);
  await assert.rejects(getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'k' }), { expiresIn: 604_801 }));
  const missing = await raw(url.replace(/X-Amz-Signature=[0-9a-f]+/, ''), 'GET');
  assert.deepEqual([missing.status, codeOf(missing.text)], [400, 'AuthorizationQueryParametersError']);
});

test('wrong access key → 403 InvalidAccessKeyId; wrong secret → 403 SignatureDoesNotMatch; wrong region → 400; no secret in any answer', async (t) => {
  const emu = await emulator(t);
  const unknown = await sdkError(client(emu, { accessKeyId: 'NOSUCHKEY0000000', secretAccessKey: 'whatever-secret' }).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })));
  assert.deepEqual([unknown.code, unknown.status], ['InvalidAccessKeyId', 403]);
  const wrongSecret = 'not-the-demo-secret-at-all';
  const bad = await sdkError(client(emu, { accessKeyId: DEMO_S3_CREDENTIAL.accessKeyId, secretAccessKey: wrongSecret }).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })));
  assert.deepEqual([bad.code, bad.status], ['SignatureDoesNotMatch', 403]);
  assert.ok(!bad.message.includes(wrongSecret) && !bad.message.includes(DEMO_S3_CREDENTIAL.secretAccessKey));
  const region = await sdkError(client(emu, DEMO_S3_CREDENTIAL, 'eu-west-1').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })));
  assert.equal(region.status, 400);
  assert.match(region.message, /us-east-1/);
  // A pre-signed URL made with the wrong secret.
  const url = await getSignedUrl(client(emu, { accessKeyId: DEMO_S3_CREDENTIAL.accessKeyId, secretAccessKey: wrongSecret }), new GetObjectCommand({ Bucket: BUCKET, Key: 'k' }));
  const res = await raw(url, 'GET');
  assert.deepEqual([res.status, codeOf(res.text)], [403, 'SignatureDoesNotMatch']);
  assert.ok(!res.text.includes(DEMO_S3_CREDENTIAL.secretAccessKey));
  // Credentials are settings: a new key works at once.
  emu.configure({ s3: { ...emu.settings().s3, credentials: [{ accessKeyId: 'OTHERKEY0001', secretAccessKey: 'other-secret-0001' }] } });
  await client(emu, { accessKeyId: 'OTHERKEY0001', secretAccessKey: 'other-secret-0001' }).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));
  const old = await sdkError(client(emu).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })));
  assert.equal(old.code, 'InvalidAccessKeyId');
});

test('header-signed requests more than 15 minutes off the emulator clock: RequestTimeTooSkewed; the SDK corrects from the Date header and retries', async (t) => {
  const emu = await emulator(t);
  emu.advanceClock(20 * 60_000);
  const skewed = await sdkError(client(emu).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })));
  assert.deepEqual([skewed.code, skewed.status], ['RequestTimeTooSkewed', 403]);
  const patient = new S3Client({
    endpoint: emu.s3Url, forcePathStyle: true, region: 'us-east-1', credentials: { ...DEMO_S3_CREDENTIAL },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await patient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));
});

test('unsigned requests are 403 AccessDenied, except GET/HEAD in a public-read bucket', async (t) => {
  const emu = await emulator(t, { s3: { ...defaultS3Settings(), buckets: ['genesys-uploads', 'public-links'], publicReadBuckets: ['public-links'] } });
  const s3 = client(emu);
  await s3.send(new PutObjectCommand({ Bucket: 'public-links', Key: 'a b.txt', Body: 'hello' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'private.txt', Body: 'secret' }));
  const open = await raw(`${emu.s3Url}/public-links/a%20b.txt`, 'GET');
  assert.deepEqual([open.status, open.text], [200, 'hello']);
  const closed = await raw(`${emu.s3Url}/${BUCKET}/private.txt`, 'GET');
  assert.deepEqual([closed.status, codeOf(closed.text)], [403, 'AccessDenied']);
  const write = await raw(`${emu.s3Url}/public-links/x`, 'PUT', { body: 'x' });
  assert.deepEqual([write.status, codeOf(write.text)], [403, 'AccessDenied']);
  const nobucket = await sdkError(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })));
  assert.deepEqual([nobucket.code, nobucket.status], ['NoSuchBucket', 404]);
});

test('aws-chunked streaming uploads (the SDK\'s WHEN_SUPPORTED default with a stream body) get a clear 400', async (t) => {
  const emu = await emulator(t);
  const eager = new S3Client({
    endpoint: emu.s3Url, forcePathStyle: true, region: 'us-east-1', credentials: { ...DEMO_S3_CREDENTIAL }, maxAttempts: 1,
  });
  const failure = await sdkError(eager.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: Readable.from([Buffer.from('hello')]), ContentLength: 5 })));
  assert.equal(failure.status, 400, JSON.stringify(failure));
  assert.match(failure.message, /aws-chunked|WHEN_REQUIRED/);
  assert.equal(emu.state().s3.buckets[0]?.objects.length, 0);
});

test('a literal x-amz-content-sha256 is verified against the body: mismatch → 400 XAmzContentSHA256Mismatch', async (t) => {
  const emu = await emulator(t);
  const url = new URL(`${emu.s3Url}/${BUCKET}/lit`);
  const body = Buffer.from('the real body');
  const sign = async (payloadHash: string) => {
    const signer = new SignatureV4({ credentials: { ...DEMO_S3_CREDENTIAL }, region: 'us-east-1', service: 's3', sha256: NodeHash, uriEscapePath: false });
    return signer.sign({
      method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {},
      headers: { host: url.host, 'x-amz-content-sha256': payloadHash, 'content-length': String(body.length) },
    });
  };
  const wrong = await sign(createHash('sha256').update('another body').digest('hex'));
  const res = await raw(url.href, 'PUT', { body, headers: wrong.headers as Record<string, string> });
  assert.deepEqual([res.status, codeOf(res.text)], [400, 'XAmzContentSHA256Mismatch']);
  const right = await sign(createHash('sha256').update(body).digest('hex'));
  const ok = await raw(url.href, 'PUT', { body, headers: right.headers as Record<string, string> });
  assert.equal(ok.status, 200, ok.text);
  const malformed = await raw(url.href, 'PUT', { body, headers: { ...(right.headers as Record<string, string>), authorization: 'AWS4-HMAC-SHA256 Credential=broken' } });
  assert.deepEqual([malformed.status, codeOf(malformed.text)], [400, 'AuthorizationHeaderMalformed']);
});

/** SHA-256 / HMAC-SHA-256 in SignatureV4's shape, for signing raw requests in these tests. */
class NodeHash {
  readonly #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    this.#h = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: Uint8Array): void {
    this.#h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()));
  }
  reset(): void {}
}
