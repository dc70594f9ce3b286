/**
 * Web Messaging contract §5 (sending the message): the StructuredMessage echo, text and
 * attachment errors, the per-session message rate, getJwt and the history route.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { emulatorFor, Guest, onAttachmentFrame, upload, wsUrl } from './ws-client.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function session(t: TestContext) {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  await guest.configure();
  return { emulator, guest };
}

const withAttachment = (id: string, text?: string) => ({
  action: 'onMessage',
  message: { type: 'Text', ...(text !== undefined && { text }), content: [{ contentType: 'Attachment', attachment: { id } }] },
});

test('§5 onMessage with an attachment: the StructuredMessage echo is the stored message', async (t) => {
  const { emulator, guest } = await session(t);
  const bytes = Buffer.from('%PDF-1.7 claim');
  const id = await upload(guest, 'claim.pdf', 'application/pdf', bytes);
  const f = await guest.ask(withAttachment(id, 'Your claim'));
  assert.equal(f.type, 'response');
  assert.equal(f.class, 'StructuredMessage');
  assert.equal(f.code, 200);
  const { body } = f;
  assert.equal(typeof body.id, 'string');
  assert.equal(body.type, 'Text');
  assert.equal(body.text, 'Your claim');
  assert.equal(body.direction, 'Inbound');
  assert.ok(!Number.isNaN(Date.parse(body.channel.time)));
  assert.equal(body.content.length, 1);
  assert.equal(body.content[0].contentType, 'Attachment');
  const a = body.content[0].attachment;
  assert.deepEqual(
    { id: a.id, filename: a.filename, fileSize: a.fileSize, mediaType: a.mediaType, mime: a.mime, sha256: a.sha256 },
    { id, filename: 'claim.pdf', fileSize: bytes.length, mediaType: 'File', mime: 'application/pdf', sha256: sha256(bytes) },
  );
  assert.equal(sha256(Buffer.from(await (await fetch(a.url)).arrayBuffer())), sha256(bytes));
  const conversation = emulator.state().webMessaging.conversations[0];
  assert.deepEqual(conversation?.messages.map((m) => ({ id: m.id, text: m.text, attachments: m.attachments })), [
    { id: body.id, text: 'Your claim', attachments: [{ id, fileName: 'claim.pdf', fileType: 'application/pdf', size: bytes.length, sha256: sha256(bytes) }] },
  ]);
});

test('§5 without a tracingId the echo comes as type "message"', async (t) => {
  const { guest } = await session(t);
  guest.send({ action: 'onMessage', message: { type: 'Text', text: 'a link: https://example.com/x' } });
  const f = await guest.byClass('StructuredMessage');
  assert.equal(f.type, 'message');
  assert.equal(f.body.text, 'a link: https://example.com/x');
  assert.equal('content' in f.body, false);
});

test('§5 text is at most 4096 bytes of UTF-8: 4011 above it', async (t) => {
  const { guest } = await session(t);
  const ok = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'é'.repeat(2048) } }); // 4096 bytes
  assert.equal(ok.class, 'StructuredMessage');
  const long = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'é'.repeat(2048) + 'x' } });
  assert.equal(long.class, 'string');
  assert.equal(long.code, 4011);
  assert.match(long.body, /4097/);
});

test('§5 attachment not found 4009, not uploaded 4010', async (t) => {
  const { emulator, guest } = await session(t);
  const missing = await guest.ask(withAttachment('3f2a4e7c-0000-4000-8000-000000000000'));
  assert.equal(missing.class, 'string');
  assert.equal(missing.code, 4009);
  const pending = await guest.ask(onAttachmentFrame('a.pdf', 'application/pdf', 10));
  emulator.advanceClock(1000); // a fresh message window
  const notUploaded = await guest.ask(withAttachment(pending.body.attachmentId));
  assert.equal(notUploaded.class, 'string');
  assert.equal(notUploaded.code, 4010);
  assert.equal(emulator.state().webMessaging.conversations[0]?.messages.length, 0);
});

test('§5 two onMessage per session per second: the third is TooManyRequests with retryAfter', async (t) => {
  const { emulator, guest } = await session(t);
  const text = (n: number) => ({ action: 'onMessage', message: { type: 'Text', text: `m${n}` } });
  assert.equal((await guest.ask(text(1))).class, 'StructuredMessage');
  assert.equal((await guest.ask(text(2))).class, 'StructuredMessage');
  const limited = await guest.ask(text(3));
  assert.equal(limited.class, 'TooManyRequestsErrorMessage');
  assert.equal(limited.code, 429);
  assert.equal(limited.body.errorCode, 4029);
  assert.equal(limited.body.retryAfter, 1);
  emulator.advanceClock(1000);
  assert.equal((await guest.ask(text(3))).class, 'StructuredMessage');
  assert.equal(emulator.state().webMessaging.conversations[0]?.messages.length, 3);
});

test('§5 getJwt → JwtResponse; history newest first, paged, with attachment ids', async (t) => {
  const { emulator, guest } = await session(t);
  const id = await upload(guest, 'a.png', 'image/png', Buffer.from('png'));
  await guest.ask(withAttachment(id, 'first'));
  emulator.advanceClock(1000);
  await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'second' } });
  const jwt = await guest.ask({ action: 'getJwt' });
  assert.equal(jwt.class, 'JwtResponse');
  assert.equal(typeof jwt.body.jwt, 'string');
  assert.ok(jwt.body.exp > emulator.state().now / 1000);
  const get = (query: string, auth = `Bearer ${jwt.body.jwt}`) => fetch(`${emulator.url}/api/v2/webmessaging/messages${query}`, { headers: { Authorization: auth } });
  const page = (await (await get('?pageSize=25&pageNumber=1')).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(page.total, 2);
  assert.equal(page.pageSize, 25);
  assert.equal(page.pageNumber, 1);
  assert.equal(page.pageCount, 1);
  assert.deepEqual(page.entities.map((e: { text: string }) => e.text), ['second', 'first']);
  assert.equal(page.entities[1].content[0].attachment.id, id);
  assert.equal(page.entities[1].direction, 'Inbound');
  const second = (await (await get('?pageSize=1&pageNumber=2')).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.deepEqual(second.entities.map((e: { text: string }) => e.text), ['first']);
  assert.equal(second.pageCount, 2);
  assert.equal((await get('', 'Bearer not-a-jwt')).status, 401);
  assert.equal((await get('?pageSize=0')).status, 400);
});

test('§5 history: 10 requests per session per minute, then 429 with Retry-After', async (t) => {
  const { emulator, guest } = await session(t);
  const jwt = (await guest.ask({ action: 'getJwt' })).body.jwt as string;
  const get = () => fetch(`${emulator.url}/api/v2/webmessaging/messages`, { headers: { Authorization: `Bearer ${jwt}` } });
  for (let i = 0; i < 10; i += 1) assert.equal((await get()).status, 200);
  const limited = await get();
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  emulator.advanceClock(60_000);
  assert.equal((await get()).status, 200);
});

test('§5 the jwt expires', async (t) => {
  const { emulator, guest } = await session(t);
  const jwt = (await guest.ask({ action: 'getJwt' })).body;
  emulator.advanceClock((jwt.exp as number) * 1000 - emulator.state().now + 1000);
  const res = await fetch(`${emulator.url}/api/v2/webmessaging/messages`, { headers: { Authorization: `Bearer ${jwt.jwt}` } });
  assert.equal(res.status, 401);
});
