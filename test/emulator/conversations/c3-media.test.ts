/**
 * Conversation media, the flow's steps 1-3: the upload request (fileName rules, size ceiling and
 * profile, type from the extension), the PUT to the pre-signed uploadUrl (signature, expiry, no
 * Authorization, Content-Length, Content-MD5, cut-short bodies), and the status lifecycle
 * uploading → valid | invalid on the emulator clock.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, getToken, http } from '../../helpers/emulator-client.js';
import { assertGenesysError, assertS3Error, emulatorFor, patternBytes } from '../conformance/fixtures.js';
import { rawHttp } from '../conformance/raw-http.js';
import { createConversation, getMedia, mediaPath, pdfBytes, pngBytes, putMedia, requestUpload, requestUploadOrThrow, sides } from './helpers.js';

async function setUp(t: Parameters<typeof emulatorFor>[0], options: Parameters<typeof emulatorFor>[1] = {}) {
  const emu = await emulatorFor(t, options);
  const token = await getToken(emu.url);
  const conv = await createConversation(emu.url);
  return { emu, token, conv, agent: sides(conv).agent };
}

describe('conversation media: the upload request', () => {
  test('answers {id, name, uploadUrl, uploadHeaders, selfUri}; headers name the type from the extension', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const res = await requestUpload(emu.url, token, conv.id, agent, { fileName: 'Photo.JPG', contentLengthBytes: 1234 });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['id', 'name', 'selfUri', 'uploadHeaders', 'uploadUrl']);
    assert.equal(res.json.name, 'Photo.JPG');
    assert.equal(res.json.uploadHeaders['Content-Type'], 'image/jpeg');
    assert.equal(typeof res.json.uploadHeaders['x-amz-tagging'], 'string');
    assert.equal(res.json.selfUri, `/api/v2/conversations/messages/${conv.id}/communications/${agent}/messages/media/${res.json.id}`);
    assert.match(res.json.uploadUrl, new RegExp(`^${emu.url}/storage/conversation-media/${res.json.id}\\?.*X-Amz-Signature=[0-9a-f]{64}`));
    assert.match(res.json.uploadUrl, /X-Amz-Expires=600(&|$)/);
    const status = await getMedia(emu.url, token, conv.id, agent, res.json.id);
    assert.equal(status.status, 200);
    assert.equal(status.json.status, 'uploading');
    assert.equal(status.json.mediaType, 'image/jpeg');
    assert.equal(status.json.contentLengthBytes, 1234);
    assert.equal(status.json.uploadUrl, res.json.uploadUrl);
    assert.equal(status.json.url, undefined, 'no download url before valid');
  });

  test('fileName and contentLengthBytes rules: 400 bad.request', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const bad = [
      {},
      { fileName: 'a.png' },
      { fileName: 'a.png', contentLengthBytes: 0 },
      { fileName: 'a.png', contentLengthBytes: 1.5 },
      { fileName: 'a.png', contentLengthBytes: '10' },
      { fileName: '.hidden.png', contentLengthBytes: 10 },
      { fileName: 'dir/', contentLengthBytes: 10 },
      { fileName: 'my photo.png', contentLengthBytes: 10 },
      { fileName: '', contentLengthBytes: 10 },
      { fileName: 'a.png', contentLengthBytes: 10, contentMd5: 'not-base64' },
      ...[...'\\{^}%`]">[~<#|'].map((c) => ({ fileName: `a${c}b.png`, contentLengthBytes: 10 })),
    ];
    for (const body of bad) assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, body), 400, 'bad.request');
    const notJson = await http(`${emu.url}/api/v2/conversations/messages/${conv.id}/communications/${agent}/messages/media/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{',
    });
    assertGenesysError(notJson, 400, 'bad.request');
  });

  test('413 too.large above 25,000,000 bytes or the profile size; exactly the limit is accepted', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    assert.equal((await requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 25_000_000 })).status, 200);
    const over = assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 25_000_001 }), 413, 'too.large');
    assert.match(over.message, /Maximum bytes: 25000000/);
    await http(`${emu.url}/__emulator/conversations/${conv.id}/profile`, { method: 'PUT', json: { maxBytes: 1000 } });
    assert.equal((await requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 1000 })).status, 200);
    assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 1001 }), 413, 'too.large');
  });

  test('415 media.type.not.allowed for a type the profile refuses (by extension; none means octet-stream)', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    for (const fileName of ['a.png', 'b.jpeg', 'c.gif']) assert.equal((await requestUpload(emu.url, token, conv.id, agent, { fileName, contentLengthBytes: 5 })).status, 200, fileName);
    for (const fileName of ['report.pdf', 'noextension', 'clip.mp4']) {
      const body = assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, { fileName, contentLengthBytes: 5 }), 415, 'media.type.not.allowed');
      assert.match(body.message, /image\/jpeg, image\/png, image\/gif/);
    }
    await http(`${emu.url}/__emulator/conversations/${conv.id}/profile`, { method: 'PUT', json: { allowedTypes: ['application/pdf'] } });
    assert.equal((await requestUpload(emu.url, token, conv.id, agent, { fileName: 'report.pdf', contentLengthBytes: 5 })).status, 200);
  });
});

describe('conversation media: the PUT to uploadUrl', () => {
  test('stores the bytes (200, ETag = MD5); the status turns valid after the delay, with a download url', async (t) => {
    const { emu, token, conv, agent } = await setUp(t, { conversations: { validationDelayMs: 60_000 } });
    const data = pngBytes(100_000);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: data.length });
    const put = await putMedia(upload, data);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.headers.etag, `"${createHash('md5').update(data).digest('hex')}"`);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'uploading');
    emu.advanceClock(50_000); // the emulator clock is wall time plus an offset: leave a margin
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'uploading');
    emu.advanceClock(10_000);
    const valid = await getMedia(emu.url, token, conv.id, agent, upload.id);
    assert.equal(valid.json.status, 'valid');
    assert.ok(valid.json.url);
    const download = await http(valid.json.url);
    assert.equal(download.status, 200);
    assert.ok(download.bytes.equals(data));
    assert.equal(download.headers['content-type'], 'image/png');
    const media = emu.state().conversations.items[0]?.media[0];
    assert.equal(media?.sha256, createHash('sha256').update(data).digest('hex'));
    assert.equal(media?.status, 'valid');
  });

  test('signature: another Content-Type, a missing signed header, a changed query or path: 403 SignatureDoesNotMatch', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const data = pngBytes(10);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    assertS3Error(await putMedia(upload, data, { 'Content-Type': 'image/gif' }), 403, 'SignatureDoesNotMatch');
    const { 'x-amz-tagging': _tag, ...withoutTagging } = upload.uploadHeaders;
    assertS3Error(await putMedia({ ...upload, uploadHeaders: withoutTagging }, data), 403, 'SignatureDoesNotMatch');
    assertS3Error(await putMedia({ ...upload, uploadUrl: upload.uploadUrl.replace('X-Amz-Expires=600', 'X-Amz-Expires=6000') }, data), 403, 'SignatureDoesNotMatch');
    const other = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'b.png', contentLengthBytes: 10 });
    assertS3Error(await putMedia({ ...upload, uploadUrl: upload.uploadUrl.replace(upload.id, other.id) }, data), 403, 'SignatureDoesNotMatch');
    assertS3Error(await putMedia({ ...upload, uploadUrl: upload.uploadUrl.split('?')[0] ?? '' }, data), 403, 'SignatureDoesNotMatch');
    assert.equal((await putMedia(upload, data)).status, 200, 'the untouched request still works');
  });

  test('the URL expires after 600 s (emulator clock): 403 AccessDenied', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    emu.advanceClock(600_000);
    const res = await putMedia(upload, pngBytes(10));
    assertS3Error(res, 403, 'AccessDenied');
    assert.equal(res.s3Error?.message, 'Request has expired');
  });

  test('an Authorization header is refused (400 InvalidArgument) and recorded', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    assert.equal(emu.state().conversations.uploadAuthorizationSeen, false);
    assertS3Error(await putMedia(upload, pngBytes(10), { Authorization: `Bearer ${token}` }), 400, 'InvalidArgument');
    assert.equal(emu.state().conversations.uploadAuthorizationSeen, true);
    assert.equal(emu.state().storageAuthorizationSeen, true);
    assert.equal(emu.state().conversations.items[0]?.media[0]?.size, undefined, 'nothing stored');
  });

  test('Content-MD5 is signed when contentMd5 was given, and checked: 400 BadDigest', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const data = pngBytes(50);
    const md5 = createHash('md5').update(data).digest('base64');
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 50, contentMd5: md5 });
    assert.equal(upload.uploadHeaders['Content-MD5'], md5);
    assertS3Error(await putMedia(upload, pngBytes(50, 2)), 400, 'BadDigest');
    assert.equal((await putMedia(upload, data)).status, 200);
  });

  test('no Content-Length: 411; above the platform ceiling: 413 EntityTooLarge; a body cut short: 400 IncompleteBody', async (t) => {
    const { emu, token, conv, agent } = await setUp(t, { conversations: { maxMediaBytes: 1000 } });
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 100 });
    const headers = Object.entries(upload.uploadHeaders);
    const chunked = await rawHttp({ method: 'PUT', url: upload.uploadUrl, headers: [...headers, ['Transfer-Encoding', 'chunked']], body: Buffer.from('5\r\nhello\r\n0\r\n\r\n'), then: 'wait' });
    assert.equal(chunked?.status, 411);
    assert.match(chunked?.body ?? '', /<Code>MissingContentLength<\/Code>/);
    const tooBig = await rawHttp({ method: 'PUT', url: upload.uploadUrl, headers: [...headers, ['Content-Length', '1001']], body: Buffer.alloc(0), then: 'wait' });
    assert.equal(tooBig?.status, 413);
    assert.match(tooBig?.body ?? '', /<Code>EntityTooLarge<\/Code>/);
    const cut = await rawHttp({ method: 'PUT', url: upload.uploadUrl, headers: [...headers, ['Content-Length', '100']], body: pngBytes(60), then: 'half-close' });
    assert.equal(cut?.status, 400);
    assert.match(cut?.body ?? '', /<Code>IncompleteBody<\/Code>/);
    assert.equal(emu.state().conversations.items[0]?.media[0]?.size, undefined, 'nothing stored');
  });

  test('the media list by status, paged', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const a = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    const b = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'b.png', contentLengthBytes: 10 });
    await putMedia(b, pngBytes(10));
    emu.advanceClock(emu.settings().conversations.validationDelayMs);
    const list = (query: string) => api<{ entities: Array<{ id: string; status: string }>; total: number; pageCount: number }>(emu.url, token, 'GET', `${mediaPath(conv.id, agent)}/media${query}`);
    assert.deepEqual((await list('')).json.entities.map((m) => [m.id, m.status]), [[a.id, 'uploading'], [b.id, 'valid']]);
    assert.deepEqual((await list('?status=valid')).json.entities.map((m) => m.id), [b.id]);
    const paged = await list('?pageSize=1&pageNumber=2');
    assert.deepEqual([paged.json.entities.map((m) => m.id), paged.json.total, paged.json.pageCount], [[b.id], 2, 2]);
    for (const q of ['?status=done', '?pageSize=0', '?pageSize=101', '?pageNumber=x']) assertGenesysError(await list(q), 400, 'bad.request');
  });

  test('unknown media: 404 NoSuchKey on the PUT, 404 not.found on the status', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const stranger = '00000000-0000-4000-8000-000000000000';
    assertGenesysError(await getMedia(emu.url, token, conv.id, agent, stranger), 404, 'not.found');
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    assertGenesysError(await getMedia(emu.url, token, conv.id, sides(conv).customer, upload.id), 404, 'not.found');
  });
});

describe('conversation media: validation turns a media invalid', () => {
  async function statusAfterPut(t: Parameters<typeof emulatorFor>[0], fileName: string, declared: number, data: Buffer, profile?: object) {
    const { emu, token, conv, agent } = await setUp(t, { conversations: { defaultProfile: { allowedTypes: ['image/png', 'application/pdf', 'text/plain'] } } });
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName, contentLengthBytes: declared });
    if (profile) await http(`${emu.url}/__emulator/conversations/${conv.id}/profile`, { method: 'PUT', json: profile });
    assert.equal((await putMedia(upload, data)).status, 200);
    emu.advanceClock(emu.settings().conversations.validationDelayMs);
    return { status: (await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, reason: emu.state().conversations.items[0]?.media[0]?.invalidReason };
  }

  test('a size that differs from contentLengthBytes', async (t) => {
    assert.deepEqual(await statusAfterPut(t, 'a.png', 100, pngBytes(99)), { status: 'invalid', reason: 'size-mismatch' });
  });

  test('bytes whose file signature contradicts the type (a PDF named .png); types without a signature pass', async (t) => {
    assert.deepEqual(await statusAfterPut(t, 'a.png', 100, pdfBytes(100)), { status: 'invalid', reason: 'type-mismatch' });
    assert.deepEqual(await statusAfterPut(t, 'a.pdf', 100, pdfBytes(100)), { status: 'valid', reason: undefined });
    assert.deepEqual(await statusAfterPut(t, 'a.txt', 100, patternBytes(100)), { status: 'valid', reason: undefined });
  });

  test('a type the profile stopped allowing between request and upload', async (t) => {
    assert.deepEqual(await statusAfterPut(t, 'a.png', 100, pngBytes(100), { allowedTypes: ['application/pdf'] }), { status: 'invalid', reason: 'type-not-allowed' });
  });

  test('signature checks can be turned off', async (t) => {
    const { emu, token, conv, agent } = await setUp(t, { conversations: { checkFileSignatures: false, validationDelayMs: 0 } });
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 100 });
    assert.equal((await putMedia(upload, patternBytes(100))).status, 200);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'valid');
  });

  test('a re-PUT replaces the bytes and the verdict', async (t) => {
    const { emu, token, conv, agent } = await setUp(t, { conversations: { validationDelayMs: 0 } });
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 100 });
    assert.equal((await putMedia(upload, pngBytes(90))).status, 200);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'invalid');
    assert.equal((await putMedia(upload, pngBytes(100))).status, 200);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'valid');
  });
});
