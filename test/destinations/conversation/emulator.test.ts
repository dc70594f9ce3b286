/**
 * The conversation destination against the project's emulator (its conversation-media routes, on
 * 127.0.0.1 port 0), every send through the engine and the notifier (`sendVia`): every delivered
 * media's SHA-256 is checked in the emulator's state. Faults are the emulator's own (real 503s,
 * resets, 429 with Retry-After, lost answers, corrupt uploads).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../../src/emulator/index.js';
import { AuthError, IntegrityError, RejectedError, exitCodeFor } from '../../../src/errors/index.js';
import { createConversationClient, type ConversationClient } from '../../../src/destinations/conversation/client.js';
import type { ConversationEvent } from '../../../src/destinations/conversation/events.js';
import type { SendViaResult } from '../../../src/relay/index.js';
import type { UploadEvent } from '../../../src/upload/events.js';
import { sendToConversation, type SendExtra } from './conversation-via.js';
import { abortableSleep, type Clock } from '../../../src/http/clock.js';
import { conversationDestination } from '../../../src/destinations/conversation/destination.js';
import type { StepContext } from '../../../src/destinations/destination.js';
import { store } from './seam-driver.js';

const LIMIT = 25_000_000; // the emulator's reading of "25 MB"
const DOCS = ['application/pdf', 'image/png', 'image/jpeg', 'image/gif'];

interface Conversation {
  id: string;
  participants: Array<{ id: string; purpose: string; communicationId: string; state: string }>;
}

interface Ctx {
  emulator: EmulatorHandle;
  client: ConversationClient;
  slept: number[];
  events: ConversationEvent[];
  engineEvents: UploadEvent[];
  conversation(profile?: { allowedTypes?: string[]; maxBytes?: number }): Promise<Conversation>;
  pdf(size: number, name?: string): Promise<{ path: string; sha256: string }>;
  send(conversationId: string, path: string, extra?: SendExtra): Promise<SendViaResult>;
  stateOf(conversationId: string): Promise<{ media: Array<{ id: string; status: string; sha256?: string; invalidReason?: string }>; messages: Array<{ id: string; textBody: string; media: Array<{ id: string; sha256: string; size: number }> }> }>;
}

/** Real time, with every requested pause recorded (so a Retry-After can be checked). */
function recordingClock(slept: number[]): Clock {
  return { now: () => Date.now(), sleep: (ms, signal) => (slept.push(ms), abortableSleep(ms, signal)) };
}

