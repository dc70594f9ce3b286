/**
 * Web Messaging contract §7 (the emulator's faults): GenerateUrlError of any code and outer code,
 * PUT status/reset/stall (FaultRules on route wm-upload), UploadFailureEvent instead of success,
 * delayed and dropped success events, TooManyRequests for N requests, sockets closed after N frames
 * or mid-upload, and the onMessage answer lost after the message was stored.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { emulatorFor, Guest, onAttachmentFrame, put, upload, wsUrl } from './ws-client.js';

async function session(t: TestContext) {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  await guest.configure();
  return { emulator, guest };
}

const BYTES = Buffer.from('0123456789');

async function presign(guest: Guest) {
  const answer = await guest.ask(onAttachmentFrame('a.bin', 'application/octet-stream', BYTES.length));
  assert.equal(answer.class, 'PresignedUrlResponse');
  const headers = { ...answer.body.headers, 'Content-Type': 'application/octet-stream', 'Content-Length': BYTES.length };
  return { id: answer.body.attachmentId as string, url: answer.body.url as string, headers };
}

test('§7 GenerateUrlError of any code, with an outer code of 400, 4001 or 200', async (t) => {
  const { emulator, guest } = await session(t);
  for (const [errorCode, outerCode] of [[4002, 400], [4001, 4001], [4003, 200], [4000, undefined]] as const) {
    emulator.webMessaging.addFault({ action: 'generate-url-error', errorCode, ...(outerCode !== undefined && { outerCode }) });
    const id = randomUUID();
    const f = await guest.ask(onAttachmentFrame('fine.pdf', 'application/pdf', 10, id));
    assert.equal(f.class, 'GenerateUrlError');
    assert.equal(f.body.errorCode, errorCode);
    assert.equal(f.body.attachmentId, id);
    assert.equal(f.code, outerCode ?? 400);
    assert.equal(f.type, outerCode === 200 ? 'message' : 'response', 'code 200 as in the SDK fixture');
  }
  assert.equal((await guest.ask(onAttachmentFrame('fine.pdf', 'application/pdf', 10))).class, 'PresignedUrlResponse', 'rules are used up');
});

test('§7 the PUT fails with a status once (503 SlowDown), then succeeds on the same URL', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.addFault({ route: 'wm-upload', action: 'status', status: 503 });
  const { url, headers } = await presign(guest);
  const first = await put(url, headers, BYTES);
  assert.equal(first.status, 503);
  assert.match(first.body, /<Code>ServiceUnavailable<\/Code>/);
  assert.equal((await put(url, headers, BYTES)).status, 200);
  await guest.byClass('UploadSuccessEvent');
});

test('§7 the PUT connection is reset once, then succeeds', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.addFault({ route: 'wm-upload', action: 'reset', afterBytes: 0 });
  const { url, headers } = await presign(guest);
  await assert.rejects(put(url, headers, BYTES));
  assert.equal((await put(url, headers, BYTES)).status, 200);
  await guest.byClass('UploadSuccessEvent');
});

test('§7 the PUT stalls before it is handled', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.addFault({ route: 'wm-upload', action: 'stall', stallMs: 300 });
  const { url, headers } = await presign(guest);
  const started = Date.now();
  assert.equal((await put(url, headers, BYTES)).status, 200);
  assert.ok(Date.now() - started >= 280);
});

test('§7 UploadFailureEvent instead of success (default 4003; any code)', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.webMessaging.addFault({ action: 'upload-failure' });
  const { id, url, headers } = await presign(guest);
  assert.equal((await put(url, headers, BYTES)).status, 200);
  const failed = await guest.byClass('UploadFailureEvent');
  assert.equal(failed.body.attachmentId, id);
  assert.equal(failed.body.errorCode, 4003);
  const refused = await guest.ask({ action: 'onMessage', message: { type: 'Text', content: [{ contentType: 'Attachment', attachment: { id } }] } });
  assert.equal(refused.code, 4010);
});

test('§7 the success event is delayed, or dropped (the bytes stay stored)', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.webMessaging.addFault({ action: 'delay-success', delayMs: 300 });
  const started = Date.now();
  await upload(guest, 'a.png', 'image/png', BYTES);
  assert.ok(Date.now() - started >= 280);
  emulator.webMessaging.addFault({ action: 'drop-success' });
  const { id, url, headers } = await presign(guest);
  assert.equal((await put(url, headers, BYTES)).status, 200);
  await assert.rejects(guest.next((f) => f.body?.attachmentId === id && f.class.startsWith('Upload'), 300));
  const stored = emulator.state().webMessaging.conversations[0]?.attachments.find((a) => a.id === id);
  assert.equal(stored?.storedSize, BYTES.length);
});

test('§7 TooManyRequestsErrorMessage for the next N requests', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.webMessaging.addFault({ action: 'too-many-requests', count: 2, retryAfter: 3, errorCode: 429 });
  for (let i = 0; i < 2; i += 1) {
    const f = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'hi' } });
    assert.equal(f.class, 'TooManyRequestsErrorMessage');
    assert.deepEqual({ retryAfter: f.body.retryAfter, errorCode: f.body.errorCode }, { retryAfter: 3, errorCode: 429 });
  }
  assert.equal((await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'hi' } })).class, 'StructuredMessage');
  assert.equal(emulator.state().webMessaging.conversations[0]?.messages.length, 1);
});

test('§7 the socket closes after N frames', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.webMessaging.addFault({ action: 'close-after-frames', frames: 2 });
  await guest.ask({ action: 'echo', message: { type: 'Text', text: 'ping' } });
  await guest.ask({ action: 'echo', message: { type: 'Text', text: 'ping' } });
  await guest.closedWithin();
});

test('§7 the socket closes mid-upload; the PUT still completes and a new socket continues', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.webMessaging.addFault({ action: 'close-mid-upload' });
  const { url, headers } = await presign(guest);
  assert.equal((await put(url, headers, BYTES)).status, 200);
  await guest.closedWithin();
  const again = await Guest.connect(t, wsUrl(emulator), { token: guest.token });
  assert.equal((await again.configure()).body.newSession, false);
  await upload(again, 'a.bin', 'application/octet-stream', BYTES); // requested anew, as the contract says
});

test('§7 the answer to onMessage is lost after the message was stored', async (t) => {
  const { emulator, guest } = await session(t);
  emulator.webMessaging.addFault({ action: 'lose-message-response' });
  guest.send({ action: 'onMessage', tracingId: 'lost', message: { type: 'Text', text: 'did it arrive?' } });
  await guest.closedWithin();
  assert.equal(guest.frames.some((f) => f.tracingId === 'lost'), false);
  assert.deepEqual(emulator.state().webMessaging.conversations[0]?.messages.map((m) => m.text), ['did it arrive?']);
  // The platform can tell: the history shows it.
  const again = await Guest.connect(t, wsUrl(emulator), { token: guest.token });
  await again.configure();
  const jwt = (await again.ask({ action: 'getJwt' })).body.jwt as string;
  const page = (await (await fetch(`${emulator.url}/api/v2/webmessaging/messages`, { headers: { Authorization: `Bearer ${jwt}` } })).json()) as { total: number };
  assert.equal(page.total, 1);
});

test('§7 web messaging faults over HTTP: add, list, delete; bad rules are refused', async (t) => {
  const { emulator } = await session(t);
  const base = `${emulator.url}/__emulator/web-messaging/faults`;
  const added = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ action: 'drop-success', count: 2 }, { id: 'mine', action: 'upload-failure', errorCode: 4001 }]) });
  assert.equal(added.status, 201);
  assert.deepEqual(((await added.json()) as { ids: string[] }).ids.length, 2);
  const listed = (await (await fetch(base)).json()) as { faults: Array<{ id: string; count: number }> };
  assert.deepEqual(listed.faults.map((f) => [f.id, f.count]).at(1), ['mine', 1]);
  assert.equal((await fetch(`${base}/mine`, { method: 'DELETE' })).status, 204);
  assert.equal((await fetch(`${base}/mine`, { method: 'DELETE' })).status, 404);
  assert.equal((await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"explode"}' })).status, 400);
  assert.equal((await fetch(base, { method: 'DELETE' })).status, 204);
  assert.deepEqual(emulator.webMessaging.faults(), []);
});
