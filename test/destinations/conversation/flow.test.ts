/**
 * The conversation destination end to end against a scripted Platform API on 127.0.0.1 (real
 * sockets, real resets, real 429s), every send through the engine and the notifier (`sendVia`), as
 * the CLI's; a link (a text alone) through the notifier's exactly-once delivery. A virtual clock for
 * the polling and back-off pauses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, ConfigError, IntegrityError, RejectedError, TransientError, exitCodeFor } from '../../../src/errors/index.js';
import { createConversationClient, type ConversationClient } from '../../../src/destinations/conversation/client.js';
import { PLATFORM_MAX_MEDIA_BYTES } from '../../../src/destinations/conversation/limits.js';
import type { ConversationEvent } from '../../../src/destinations/conversation/events.js';
import type { Receipt, StoredFile } from '../../../src/destinations/destination.js';
import { deliverOnce } from '../../../src/relay/deliver.js';
import { memoryRecorder } from '../../../src/relay/recorder.js';
import type { SendViaResult } from '../../../src/relay/index.js';
import type { UploadEvent } from '../../../src/upload/events.js';
import { conversationVia, sendToConversation, type SendExtra } from './conversation-via.js';
import { VirtualClock } from '../../unit/virtual-clock.js';
import { AGENT_COMM, startScriptedGenesys, type ScriptedGenesys } from './scripted-genesys.js';

const USER_TOKEN = 'user-token-SECRET-42';

interface Ctx {
  server: ScriptedGenesys;
  client: ConversationClient;
  clock: VirtualClock;
  events: ConversationEvent[];
  engineEvents: UploadEvent[];
  file(size: number, name?: string): Promise<{ path: string; sha256: string }>;
  send(path: string, extra?: SendExtra): Promise<SendViaResult>;
  /** A link's text alone, through the notifier's exactly-once delivery. */
  sendText(text: string, communicationId?: string): Promise<Receipt>;
}

