/**
 * The Web Messaging destination against the emulator (real sockets, signed PUTs, real faults),
 * every send through the engine and the notifier (`sendVia`), each delivery checked from the
 * emulator's state as an agent sees it: the attached bytes' SHA-256 is the source's, and there is
 * exactly one message.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { request } from 'undici';
import { ConfigError, IntegrityError, RejectedError, exitCodeFor } from '../../../src/errors/index.js';
import { startEmulator } from '../../../src/emulator/index.js';
import { openWebMessagingDestination } from '../../../src/destinations/web-messaging/destination.js';
import { resolveRetryPolicy } from '../../../src/http/retry-policy.js';
import { resolveWebMessagingOptions } from '../../../src/destinations/web-messaging/options.js';
import { openGuestVia, type GuestVia, type SampleFile } from './guest-via.js';

const MAX_KB = 100;
const dir = mkdtempSync(join(tmpdir(), 'wm-emu-'));

function sample(name: string, size: number, type = 'application/pdf'): SampleFile & { size: number; sha256: string } {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
  bytes.write('%PDF-1.7\n');
  const filePath = join(dir, `${size}-${name}`);
  writeFileSync(filePath, bytes);
  return { filePath, fileName: name, fileType: type, size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const pdf = sample('claim.pdf', 40_000);

async function setup(t: TestContext, options: Partial<Parameters<typeof openGuestVia>[0]> = {}, origins: string[] = ['*']) {
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    webMessaging: { deployments: [{ id: 'claims', allowedOrigins: origins, fileTypes: ['image/*', 'application/pdf'], maxFileSizeKB: MAX_KB, blockedExtensions: ['.exe', '.bat'] }] },
  });
  t.after(() => emulator.close());
  const config = resolveWebMessagingOptions({ wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1`, deploymentId: 'claims', origin: 'https://shop.example.com' });
  const open = async (): Promise<GuestVia> => {
    const opened = await openGuestVia({ config, policy: { baseDelayMs: 10, maxDelayMs: 50 }, ...options });
    t.after(() => opened.close());
    return opened;
  };
  const conversation = () => {
    const conversations = emulator.state().webMessaging.conversations;
    assert.equal(conversations.length, 1);
    return conversations[0]!;
  };
  return { emulator, open, conversation };
}

/** onAttachment requests the emulator saw (one attachment each). */
const requested = (conversation: { attachments: unknown[] }): number => conversation.attachments.length;

function assertDelivered(conversation: { messages: { id: string; text?: string; attachments: { id: string; sha256: string; size: number }[] }[] }, messageId: string, file: { sha256: string; size: number }) {
  assert.equal(conversation.messages.length, 1, 'exactly one message');
  const [message] = conversation.messages;
  assert.equal(message?.id, messageId);
  assert.equal(message?.attachments.length, 1);
  assert.equal(message?.attachments[0]?.sha256, file.sha256);
  assert.equal(message?.attachments[0]?.size, file.size);
}

test('a PDF is attached and sent; its stored bytes are the source', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { send } = await open();
  const sent = await send(pdf, { text: 'Your claim' });
  assert.equal(sent.sha256, pdf.sha256);
  assertDelivered(conversation(), sent.messageId, pdf);
  assert.equal(conversation().messages[0]?.text, 'Your claim');
  assert.equal(emulator.state().storageAuthorizationSeen, false);
});

