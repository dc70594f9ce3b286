/**
 * The conversation destination behind the engine's seam, driven the way the engine drives a store
 * and a notifier (a minimal driver here: one part, PUT with exactly the part request's headers,
 * refresh on 403, complete with resend rounds, then prepare/send, find after a lost answer),
 * against the scripted Platform API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { conversationDestination } from '../../../src/destinations/conversation/destination.js';
import { createConversationClient } from '../../../src/destinations/conversation/client.js';
import type { ConversationEvent } from '../../../src/destinations/conversation/events.js';
import type { Destination, FileFacts, RemoteSession, StepContext, StoredFile } from '../../../src/destinations/destination.js';
import { IntegrityError, RejectedError, TransientError } from '../../../src/errors/index.js';
import { provablyNotSent } from '../../../src/destinations/conversation/find-message.js';
import type { UploadEvent } from '../../../src/upload/events.js';
import { VirtualClock } from '../../unit/virtual-clock.js';
import { AGENT_COMM, startScriptedGenesys, type ScriptedGenesys } from './scripted-genesys.js';
import { store } from './seam-driver.js';

interface Run {
  server: ScriptedGenesys;
  dest: Destination;
  step: StepContext;
  events: ConversationEvent[];
  engineEvents: UploadEvent[];
}

async function withDestination(fn: (run: Run) => Promise<void>, profile?: { allowedTypes: string[] }): Promise<void> {
  const server = await startScriptedGenesys();
  const client = createConversationClient({
    apiUrl: server.url,
    auth: { kind: 'client-credentials', loginUrl: server.url, clientId: 'c', clientSecret: 's' },
    clock: new VirtualClock(),
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
  });
  const events: ConversationEvent[] = [];
  const engineEvents: UploadEvent[] = [];
  const dest = conversationDestination({ client, conversationId: server.conversationId, contentProfile: profile, onEvent: (e) => events.push(e) });
  const step: StepContext = { signal: new AbortController().signal, retry: client.retryPolicy, emit: (e) => engineEvents.push(e) };
  try {
    await fn({ server, dest, step, events, engineEvents });
  } finally {
    await dest.close();
    await server.close();
  }
}

const facts = (data: Buffer, fileName = 'contract.pdf'): FileFacts => ({ fileName, contentType: 'application/pdf', size: data.length });

test('seam: one part on the media URL, complete polls until valid, the notifier sends the media', () =>
  withDestination(async ({ server, dest, step, events }) => {
    const data = randomBytes(50_000);
    assert.equal(dest.store.refuses?.(facts(data)), undefined);
    server.statusPlan = [['uploading', 'valid']];
    const session = await dest.store.open(facts(data), step);
    assert.deepEqual(session.plan, { totalSize: data.length, chunkSize: data.length, maxChunks: 1, chunks: 1 });
    assert.equal(session.held.size, 0);
    const stored = await store(session, data, step);
    assert.deepEqual(stored.ref, { conversationId: 'conv-1', communicationId: AGENT_COMM, mediaId: 'media-1' });
    assert.equal(server.media[0]?.sha256, stored.sha256);
    assert.deepEqual(session.state(), { conversationId: 'conv-1', communicationId: AGENT_COMM, mediaId: 'media-1', attempt: 1 });
    const delivery = { stored, text: 'Signed contract' };
    const intent = await dest.notifier.prepare(delivery, step);
    assert.deepEqual(intent, { conversationId: 'conv-1', communicationId: AGENT_COMM, mediaId: 'media-1' });
    const receipt = await dest.notifier.send(intent, delivery, step);
    assert.equal(receipt.messageId, 'msg-1');
    assert.deepEqual(server.messages[0]?.mediaIds, ['media-1']);
    assert.ok(events.some((e) => e.type === 'communication-chosen' && e.reason === 'agent'));
    assert.deepEqual(await dest.notifier.find!(intent, delivery, step), receipt);
  }));

test('seam: an invalid media asks for a resend on a new media; twice is an IntegrityError; an expired URL is refreshed', () =>
  withDestination(async ({ server, dest, step }) => {
    const data = randomBytes(1000);
    server.statusPlan = [[], ['invalid'], ['valid']]; // media-1's URL expires before its PUT
    server.faults.put = [{ status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' }];
    const session = await dest.store.open(facts(data), step);
    const stored = await store(session, data, step);
    assert.equal((stored.ref as { mediaId: string }).mediaId, 'media-3'); // expired → media-2, invalid → media-3
    assert.equal(server.media[2]?.sha256, stored.sha256);

    server.statusPlan = [[], [], [], ['invalid'], ['invalid']];
    const again = await dest.store.open(facts(data), step);
    await assert.rejects(store(again, data, step), (e: unknown) => e instanceof IntegrityError && e.code === 'conversation.media_invalid');
  }));

test('seam: a lost answer is found once; a link goes as text alone; refusals and resume', () =>
  withDestination(async ({ server, dest, step }) => {
    const data = randomBytes(100);
    const session = await dest.store.open(facts(data), step);
    const stored = await store(session, data, step);
    const delivery = { stored, text: 'x' };
    const intent = await dest.notifier.prepare(delivery, step);
    assert.equal(await dest.notifier.find!(intent, delivery, step), undefined); // provably absent
    server.faults.send = ['lose'];
    await assert.rejects(dest.notifier.send(intent, delivery, step), (e: unknown) => e instanceof TransientError && !provablyNotSent(e));
    assert.equal((await dest.notifier.find!(intent, delivery, step))?.messageId, 'msg-1');
    assert.equal(server.messages.length, 1);

    const link: StoredFile = { ref: 'https://files.example/k', fileName: 'big.iso', contentType: 'application/octet-stream', size: 1e9, sha256: 'ab', verified: true, link: { url: 'https://files.example/k?sig=1', expiresAt: undefined } };
    const linkIntent = await dest.notifier.prepare({ stored: link, text: 'Download: https://files.example/k' }, step);
    await dest.notifier.send(linkIntent, { stored: link, text: 'Download: https://files.example/k' }, step);
    assert.deepEqual(server.messages[1]?.mediaIds, []);

    // resume: a valid media is kept (held), an unknown one starts over
    const resumed = await dest.store.resume(session.state(), facts(data), step);
    assert.equal(resumed?.held.has(0), true);
    assert.equal((resumed as { resumed?: boolean } | undefined)?.resumed, true);
    assert.equal((await store(resumed as RemoteSession, data, step)).sha256, stored.sha256); // held: straight to complete
    const mediaBefore = server.media.length;
    const again = await resumed?.partRequest({ index: 0, start: 0, length: data.length, checksum: 'sha256:x', checksumBase64: 'x' });
    assert.match(again?.url ?? '', new RegExp(`/storage/media-${mediaBefore + 1}\\?`)); // a resumed session PUTs to a new media
    assert.equal(await dest.store.resume({ conversationId: 'conv-1', communicationId: AGENT_COMM, mediaId: 'gone', attempt: 1 }, facts(data), step), undefined);
    assert.equal(await dest.store.resume({ nonsense: true }, facts(data), step), undefined);

    server.faults.send = [{ status: 409, body: { message: 'Communication is disconnected', code: 'communication.disconnected', status: 409 } }];
    await assert.rejects(dest.notifier.send(intent, delivery, step), (e: unknown) => e instanceof RejectedError && provablyNotSent(e));
  }));

test('seam: the content profile refuses before any request', () =>
  withDestination(
    async ({ server, dest }) => {
      const refusal = dest.store.refuses?.(facts(Buffer.alloc(10), 'report.pdf'));
      assert.ok(refusal?.error instanceof RejectedError && refusal.error.code === 'rejected.content_type');
      assert.equal(server.requests.length, 0);
    },
    { allowedTypes: ['image/jpeg', 'image/png', 'image/gif'] },
  ));
