/**
 * Web Messaging contract §4 (uploading an attachment): every onAttachment check, the S3-style
 * pre-signed PUT (signed content-type and x-amz-tagging, expiry), the upload events, and
 * getAttachment / deleteAttachment.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { emulatorFor, Guest, onAttachmentFrame, put, upload, wsUrl } from './ws-client.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = Buffer.from('%PDF-1.4\n' + 'x'.repeat(5000) + '\n%%EOF\n');

async function session(t: TestContext, options: Parameters<typeof emulatorFor>[1] = {}, deploymentId?: string) {
  const emulator = await emulatorFor(t, options);
  const guest = await Guest.connect(t, wsUrl(emulator, deploymentId));
  await guest.configure(deploymentId);
  return { emulator, guest };
}

test('§4 onAttachment → PresignedUrlResponse → PUT → UploadSuccessEvent; the stored bytes are the source', async (t) => {
  const { emulator, guest } = await session(t);
  const attachmentId = randomUUID();
  const answer = await guest.ask(onAttachmentFrame('claim.pdf', 'application/pdf', PDF.length, attachmentId));
  assert.equal(answer.type, 'response');
  assert.equal(answer.class, 'PresignedUrlResponse');
  assert.equal(answer.code, 200);
  assert.equal(answer.body.attachmentId, attachmentId);
  assert.deepEqual(Object.keys(answer.body.headers), ['x-amz-tagging']);
  assert.equal(answer.body.fileName, 'claim.pdf');
  assert.equal(answer.body.fileType, 'application/pdf');
  assert.equal(answer.body.fileSize, PDF.length);
  assert.match(answer.body.url, /^http:\/\/127\.0\.0\.1:\d+\/storage\/webmessaging\/.*X-Amz-Signature=[0-9a-f]{64}/);
  const res = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': 'application/pdf', 'Content-Length': PDF.length }, PDF);
  assert.equal(res.status, 200);
  const done = await guest.byClass('UploadSuccessEvent');
  assert.equal(done.type, 'message');
  assert.equal(done.code, 200);
  assert.equal(done.body.attachmentId, attachmentId);
  assert.ok(!Number.isNaN(Date.parse(done.body.timestamp)));
  const download = await fetch(done.body.downloadUrl);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'application/pdf');
  assert.equal(sha256(Buffer.from(await download.arrayBuffer())), sha256(PDF));
  const stored = emulator.state().webMessaging.conversations[0]?.attachments[0];
  assert.equal(stored?.state, 'uploaded');
  assert.equal(stored?.sha256, sha256(PDF));
  assert.equal(stored?.storedSize, PDF.length);
});

test('§4 without an attachmentId the server makes one (Messenger JS shape)', async (t) => {
  const { guest } = await session(t);
  const answer = await guest.ask({ action: 'onAttachment', fileName: 'a.txt', fileType: 'text/plain', fileSize: 3 });
  assert.equal(answer.class, 'PresignedUrlResponse');
  assert.match(answer.body.attachmentId, /^[0-9a-f-]{36}$/);
});

test('§4 every GenerateUrlError code, with the attachmentId and timestamp', async (t) => {
  const deployment = { id: 'strict', fileTypes: ['image/*', 'application/pdf'], maxFileSizeKB: 10, blockedExtensions: ['.exe'] };
  const { guest } = await session(t, { webMessaging: { deployments: [deployment] } }, 'strict');
  const cases: Array<[string, string, number, number]> = [
    ['photo.tiff', 'text/plain', 10, 4001], // type not allowed
    ['setup.EXE', 'application/pdf', 10, 4001], // blocked extension, any case
    ['scan.pdf', 'application/pdf', 10_001, 4002], // maxFileSizeKB × 1000 + 1
    ['bad/name.pdf', 'application/pdf', 10, 4004],
    ['noextension', 'application/pdf', 10, 4004],
    [`${'n'.repeat(1020)}.pdf`, 'application/pdf', 10, 4005], // 1024 characters
    ['empty.pdf', 'application/pdf', 0, 4102],
  ];
  for (const [name, type, size, code] of cases) {
    const id = randomUUID();
    const f = await guest.ask(onAttachmentFrame(name, type, size, id));
    assert.equal(f.class, 'GenerateUrlError', `${name}: ${JSON.stringify(f)}`);
    assert.equal(f.type, 'response');
    assert.equal(f.body.errorCode, code, name.slice(0, 40));
    assert.equal(f.body.attachmentId, id);
    assert.equal(typeof f.body.errorMessage, 'string');
    assert.ok(!Number.isNaN(Date.parse(f.body.timestamp)));
  }
  const exact = await guest.ask(onAttachmentFrame('scan.pdf', 'application/pdf', 10_000));
  assert.equal(exact.class, 'PresignedUrlResponse', 'exactly maxFileSizeKB × 1000 bytes is accepted');
  const wildcard = await guest.ask(onAttachmentFrame('p.webp', 'image/webp', 100));
  assert.equal(wildcard.class, 'PresignedUrlResponse', 'image/* allows image/webp');
});

test('§4 the PUT: another Content-Type or a missing x-amz-tagging is 403 SignatureDoesNotMatch', async (t) => {
  const { emulator, guest } = await session(t);
  const answer = await guest.ask(onAttachmentFrame('a.txt', 'text/plain', 5));
  const body = Buffer.from('hello');
  const charset = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 5 }, body);
  assert.equal(charset.status, 403);
  assert.match(charset.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  const untagged = await put(answer.body.url, { 'Content-Type': 'text/plain', 'Content-Length': 5 }, body);
  assert.equal(untagged.status, 403);
  assert.match(untagged.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  const tampered = await put(answer.body.url.replace('X-Amz-Expires=600', 'X-Amz-Expires=6000'), { ...answer.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 5 }, body);
  assert.equal(tampered.status, 403);
  const bearer = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 5, Authorization: 'Bearer x' }, body);
  assert.equal(bearer.status, 400);
  assert.equal(emulator.state().storageAuthorizationSeen, true);
  const ok = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 5 }, body);
  assert.equal(ok.status, 200);
});

test('§4 the PUT URL lives urlTtlSeconds (default 600 s), then 403 AccessDenied "Request has expired"', async (t) => {
  const { emulator, guest } = await session(t);
  const answer = await guest.ask(onAttachmentFrame('a.txt', 'text/plain', 5));
  assert.match(answer.body.url, /X-Amz-Expires=600/);
  emulator.advanceClock(600_000);
  const res = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 5 }, Buffer.from('hello'));
  assert.equal(res.status, 403);
  assert.match(res.body, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
});

test('§4 a stored size other than the declared fileSize: UploadFailureEvent 4002', async (t) => {
  const { emulator, guest } = await session(t);
  const answer = await guest.ask(onAttachmentFrame('a.txt', 'text/plain', 10));
  const res = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 5 }, Buffer.from('hello'));
  assert.equal(res.status, 200, 'S3 stores what it is given');
  const failed = await guest.byClass('UploadFailureEvent');
  assert.equal(failed.type, 'message');
  assert.equal(failed.body.attachmentId, answer.body.attachmentId);
  assert.equal(failed.body.errorCode, 4002);
  assert.equal(typeof failed.body.errorMessage, 'string');
  assert.ok(!Number.isNaN(Date.parse(failed.body.timestamp)));
  assert.equal(emulator.state().webMessaging.conversations[0]?.attachments[0]?.state, 'failed');
});

test('§4 the upload event comes after the deployment delay', async (t) => {
  const { guest } = await session(t, { webMessaging: { deployments: [{ id: 'slow', uploadEventDelayMs: 300 }] } }, 'slow');
  const started = Date.now();
  await upload(guest, 'a.png', 'image/png', Buffer.from('png!'));
  assert.ok(Date.now() - started >= 280, `event after ${Date.now() - started} ms`);
});

test('§4 getAttachment gives a download URL with empty headers and fileSize; deleteAttachment', async (t) => {
  const { guest } = await session(t);
  const bytes = Buffer.from('some text');
  const id = await upload(guest, 'note.txt', 'text/plain', bytes);
  const got = await guest.ask({ action: 'getAttachment', attachmentId: id });
  assert.equal(got.class, 'PresignedUrlResponse');
  assert.deepEqual(got.body.headers, {});
  assert.equal(got.body.fileSize, bytes.length);
  assert.equal(Buffer.from(await (await fetch(got.body.url)).arrayBuffer()).toString(), 'some text');
  const deleted = await guest.ask({ action: 'deleteAttachment', attachmentId: id });
  assert.equal(deleted.class, 'AttachmentDeletedResponse');
  assert.deepEqual(deleted.body, { attachmentId: id });
  const gone = await guest.ask({ action: 'getAttachment', attachmentId: id });
  assert.equal(gone.class, 'string');
  assert.equal(gone.code, 4009);
  assert.equal((await fetch(got.body.url)).status, 404);
});

test('§4 an attachment already sent cannot be deleted', async (t) => {
  const { guest } = await session(t);
  const id = await upload(guest, 'a.png', 'image/png', Buffer.from('png!'));
  await guest.ask({ action: 'onMessage', message: { type: 'Text', content: [{ contentType: 'Attachment', attachment: { id } }] } });
  const refused = await guest.ask({ action: 'deleteAttachment', attachmentId: id });
  assert.equal(refused.class, 'string');
});

test('§4 asking again for the same attachmentId issues a new URL and a new verdict', async (t) => {
  const { emulator, guest } = await session(t);
  const id = randomUUID();
  const first = await guest.ask(onAttachmentFrame('a.txt', 'text/plain', 5, id));
  await put(first.body.url, { ...first.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 3 }, Buffer.from('abc'));
  assert.equal((await guest.byClass('UploadFailureEvent')).body.errorCode, 4002);
  emulator.advanceClock(1000); // a new X-Amz-Date: another URL
  const second = await guest.ask(onAttachmentFrame('a.txt', 'text/plain', 5, id));
  assert.equal(second.body.attachmentId, id);
  assert.notEqual(second.body.url, first.body.url);
  assert.equal(emulator.state().webMessaging.conversations[0]?.attachments[0]?.state, 'pending');
  const from = guest.frames.length;
  assert.equal((await put(second.body.url, { ...second.body.headers, 'Content-Type': 'text/plain', 'Content-Length': 5 }, Buffer.from('hello'))).status, 200);
  await guest.next((f) => f.class === 'UploadSuccessEvent' && f.body.attachmentId === id, 3000, from);
});

test('§4 the download URL honours fault rules on route wm-download', async (t) => {
  const { emulator, guest } = await session(t);
  const id = await upload(guest, 'a.txt', 'text/plain', Buffer.from('hello'));
  const url = (await guest.ask({ action: 'getAttachment', attachmentId: id })).body.url as string;
  emulator.addFault({ route: 'wm-download', action: 'status', status: 500 });
  const failed = await fetch(url);
  assert.equal(failed.status, 500);
  assert.match(await failed.text(), /<Code>InternalError<\/Code>/);
  assert.equal(await (await fetch(url)).text(), 'hello');
});