async function withServer(fn: (ctx: Ctx) => Promise<void>, auth: 'client-credentials' | 'user' = 'client-credentials'): Promise<void> {
  const server = await startScriptedGenesys();
  const clock = new VirtualClock();
  const client = createConversationClient({
    apiUrl: server.url,
    auth: auth === 'user' ? { kind: 'user', token: USER_TOKEN } : { kind: 'client-credentials', loginUrl: server.url, clientId: 'c', clientSecret: 's' },
    clock,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'conv-flow-'));
  const events: ConversationEvent[] = [];
  const engineEvents: UploadEvent[] = [];
  let n = 0;
  try {
    await fn({
      server,
      client,
      clock,
      events,
      engineEvents,
      async file(size, name) {
        const data = randomBytes(size);
        const path = join(dir, name ?? `doc-${++n}.pdf`);
        await writeFile(path, data);
        return { path, sha256: createHash('sha256').update(data).digest('hex') };
      },
      send: (path, extra = {}) => sendToConversation(client, server.conversationId, path, extra, { events, engineEvents }),
      sendText: (text, communicationId) => {
        const { destination } = conversationVia(client, server.conversationId, { communicationId, onEvent: (e) => events.push(e) });
        const stored: StoredFile = { ref: 'links/x', fileName: 'x.bin', contentType: 'application/octet-stream', size: 1, sha256: '0'.repeat(64), verified: true, link: { url: text, expiresAt: undefined } };
        return deliverOnce({ notifier: destination.notifier, delivery: { stored, text }, recorder: memoryRecorder(), step: { signal: AbortSignal.timeout(10_000), retry: client.retryPolicy, emit: (e) => engineEvents.push(e) } });
      },
    });
  } finally {
    await client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const count = (server: ScriptedGenesys, route: string): number => server.requests.filter((r) => r.route === route).length;

test('a 5 MB PDF: agent communication found, exact PUT headers without Authorization, bytes match, one message', () =>
  withServer(async ({ server, file, send, events }) => {
    const { path, sha256 } = await file(5 * 1000 * 1000, 'invoice.pdf');
    const result = await send(path);
    assert.equal(result.messageId, 'msg-1');
    assert.equal(result.details['communicationId'], AGENT_COMM);
    assert.equal(result.details['mediaId'], 'media-1');
    assert.equal(result.sha256, sha256);
    const media = server.media[0];
    assert.equal(media?.sha256, sha256);
    assert.equal(media?.name, 'invoice.pdf');
    const put = media?.putHeaders[0] ?? {};
    assert.equal(put['authorization'], undefined);
    assert.equal(put['x-amz-tagging'], 'scope=conversation');
    assert.equal(put['content-length'], String(5 * 1000 * 1000));
    assert.deepEqual(Object.keys(put).sort(), ['connection', 'content-length', 'host', 'x-amz-tagging']);
    assert.deepEqual(server.messages, [{ id: 'msg-1', communicationId: AGENT_COMM, textBody: 'Your document', mediaIds: ['media-1'] }]);
    assert.ok(server.requests.filter((r) => r.route !== 'put' && r.route !== 'token').every((r) => r.authorization === 'Bearer cc-token'));
    assert.deepEqual(events[0], { type: 'communication-chosen', conversationId: 'conv-1', communicationId: AGENT_COMM, reason: 'agent', participantId: 'p-agent', purpose: 'agent', candidates: 1 });
    assert.ok(events.some((e) => e.type === 'message-sent' && e.messageId === 'msg-1'));
  }));

test('a given communication id skips the lookup', () =>
  withServer(async ({ server, file, send, events }) => {
    const { path } = await file(1000);
    await send(path, { communicationId: AGENT_COMM });
    assert.equal(count(server, 'conversation'), 0);
    assert.deepEqual(events[0], { type: 'communication-chosen', conversationId: 'conv-1', communicationId: AGENT_COMM, reason: 'given' });
  }));

test('text only: a link as textBody alone; a text too long for SMS is refused before anything is uploaded or sent', () =>
  withServer(async ({ server, file, send, sendText }) => {
    for (const p of server.participants) for (const m of p.messages) m.type = 'sms';
    const { path } = await file(10);
    await assert.rejects(send(path, { text: 'x'.repeat(766) }), (e: unknown) => e instanceof ConfigError && e.code === 'config.text' && /765/.test(e.message));
    assert.equal(count(server, 'upload'), 0);
    await assert.rejects(sendText(`https://files.example/${'x'.repeat(766)}`), (e: unknown) => e instanceof ConfigError && e.code === 'config.text' && /765/.test(e.message));
    assert.equal(count(server, 'send'), 0);
    const receipt = await sendText('https://files.example/x');
    assert.equal(receipt.details?.['mediaId'], undefined);
    assert.equal(receipt.messageId, 'msg-1');
    assert.deepEqual(server.messages[0]?.mediaIds, []);
    assert.equal(server.messages[0]?.textBody, 'https://files.example/x');
  }));

test('status stays uploading for a while: no send before valid; pauses grow', () =>
  withServer(async ({ server, file, send, clock }) => {
    server.statusPlan = [['uploading', 'uploading', 'uploading', 'valid']];
    const { path } = await file(2000);
    await send(path);
    const routes = server.requests.map((r) => r.route).filter((r) => r === 'media' || r === 'send');
    assert.deepEqual(routes, ['media', 'media', 'media', 'media', 'send']);
    assert.deepEqual(clock.slept, [250, 375, 562.5]);
  }));

test('invalid once: a new media is uploaded and sent; invalid twice: IntegrityError, nothing sent', () =>
  withServer(async ({ server, file, send, events }) => {
    server.statusPlan = [['invalid'], ['valid']];
    const { path, sha256 } = await file(3000);
    const result = await send(path);
    assert.equal(result.details['mediaId'], 'media-2');
    assert.deepEqual(events.flatMap((e) => (e.type === 'media-requested' ? [e.attempt] : [])), [1, 2]);
    assert.equal(server.media[1]?.sha256, sha256);
    assert.deepEqual(server.messages.map((m) => m.mediaIds), [['media-2']]);
    assert.ok(events.some((e) => e.type === 'media-invalid' && e.mediaId === 'media-1' && e.willRetry));

    server.statusPlan = [[], [], ['invalid'], ['invalid']];
    await assert.rejects(send(path), (e: unknown) => e instanceof IntegrityError && e.code === 'conversation.media_invalid' && exitCodeFor(e) === 5);
    assert.equal(server.messages.length, 1);
  }));

test('PUT 503 then a reset: retried to the same URL; 429 with Retry-After on the upload request is honoured', () =>
  withServer(async ({ server, file, send, clock, engineEvents }) => {
    server.faults.put = [{ status: 503, body: '<Error><Code>ServiceUnavailable</Code></Error>' }, 'reset'];
    server.faults.upload = [{ status: 429, headers: { 'retry-after': '7' }, body: { message: 'slow down', code: 'too.many.requests', status: 429 } }];
    const { path, sha256 } = await file(100_000);
    await send(path);
    assert.equal(count(server, 'put'), 3);
    assert.equal(count(server, 'upload'), 2);
    assert.equal(server.media.length, 1);
    assert.equal(server.media[0]?.sha256, sha256);
    assert.ok(clock.slept.includes(7000), `slept ${clock.slept.join(',')}`);
    assert.ok(engineEvents.some((e) => e.type === 'retry' && e.route === 'storage' && e.status === 503));
    assert.ok(engineEvents.some((e) => e.type === 'retry' && e.route === 'api' && e.status === 429 && e.delayMs === 7000));
  }));

test("the send's answer lost: settled by one lookup, exactly one message", () =>
  withServer(async ({ server, file, send, events }) => {
    server.faults.send = ['lose'];
    const { path } = await file(1234);
    const result = await send(path);
    assert.equal(result.messageId, 'msg-1');
    assert.equal(server.messages.length, 1);
    assert.equal(count(server, 'send'), 1);
    assert.equal(count(server, 'history'), 1);
    assert.equal(count(server, 'bulk'), 1);
    assert.ok(events.some((e) => e.type === 'message-settled' && e.found && e.messageId === 'msg-1'));
  }));

test('a send answered 500 (maybe processed) and provably absent is sent once more', () =>
  withServer(async ({ server, file, send }) => {
    server.faults.send = [{ status: 500 }];
    const { path } = await file(10);
    const result = await send(path);
    assert.equal(server.messages.length, 1);
    assert.equal(result.messageId, 'msg-1');
    assert.equal(count(server, 'history'), 1);
  }));

test('a disconnected communication: no connected one → clear error before any upload; a given one → 409 named', () =>
  withServer(async ({ server, file, send }) => {
    for (const p of server.participants) for (const m of p.messages) if (p.purpose === 'agent') m.state = 'disconnected';
    const { path } = await file(10);
    await assert.rejects(send(path), (e: unknown) => e instanceof RejectedError && e.code === 'conversation.no_connected_communication' && exitCodeFor(e) === 4);
    assert.equal(count(server, 'upload'), 0);
    await assert.rejects(send(path, { communicationId: AGENT_COMM }), (e: unknown) => e instanceof RejectedError && e.code === 'conversation.not_connected' && /disconnected/.test(e.message));
  }));

test('a token without the permission: 403 names it and the token kind (user token, never shown)', () =>
  withServer(async ({ server, file, send }) => {
    server.faults.upload = [{ status: 403, body: { message: 'Missing permission conversation:message:create', code: 'missing.permissions', status: 403 } }];
    const { path } = await file(10);
    await assert.rejects(send(path), (e: unknown) => {
      assert.ok(e instanceof AuthError && e.code === 'auth.missing_permission' && exitCodeFor(e) === 3);
      assert.match(e.message, /conversation:message:create/);
      assert.match(e.message, /supplied user access token/);
      assert.ok(!JSON.stringify(e).includes(USER_TOKEN) && !e.message.includes(USER_TOKEN));
      return true;
    });
    assert.equal(count(server, 'token'), 0);
    assert.ok(server.requests.filter((r) => r.route !== 'put').every((r) => r.authorization === `Bearer ${USER_TOKEN}`));
    server.faults.conversation = [{ status: 401 }, { status: 401 }];
    await assert.rejects(send(path), (e: unknown) => e instanceof AuthError && e.code === 'auth.user_token_rejected');
  }, 'user'));

test('limits: exactly 25 MiB goes; one byte over is refused before any request; 413/415 keep the platform words', () =>
  withServer(async ({ server, file, send }) => {
    const at = await file(PLATFORM_MAX_MEDIA_BYTES);
    await send(at.path);
    assert.equal(server.media[0]?.sha256, at.sha256);
    const before = server.requests.length;
    const over = await file(PLATFORM_MAX_MEDIA_BYTES + 1);
    await assert.rejects(send(over.path), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.too_large' && /--delivery link/.test(e.message));
    assert.equal(server.requests.length, before);
    await assert.rejects(send(at.path, { contentProfile: { allowedTypes: ['image/jpeg', 'image/png', 'image/gif'] } }), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.content_type');
    assert.equal(server.requests.length, before);

    server.faults.upload = [
      { status: 413, body: { message: 'The request is over the size limit. Maximum bytes: 1000', code: 'request.too.large', status: 413 } },
      { status: 415, body: { message: 'Media type application/pdf is not allowed', code: 'media.type.not.allowed', status: 415 } },
    ];
    const small = await file(2000);
    await assert.rejects(send(small.path), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.too_large' && /Maximum bytes: 1000/.test(e.message));
    await assert.rejects(send(small.path), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.content_type' && /application\/pdf is not allowed/.test(e.message));
  }));

test('status that never turns valid: bounded, transient, nothing sent; no URL signature in any error', () =>
  withServer(async ({ server, file, send }) => {
    server.statusPlan = [['uploading']];
    const { path } = await file(10);
    await assert.rejects(send(path, { poll: { timeoutMs: 30_000 } }), (e: unknown) => e instanceof TransientError && e.code === 'conversation.media_timeout');
    assert.equal(server.messages.length, 0);
    server.faults.put = [{ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' }, { status: 400, body: '<Error><Code>BadRequest</Code></Error>' }];
    await assert.rejects(send(path), (e: unknown) => {
      assert.ok(e instanceof RejectedError && e.code === 'storage.rejected');
      assert.ok(!e.message.includes('topsecret') && !JSON.stringify(e).includes('topsecret'));
      return true;
    });
    assert.equal(count(server, 'upload'), 3); // the expired URL got a new media once
  }));

test('a lost text-only send with two identical texts in the conversation cannot be settled: delivery.uncertain, never re-sent', () =>
  withServer(async ({ server, sendText }) => {
    await sendText('same', AGENT_COMM);
    server.faults.send = ['lose'];
    await assert.rejects(sendText('same', AGENT_COMM), (e: unknown) => e instanceof ConfigError && e.code === 'delivery.uncertain' && exitCodeFor(e) === 2);
    assert.equal(server.messages.length, 2);
    assert.equal(count(server, 'send'), 2);
  }));
