/**
 * The Web Messaging destination end to end against a scripted server on 127.0.0.1 (real sockets,
 * real PUTs): every send goes through the engine and the notifier (`sendVia`), as the CLI's does;
 * the guest client alone for what is the socket's (limits, keep-alive, reconnects, session ends).
 * The happy path, the refusals, the transient failures, the drops and the lost answers. The
 * guest's time is a ManualClock: nothing here waits for real.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, beforeEach, test as nodeTest } from 'node:test';

const test = (name: string, fn: () => Promise<void>) => nodeTest(name, { timeout: 8000 }, fn);
import { ConfigError, IntegrityError, RejectedError, UploadError, exitCodeFor } from '../../../src/errors/index.js';
import { WebMessagingGuest, type GuestOptions } from '../../../src/destinations/web-messaging/guest.js';
import { resolveWebMessagingOptions } from '../../../src/destinations/web-messaging/options.js';
import { memoryRecorder } from '../../../src/relay/recorder.js';
import { deliverOnce } from '../../../src/relay/deliver.js';
import { resolveRetryPolicy } from '../../../src/http/retry-policy.js';
import { openGuestVia, type GuestVia } from './guest-via.js';
import { ManualClock } from './manual-clock.js';
import { DEFAULT_SESSION, startScriptedServer, type ScriptedServer } from './scripted-server.js';

const dir = mkdtempSync(join(tmpdir(), 'wm-flow-'));
const pdf = join(dir, 'report.pdf');
const bytes = Buffer.alloc(5000, 7);
bytes.write('%PDF-1.7');
writeFileSync(pdf, bytes);
const sha = createHash('sha256').update(bytes).digest('hex');
const file = { filePath: pdf, fileName: 'report.pdf', fileType: 'application/pdf', size: bytes.length };

let server: ScriptedServer;
let clock: ManualClock;
const guests: Array<{ close(): Promise<void> }> = [];

before(async () => {
  server = await startScriptedServer();
});
after(async () => {
  while (guests.length > 0) await guests.pop()?.close();
  await server.close();
});
beforeEach(async () => {
  while (guests.length > 0) await guests.pop()?.close();
  server.script.onRequest = undefined;
  server.script.onPut = undefined;
  server.script.afterPut = undefined;
  server.script.refuseOrigin = undefined;
  server.script.failUpgrades = undefined;
  server.script.session = DEFAULT_SESSION;
  server.reset();
  clock = new ManualClock();
});

async function open(extra: Partial<GuestOptions> = {}, target = server): Promise<WebMessagingGuest> {
  const guest = await WebMessagingGuest.open({
    config: resolveWebMessagingOptions({ wsUrl: target.wsUrl, deploymentId: 'dep-1', origin: 'https://shop.example.com' }),
    clock,
    ...extra,
  });
  guests.push(guest);
  return guest;
}

/** The destination, its guest and `send` (sendVia) on the engine path. */
async function openVia(extra: Partial<Parameters<typeof openGuestVia>[0]> = {}): Promise<GuestVia> {
  const opened = await openGuestVia({
    config: resolveWebMessagingOptions({ wsUrl: server.wsUrl, deploymentId: 'dep-1', origin: 'https://shop.example.com' }),
    clock,
    policy: { baseDelayMs: 0, maxDelayMs: 0 },
    ...extra,
  });
  guests.push(opened);
  return opened;
}

const actions = (name: string) => server.seen.requests.filter((r) => r['action'] === name);

/** The first onMessage's answer is lost: the socket drops before the message is stored, or after. */
function loseFirstOnMessage(when: 'before-stored' | 'after-stored'): void {
  let lose = true;
  server.script.onRequest = (request, _reply, ws, next) => {
    if (request['action'] !== 'onMessage' || !lose) return false;
    lose = false;
    if (when === 'after-stored') next(() => ws.terminate());
    else ws.terminate();
    return true;
  };
}

function assertNoToken(error: unknown, token: string): void {
  assert.ok(error instanceof UploadError);
  assert.ok(!JSON.stringify(error.toJSON()).includes(token));
  assert.ok(!error.message.includes('s3cr3tsig'));
}