async function withEmulator(fn: (ctx: Ctx) => Promise<void>, options: StartEmulatorOptions = {}, credentials = { id: 'demo-client', secret: 'demo-secret' }): Promise<void> {
  // A short validation delay keeps the file fast; the test of a long `uploading` sets its own.
  const emulator = await startEmulator({ port: 0, conversations: { validationDelayMs: 100 }, ...options } as StartEmulatorOptions);
  const slept: number[] = [];
  const client = createConversationClient({
    apiUrl: emulator.url,
    auth: { kind: 'client-credentials', loginUrl: emulator.url, clientId: credentials.id, clientSecret: credentials.secret },
    clock: recordingClock(slept),
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'conv-emu-'));
  const events: ConversationEvent[] = [];
  const engineEvents: UploadEvent[] = [];
  let n = 0;
  try {
    await fn({
      emulator,
      client,
      slept,
      events,
      engineEvents,
      async conversation(profile = { allowedTypes: DOCS }) {
        const response = await fetch(`${emulator.url}/__emulator/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'webmessaging', profile }) });
        assert.equal(response.status, 201);
        return (await response.json()) as Conversation;
      },
      async pdf(size, name) {
        const data = randomBytes(size);
        data.write('%PDF-1.7\n', 0, 'latin1');
        const path = join(dir, name ?? `document-${++n}.pdf`);
        await writeFile(path, data);
        return { path, sha256: createHash('sha256').update(data).digest('hex') };
      },
      send: (conversationId, path, extra = {}) => sendToConversation(client, conversationId, path, extra, { events, engineEvents }),
      async stateOf(conversationId) {
        const state = (await emulator.state()) as unknown as { conversations: { items: Array<{ id: string }> } };
        const item = state.conversations.items.find((c) => c.id === conversationId);
        assert.ok(item, 'conversation in the state view');
        return item as never;
      },
    });
  } finally {
    await client.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const agentOf = (c: Conversation): string => c.participants.find((p) => p.purpose === 'agent')?.communicationId ?? '';

test('emulator: a 5 MB PDF is delivered on the agent communication, bytes verified, no Authorization on the PUT', () =>
  withEmulator(async ({ emulator, conversation, pdf, send, stateOf, events }) => {
    const conv = await conversation();
    const { path, sha256 } = await pdf(5 * 1000 * 1000, 'contract.pdf');
    const result = await send(conv.id, path);
    assert.equal(result.details['communicationId'], agentOf(conv));
    const state = await stateOf(conv.id);
    assert.equal(state.messages.length, 1);
    assert.equal(state.messages[0]?.id, result.messageId);
    assert.equal(state.messages[0]?.textBody, 'Your document');
    assert.equal(state.messages[0]?.media[0]?.sha256, sha256);
    const full = (await emulator.state()) as unknown as { conversations: { uploadAuthorizationSeen: boolean } };
    assert.equal(full.conversations.uploadAuthorizationSeen, false);
    assert.ok(events.some((e) => e.type === 'communication-chosen' && e.reason === 'agent' && e.communicationId === agentOf(conv)));
  }));

test('emulator: exactly the size limit is delivered; one byte over is refused with the platform words', () =>
  withEmulator(async ({ conversation, pdf, send, stateOf }) => {
    const conv = await conversation({ allowedTypes: DOCS, maxBytes: LIMIT });
    const at = await pdf(LIMIT);
    const ok = await send(conv.id, at.path);
    assert.equal((await stateOf(conv.id)).messages[0]?.media[0]?.sha256, at.sha256);
    assert.ok(ok.messageId);
    const over = await pdf(LIMIT + 1);
    await assert.rejects(send(conv.id, over.path), (e: unknown) => {
      assert.ok(e instanceof RejectedError && e.code === 'rejected.too_large' && exitCodeFor(e) === 4, String(e));
      assert.match(e.message, new RegExp(`Maximum bytes: ${LIMIT}`));
      assert.match(e.message, /--delivery link/);
      return true;
    });
    assert.equal((await stateOf(conv.id)).media.length, 1);
  }));

test('emulator: a type the content profile refuses (415 named; or refused before any request when the profile is known)', () =>
  withEmulator(async ({ conversation, pdf, send, stateOf }) => {
    const conv = await conversation({ allowedTypes: ['image/jpeg', 'image/png', 'image/gif'] });
    const { path } = await pdf(1000);
    await assert.rejects(send(conv.id, path), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.content_type' && e.status === 415 && /application\/pdf/.test(e.message));
    await assert.rejects(send(conv.id, path, { contentProfile: { allowedTypes: ['image/jpeg', 'image/png', 'image/gif'] } }), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.content_type' && e.status === undefined);
    assert.equal((await stateOf(conv.id)).media.length, 0);
  }));

test('emulator: the status stays uploading for a while; nothing is sent before valid', () =>
  withEmulator(
    async ({ emulator, conversation, pdf, send, stateOf, events }) => {
      const conv = await conversation();
      const { path, sha256 } = await pdf(10_000);
      await send(conv.id, path);
      const statuses = events.flatMap((e) => (e.type === 'media-status' ? [e.status] : []));
      assert.ok(statuses.filter((s) => s === 'uploading').length >= 2, statuses.join(','));
      assert.equal(statuses.at(-1), 'valid');
      const log = ((await emulator.state()) as unknown as { requestLog: Array<{ route: string }> }).requestLog.map((r) => r.route);
      const send1 = log.indexOf('conversation-send');
      assert.ok(send1 > log.lastIndexOf('media-status'));
      assert.equal((await stateOf(conv.id)).messages[0]?.media[0]?.sha256, sha256);
    },
    { conversations: { validationDelayMs: 1200 } } as StartEmulatorOptions,
  ));

test('emulator: invalid once → a new media is delivered; invalid twice → IntegrityError, nothing sent', () =>
  withEmulator(async ({ emulator, conversation, pdf, send, stateOf, events }) => {
    const conv = await conversation();
    const { path, sha256 } = await pdf(20_000);
    emulator.addFault({ route: 'media-put', action: 'corrupt', count: 1 } as never);
    const result = await send(conv.id, path);
    assert.deepEqual(events.flatMap((e) => (e.type === 'media-requested' ? [e.attempt] : [])), [1, 2]);
    const state = await stateOf(conv.id);
    assert.equal(state.media.length, 2);
    assert.equal(state.media[0]?.status, 'invalid');
    assert.equal(state.messages[0]?.media[0]?.id, result.details['mediaId']);
    assert.equal(state.messages[0]?.media[0]?.sha256, sha256);

    emulator.addFault({ route: 'media-put', action: 'corrupt', count: 2 } as never);
    await assert.rejects(send(conv.id, path), (e: unknown) => e instanceof IntegrityError && e.code === 'conversation.media_invalid' && exitCodeFor(e) === 5);
    assert.equal((await stateOf(conv.id)).messages.length, 1);
  }));

test('emulator: a PUT 503 and a reset are retried; a 429 with Retry-After is honoured', () =>
  withEmulator(async ({ emulator, conversation, pdf, send, stateOf, slept, engineEvents }) => {
    const conv = await conversation();
    const { path, sha256 } = await pdf(300_000);
    emulator.addFault({ route: 'media-put', action: 'status', status: 503, count: 1 } as never);
    emulator.addFault({ route: 'media-put', action: 'reset', afterBytes: 1000, count: 1 } as never);
    emulator.addFault({ route: 'media-uploads', action: 'status', status: 429, retryAfter: 1, count: 1 } as never);
    await send(conv.id, path);
    const state = await stateOf(conv.id);
    assert.equal(state.media.length, 1);
    assert.equal(state.messages[0]?.media[0]?.sha256, sha256);
    assert.ok(slept.includes(1000), `slept ${slept.join(',')}`);
    assert.equal(engineEvents.filter((e) => e.type === 'retry' && e.route === 'storage').length, 2);
    assert.ok(engineEvents.some((e) => e.type === 'retry' && e.route === 'api' && e.status === 429 && e.delayMs === 1000));
  }));

test("emulator: the send's answer lost → settled by reading the conversation: exactly one message", () =>
  withEmulator(async ({ emulator, conversation, pdf, send, stateOf, events }) => {
    const conv = await conversation();
    const { path, sha256 } = await pdf(5000);
    emulator.addFault({ route: 'conversation-send', action: 'lose-response', count: 1 } as never);
    const result = await send(conv.id, path);
    const state = await stateOf(conv.id);
    assert.equal(state.messages.length, 1);
    assert.equal(state.messages[0]?.id, result.messageId);
    assert.equal(state.messages[0]?.media[0]?.sha256, sha256);
    assert.ok(events.some((e) => e.type === 'message-settled' && e.found));
  }));

test('emulator: a disconnected communication is refused clearly', () =>
  withEmulator(async ({ emulator, conversation, pdf, send, stateOf }) => {
    const conv = await conversation();
    const agent = agentOf(conv);
    const response = await fetch(`${emulator.url}/__emulator/conversations/${conv.id}/communications/${agent}/disconnect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 200);
    const { path } = await pdf(1000);
    await assert.rejects(send(conv.id, path), (e: unknown) => e instanceof RejectedError && e.code === 'conversation.no_connected_communication' && /agent \(disconnected\)/.test(e.message));
    await assert.rejects(send(conv.id, path, { communicationId: agent }), (e: unknown) => e instanceof RejectedError && e.code === 'conversation.not_connected' && e.status === 409);
    assert.equal((await stateOf(conv.id)).media.length, 0);
  }));

test('emulator: a token without the permission → 403 naming it and the token kind', () =>
  withEmulator(
    async ({ emulator, conversation, pdf, send }) => {
      const conv = await conversation();
      const { path } = await pdf(1000);
      await assert.rejects(send(conv.id, path), (e: unknown) => {
        assert.ok(e instanceof AuthError && e.code === 'auth.missing_permission' && exitCodeFor(e) === 3, String(e));
        assert.match(e.message, /conversation:message:create/);
        assert.match(e.message, /client credentials/);
        assert.ok(!e.message.includes('limited-secret'));
        return true;
      });
      // The same refusal for a token handed over by the caller (as an agent-side app would).
      const issued = await fetch(`${emulator.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('limited:limited-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const token = ((await issued.json()) as { access_token: string }).access_token;
      const userClient = createConversationClient({ apiUrl: emulator.url, auth: { kind: 'user', token }, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
      try {
        await assert.rejects(sendToConversation(userClient, conv.id, path, { text: 't' }, { events: [], engineEvents: [] }), (e: unknown) => {
          assert.ok(e instanceof AuthError && e.code === 'auth.missing_permission', String(e));
          assert.match(e.message, /supplied user access token/);
          assert.ok(!e.message.includes(token) && !JSON.stringify(e).includes(token));
          return true;
        });
      } finally {
        await userClient.close();
      }
    },
    { clients: [{ id: 'demo-client', secret: 'demo-secret', permissions: ['files:upload'] }, { id: 'limited', secret: 'limited-secret', permissions: ['conversation:message:view'] }] } as StartEmulatorOptions,
    { id: 'limited', secret: 'limited-secret' },
  ));

test('emulator: the destination behind the engine seam stores one part and delivers it once', () =>
  withEmulator(async ({ client, conversation, pdf, stateOf }) => {
    const conv = await conversation();
    const { path, sha256 } = await pdf(64_000, 'scan.pdf');
    const data = await readFile(path);
    const dest = conversationDestination({ client, conversationId: conv.id, ownsClient: false });
    const step: StepContext = { signal: new AbortController().signal, retry: client.retryPolicy, emit: () => {} };
    const file = { fileName: 'scan.pdf', contentType: 'application/pdf', size: data.length };
    assert.equal(dest.store.refuses?.(file), undefined);
    const stored = await store(await dest.store.open(file, step), data, step);
    assert.equal(stored.sha256, sha256);
    const delivery = { stored, text: 'Scan attached' };
    const intent = await dest.notifier.prepare(delivery, step);
    const receipt = await dest.notifier.send(intent, delivery, step);
    assert.deepEqual(await dest.notifier.find!(intent, delivery, step), receipt);
    const state = await stateOf(conv.id);
    assert.equal(state.messages.length, 1);
    assert.equal(state.messages[0]?.id, receipt.messageId);
    assert.equal(state.messages[0]?.media[0]?.sha256, sha256);
  }));