test('exactly maxFileSizeKB × 1000 bytes is sent; one byte more is refused before any onAttachment', async (t) => {
  const { open, conversation } = await setup(t);
  const { send } = await open();
  const over = sample('big.pdf', MAX_KB * 1000 + 1);
  await assert.rejects(send(over), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.too_large' && exitCodeFor(e) === 4 && /link store/.test(e.message));
  await assert.rejects(send({ ...pdf, fileName: 'setup.EXE' }), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.extension_blocked');
  await assert.rejects(send({ ...pdf, fileName: 'song.mp3', fileType: 'audio/mpeg' }), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.type_not_allowed');
  assert.equal(conversation().attachments.length, 0, 'no onAttachment was sent');
  const exact = sample('exact.pdf', MAX_KB * 1000);
  const sent = await send(exact);
  assertDelivered(conversation(), sent.messageId, exact);
});

test('GenerateUrlError of each code, outer code 400, 4001 or 200: mapped, never retried', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { send } = await open();
  const cases = [[4001, 400, 'webmessaging.type_not_allowed'], [4002, 4001, 'webmessaging.too_large'], [4004, 200, 'webmessaging.name_invalid'], [4005, 400, 'webmessaging.name_too_long'], [4000, 400, 'webmessaging.attachments_unavailable'], [4102, 200, 'webmessaging.file_empty']] as const;
  for (const [errorCode, outerCode, code] of cases) {
    emulator.webMessaging.addFault({ action: 'generate-url-error', errorCode, outerCode, errorMessage: `said ${errorCode}` });
    await assert.rejects(send(pdf), (e: unknown) => e instanceof RejectedError && e.code === code && e.message.includes(`said ${errorCode}`));
  }
  assert.equal(conversation().attachments.length, 0);
  assert.equal(conversation().messages.length, 0);
});

test('the PUT fails with 503 once, then is reset once: retried on the same URL, delivered', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { send } = await open();
  emulator.addFault({ route: 'wm-upload', action: 'status', status: 503 });
  emulator.addFault({ route: 'wm-upload', action: 'reset', afterBytes: 1000 });
  const sent = await send(pdf);
  assert.equal(requested(conversation()), 1, 'one onAttachment');
  assert.equal(sent.retries, 2);
  assertDelivered(conversation(), sent.messageId, pdf);
  assert.equal(conversation().attachments.length, 1);
});

test('UploadFailureEvent: the platform verdict, not retried (4003 rejected, 4002 integrity)', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { send } = await open();
  emulator.webMessaging.addFault({ action: 'upload-failure', errorCode: 4003, errorMessage: 'File content is invalid' });
  await assert.rejects(send(pdf), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.upload_refused' && /File content is invalid/.test(e.message));
  emulator.webMessaging.addFault({ action: 'upload-failure', errorCode: 4002 });
  await assert.rejects(send(pdf), (e: unknown) => e instanceof IntegrityError && exitCodeFor(e) === 5);
  assert.equal(conversation().attachments.length, 2);
  assert.equal(conversation().messages.length, 0);
});

test('TooManyRequestsErrorMessage: retryAfter honoured, then the request goes again', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { send } = await open();
  let started = 0;
  let delivering = 0;
  // The rule is armed once the upload is done, so that it hits the onMessage.
  const sent = await send(pdf, {
    onEvent: (event) => {
      if (event.type !== 'delivering') return;
      emulator.webMessaging.addFault({ action: 'too-many-requests', retryAfter: 1 });
      started = Date.now();
      delivering++;
    },
  });
  assert.equal(delivering, 1);
  assert.ok(Date.now() - started >= 1000, `waited ${Date.now() - started} ms`);
  assertDelivered(conversation(), sent.messageId, pdf);
});

test('the socket dropped during the PUT: reconnect, same conversation, the upload requested again', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { guest, send } = await open();
  emulator.webMessaging.addFault({ action: 'close-mid-upload' });
  const sent = await send(pdf);
  assert.equal(requested(conversation()), 2);
  assert.equal(guest.connections, 2);
  assertDelivered(conversation(), sent.messageId, pdf);
});

test('the answer to onMessage lost: the history finds it, exactly one message', async (t) => {
  const { emulator, open, conversation } = await setup(t);
  const { send } = await open();
  emulator.webMessaging.addFault({ action: 'lose-message-response' });
  const sent = await send(pdf);
  assert.equal(emulator.state().counters['wm-history']?.requests, 1, 'the history was asked');
  assertDelivered(conversation(), sent.messageId, pdf);
});

test('a success event dropped: requested again after the bounded wait', async (t) => {
  const { emulator, open, conversation } = await setup(t, { eventTimeoutMs: 300 });
  const { send } = await open();
  emulator.webMessaging.addFault({ action: 'drop-success' });
  const sent = await send(pdf);
  assert.equal(requested(conversation()), 2);
  assertDelivered(conversation(), sent.messageId, pdf);
});

test('an Origin the deployment does not allow: exit 2 before anything is sent', async (t) => {
  const { open } = await setup(t, {}, ['https://other.example.com']);
  await assert.rejects(open(), (e: unknown) => e instanceof ConfigError && e.code === 'webmessaging.origin_refused' && exitCodeFor(e) === 2);
});

test('the adapter on the destination seam: one whole-file part, the success event, one message', async (t) => {
  const { emulator, conversation } = await setup(t);
  const config = resolveWebMessagingOptions({ wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1`, deploymentId: 'claims' });
  const destination = await openWebMessagingDestination({ config });
  t.after(() => destination.close());
  const bytes = readFileSync(pdf.filePath);
  const digest = createHash('sha256').update(bytes).digest();
  const step = { signal: AbortSignal.timeout(20_000), retry: resolveRetryPolicy(), emit: () => undefined };
  const facts = { fileName: pdf.fileName, contentType: pdf.fileType, size: pdf.size };
  assert.equal(destination.store.refuses?.(facts), undefined);
  const session = await destination.store.open(facts, step);
  const part = { index: 0, start: 0, length: bytes.length, checksum: `sha256:${digest.toString('hex')}`, checksumBase64: digest.toString('base64') };
  const put = await session.partRequest(part);
  const response = await request(put.url, { method: 'PUT', headers: { ...put.headers, 'content-length': String(bytes.length) }, body: bytes });
  await response.body.dump();
  assert.equal(response.statusCode, 200);
  const stored = session.accept(part, undefined);
  assert.ok(stored !== 'damaged');
  const done = await session.complete([stored], { sha256: digest.toString('hex'), size: bytes.length }, step);
  assert.ok('stored' in done);
  const delivery = { stored: done.stored, text: 'Your claim' };
  const intent = await destination.notifier.prepare(delivery, step);
  const receipt = await destination.notifier.send(intent, delivery, step);
  assertDelivered(conversation(), receipt.messageId, pdf);
  assert.deepEqual(await destination.notifier.find!(intent, delivery, step), { messageId: receipt.messageId });
});