test('a PDF: session, onAttachment, one PUT with the given headers, success event, message', async () => {
  const { guest, send } = await openVia();
  const result = await send(file, { text: 'Your report' });
  assert.equal(result.sha256, sha);
  assert.equal(result.destination, 'web-messaging');
  const attachmentId = result.details['attachmentId'];
  assert.equal(result.uploadId, attachmentId);
  const [configure] = actions('configureSession');
  assert.equal(configure?.['startNew'], undefined);
  assert.equal(configure?.['deploymentId'], 'dep-1');
  const token = guest.tokenForOwnerOnlyFile();
  assert.match(token, /^[0-9a-f-]{36}$/);
  assert.ok(server.seen.requests.every((r) => r['token'] === token && typeof r['tracingId'] === 'string'));
  const [attach] = actions('onAttachment');
  assert.deepEqual({ ...attach, token: undefined, tracingId: undefined }, { action: 'onAttachment', attachmentId, fileName: 'report.pdf', fileType: 'application/pdf', fileSize: 5000, errorsAsJson: true, token: undefined, tracingId: undefined });
  assert.equal(server.seen.puts.length, 1);
  const put = server.seen.puts[0]!;
  assert.equal(put.sha256, sha);
  assert.equal(put.headers['content-type'], 'application/pdf');
  assert.equal(put.headers['content-length'], '5000');
  assert.equal(put.headers['x-amz-tagging'], 'organizationId=1234&originPlatform=PureCloud');
  assert.equal(put.headers['authorization'], undefined);
  assert.deepEqual(server.seen.messages, [{ id: result.messageId, text: 'Your report', attachmentIds: [attachmentId] }]);
  assert.equal(server.seen.upgrades[0]?.origin, 'https://shop.example.com');
});

test('unknown frames, classes and fields are ignored', async () => {
  server.script.onRequest = (request, reply, ws, next) => {
    ws.send('not json at all');
    ws.send(JSON.stringify({ type: 'message', class: 'SomethingNew', code: 200, body: { x: 1 } }));
    ws.send(JSON.stringify({ type: 'response', class: 'string', code: 400, body: 'for someone else', tracingId: 'not-ours' }));
    ws.send(JSON.stringify({ type: 'message', class: 'UploadSuccessEvent', code: 200, body: { attachmentId: 'someone-elses' } }));
    next((frame) => reply({ ...frame, extraField: { nested: true } }));
    return true;
  };
  const { send } = await openVia();
  assert.ok((await send(file)).messageId);
  assert.equal(server.seen.messages.length, 1);
});

test('an Origin the deployment refuses: HTTP 403 is a configuration error (exit 2)', async () => {
  server.script.refuseOrigin = 'https://shop.example.com';
  await assert.rejects(open(), (e: unknown) => e instanceof ConfigError && e.code === 'webmessaging.origin_refused' && exitCodeFor(e) === 2);
});

test('size exactly maxFileSizeKB × 1000 passes; one byte more is refused before any onAttachment', async () => {
  const { guest, send } = await openVia();
  assert.equal(guest.refuses({ ...file, size: 10_000 }), undefined);
  const big = join(dir, 'big.pdf');
  writeFileSync(big, Buffer.alloc(10_001, 1));
  await assert.rejects(send({ ...file, filePath: big, fileName: 'big.pdf' }), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.too_large' && /link store/.test(e.message));
  await assert.rejects(send({ ...file, fileName: 'tool.EXE', fileType: 'application/octet-stream' }), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.extension_blocked');
  assert.equal(actions('onAttachment').length, 0);
  assert.equal(server.seen.puts.length, 0);
  assert.equal(server.seen.messages.length, 0);
});

test('GenerateUrlError with an outer code of 400, 4001 or 200, traced or not: rejected, not retried', async () => {
  for (const [code, traced, errorCode, name] of [[400, true, 4001, 'webmessaging.type_not_allowed'], [4001, false, 4002, 'webmessaging.too_large'], [200, false, 4004, 'webmessaging.name_invalid'], [400, true, 4005, 'webmessaging.name_too_long'], [400, true, 4000, 'webmessaging.attachments_unavailable'], [400, true, 4102, 'webmessaging.file_empty']] as const) {
    server.seen.requests.length = 0;
    server.script.onRequest = (request, reply, ws) => {
      if (request['action'] !== 'onAttachment') return false;
      const frame = { type: code === 200 ? 'message' : 'response', class: 'GenerateUrlError', code, body: { attachmentId: request['attachmentId'], errorCode, errorMessage: `platform words ${errorCode}` } };
      if (traced) reply(frame);
      else ws.send(JSON.stringify(frame));
      return true;
    };
    const { guest, send } = await openVia();
    await assert.rejects(send(file), (e: unknown) => {
      assert.ok(e instanceof RejectedError, String(e));
      assert.equal(e.code, name);
      assert.match(e.message, new RegExp(`platform words ${errorCode}`));
      assertNoToken(e, guest.tokenForOwnerOnlyFile());
      return true;
    });
    assert.equal(actions('onAttachment').length, 1);
  }
  assert.equal(server.seen.puts.length, 0);
});

test('PUT 503 once and a reset once: retried on the same URL, one onAttachment', async () => {
  server.script.onPut = (n) => (n === 1 ? 503 : n === 2 ? 'reset' : undefined);
  const { send, events } = await openVia();
  const result = await send(file);
  assert.equal(result.sha256, sha);
  assert.equal(actions('onAttachment').length, 1);
  assert.equal(server.seen.puts.filter((p) => p.size === 5000).at(-1)?.sha256, sha);
  assert.equal(new Set(server.seen.puts.map((p) => p.path)).size, 1);
  const retries = events.flatMap((e) => (e.type === 'retry' ? [`${e.route}:${e.reason}`] : []));
  assert.equal(retries.length, 2, retries.join('; '));
  assert.match(retries[0]!, /storage:.*503/);
  assert.equal(result.retries, 2);
  assert.equal(server.seen.messages.length, 1);
});

test('an expired URL: a new onAttachment', async () => {
  server.script.onPut = (n) => (n === 1 ? 403 : undefined);
  const { send } = await openVia();
  const result = await send(file);
  assert.equal(actions('onAttachment').length, 2);
  assert.equal(result.details['attachmentId'], actions('onAttachment')[1]?.['attachmentId']);
  assert.deepEqual(server.seen.messages.map((m) => m.attachmentIds), [[result.details['attachmentId']]]);
});

test('UploadFailureEvent: the platform verdict, mapped, not retried', async () => {
  server.script.afterPut = () => 'failure';
  const { send } = await openVia();
  await assert.rejects(send(file), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.upload_refused' && /File content is invalid/.test(e.message));
  assert.equal(actions('onAttachment').length, 1);
  assert.equal(server.seen.puts.length, 1);
  assert.equal(server.seen.messages.length, 0);
});

test('no event within 60 s of the PUT: requested again', async () => {
  server.script.afterPut = (id) => (actions('onAttachment')[0]?.['attachmentId'] === id ? 'none' : 'success');
  const { send } = await openVia();
  const pending = send(file);
  await clock.nextSleep(60_000);
  clock.advance(60_000);
  const result = await pending;
  assert.equal(actions('onAttachment').length, 2);
  assert.equal(result.details['attachmentId'], actions('onAttachment')[1]?.['attachmentId']);
});

test('TooManyRequestsErrorMessage: retryAfter waited (on the clock), then sent again', async () => {
  let busy = true;
  server.script.onRequest = (request, reply) => {
    if (request['action'] !== 'onMessage' || !busy) return false;
    busy = false;
    reply({ type: 'response', class: 'TooManyRequestsErrorMessage', code: 429, body: { retryAfter: 3, errorCode: 4029, errorMessage: 'Message rate too high for this session' } });
    return true;
  };
  const { send } = await openVia();
  const sending = send(file);
  await clock.nextSleep(3000);
  assert.equal(server.seen.messages.length, 0);
  clock.advance(3000);
  await sending;
  assert.equal(actions('onMessage').length, 2);
  assert.equal(server.seen.messages.length, 1);
});

test('2 onMessage per second are honoured before sending', async () => {
  const guest = await open();
  await guest.send({ text: 'one' });
  await guest.send({ text: 'two' });
  const third = guest.send({ text: 'three' });
  await clock.nextSleep(1000);
  assert.equal(server.seen.messages.length, 2);
  clock.advance(1000);
  await third;
  assert.equal(server.seen.messages.length, 3);
});

test('the socket dropped during the PUT: reconnect, configureSession with the same token, upload requested again', async () => {
  server.script.onPut = (n) => {
    if (n === 1) for (const ws of server.sockets) ws.terminate();
    return undefined;
  };
  const { guest, send } = await openVia();
  const result = await send(file);
  const configures = actions('configureSession');
  assert.equal(configures.length, 2);
  assert.equal(configures[1]?.['token'], configures[0]?.['token']);
  assert.equal(configures[1]?.['startNew'], undefined);
  assert.equal(actions('onAttachment').length, 2);
  const attachmentId = result.details['attachmentId'];
  assert.equal(attachmentId, actions('onAttachment')[1]?.['attachmentId']);
  assert.equal(guest.connections, 2);
  assert.deepEqual(server.seen.messages.map((m) => m.attachmentIds), [[attachmentId]]);
});

test('the answer to onMessage lost after it was stored: found in the history, exactly one message', async () => {
  loseFirstOnMessage('after-stored');
  const { send } = await openVia();
  const result = await send(file);
  assert.equal(server.seen.messages.length, 1);
  assert.equal(result.messageId, server.seen.messages[0]?.id);
  assert.equal(actions('onMessage').length, 1, 'sent once: the history was asked instead of sending again');
  assert.deepEqual(server.seen.history, [{ authorization: 'Bearer jwt-secret-value' }]);
  assert.equal(actions('getJwt').length, 1);
});

test('the onMessage lost before it was stored: provably absent, sent once more, exactly one message', async () => {
  loseFirstOnMessage('before-stored');
  const { send } = await openVia();
  const result = await send(file);
  assert.equal(server.seen.messages.length, 1);
  assert.equal(result.messageId, server.seen.messages[0]?.id);
  assert.equal(actions('onMessage').length, 2);
  assert.equal(server.seen.history.length, 1);
});

test('a link (stored.link): a text-only message; lost before it was stored, found absent by its marker, sent once more', async () => {
  loseFirstOnMessage('before-stored');
  const { destination } = await openVia();
  const stored = { ref: 'links/abc', fileName: 'big.bin', contentType: 'application/octet-stream', size: 1, sha256: sha, verified: true, link: { url: 'https://l.example/abc', expiresAt: undefined } };
  const receipt = await deliverOnce({
    notifier: destination.notifier,
    delivery: { stored, text: 'here is your link https://l.example/abc' },
    recorder: memoryRecorder(),
    step: { signal: AbortSignal.timeout(5000), retry: resolveRetryPolicy(), emit: () => undefined },
  });
  assert.deepEqual(server.seen.messages, [{ id: receipt.messageId, text: 'here is your link https://l.example/abc', attachmentIds: [] }]);
  assert.equal(actions('onMessage').length, 2);
  assert.equal(actions('onAttachment').length, 0);
  assert.equal(server.seen.history.length, 1);
});

test('no pong by the next ping: the socket is dropped and the next request reconnects', async () => {
  const silent = await startScriptedServer({ autoPong: false });
  try {
    const guest = await open({}, silent);
    await clock.nextSleep(15_000);
    clock.advance(15_000); // ping
    await clock.nextSleep(15_000);
    clock.advance(15_000); // no pong: terminate
    await new Promise((resolve) => setTimeout(resolve, 50));
    await guest.send({ text: 'after' });
    assert.equal(guest.connections, 2);
    assert.equal(silent.seen.requests.filter((r) => r['action'] === 'configureSession').length, 2);
  } finally {
    await silent.close();
  }
});

test('session errors: unknown deployment and SessionExpiredEvent', async () => {
  server.script.onRequest = (request, reply) => {
    if (request['action'] !== 'configureSession') return false;
    reply({ type: 'response', class: 'string', code: 400, body: 'Invalid deploymentId' });
    return true;
  };
  await assert.rejects(open(), (e: unknown) => e instanceof ConfigError && e.code === 'webmessaging.deployment');
  server.script.onRequest = (request, _reply, ws) => {
    if (request['action'] !== 'onMessage') return false;
    ws.send(JSON.stringify({ type: 'message', class: 'SessionExpiredEvent', code: 200, body: {} }));
    return true;
  };
  const guest = await open();
  await assert.rejects(guest.send({ text: 'x' }), (e: unknown) => e instanceof RejectedError && e.code === 'webmessaging.session_ended');
});

test('an integrity verdict (UploadFailureEvent 4002) is exit 5', async () => {
  server.script.afterPut = () => 'none';
  const { send } = await openVia();
  const pending = send(file);
  await clock.nextSleep(60_000);
  for (const ws of server.sockets) ws.send(JSON.stringify({ type: 'message', class: 'UploadFailureEvent', code: 200, body: { attachmentId: actions('onAttachment')[0]?.['attachmentId'], errorCode: 4002, errorMessage: 'size mismatch' } }));
  await assert.rejects(pending, (e: unknown) => e instanceof IntegrityError && exitCodeFor(e) === 5);
  assert.equal(server.seen.messages.length, 0);
});

test('the first connection fails fast; a reconnect is retried every 5 s', async () => {
  const config = resolveWebMessagingOptions({ wsUrl: 'ws://127.0.0.1:9/v1', deploymentId: 'dep-1' });
  await assert.rejects(WebMessagingGuest.open({ config, clock }), (e: unknown) => e instanceof UploadError && e.code === 'webmessaging.unreachable' && e.kind === 'transient');
  assert.deepEqual(clock.slept, []);
  const guest = await open();
  guest.dropConnection();
  await new Promise((resolve) => setTimeout(resolve, 50));
  server.script.failUpgrades = 2;
  const sending = guest.send({ text: 'after two refusals' });
  await clock.nextSleep(5000);
  clock.advance(5000);
  await clock.nextSleep(5000);
  clock.advance(5000);
  await sending;
  assert.equal(guest.connections, 2);
  assert.equal(server.seen.messages.length, 1);
});

test('a class "string" 429 is waited out like TooManyRequests (3 s without retryAfter)', async () => {
  let busy = true;
  server.script.onRequest = (request, reply) => {
    if (request['action'] !== 'onMessage' || !busy) return false;
    busy = false;
    reply({ type: 'response', class: 'string', code: 429, body: 'Too many requests' });
    return true;
  };
  const guest = await open();
  const sending = guest.send({ text: 'x' });
  await clock.nextSleep(3000);
  clock.advance(3000);
  await sending;
  assert.equal(server.seen.messages.length, 1);
});

test('an existing guest token: no startNew, and the token never shows when the objects are inspected', async () => {
  const token = 'existing-guest-token-0123456789';
  const guest = await open({ token });
  assert.equal(guest.isNewGuest, false);
  const [configure] = actions('configureSession');
  assert.equal(configure?.['token'], token);
  assert.equal(configure?.['startNew'], undefined);
  await guest.send({ text: 'hello again' });
  assert.ok(!inspect(guest, { depth: 8, showHidden: false }).includes(token));
  server.script.onRequest = (request, reply) => {
    reply({ type: 'response', class: 'string', code: 4010, body: `Attachment ${String(request['action'])} not uploaded` });
    return true;
  };
  await assert.rejects(guest.send({ text: 'x', attachmentId: 'a' }), (e: unknown) => {
    assertNoToken(e, token);
    return (e as UploadError).code === 'webmessaging.attachment_not_uploaded';
  });
});

test('a storage refusal (HTTP 400) is not retried and shows no URL signature', async () => {
  server.script.onPut = () => 400;
  const { guest, send } = await openVia();
  await assert.rejects(send(file), (e: unknown) => {
    assertNoToken(e, guest.tokenForOwnerOnlyFile());
    return (e as UploadError).code === 'storage.rejected' && exitCodeFor(e) === 4;
  });
  assert.equal(server.seen.puts.length, 1);
  assert.equal(server.seen.messages.length, 0);
});
