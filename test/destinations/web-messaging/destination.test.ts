/**
 * The adapter on the draft destination seam, driven the way the engine drives a store (open, PUT
 * each part as `partRequest` says, accept, complete) and a notifier (prepare, send, find), against
 * the scripted server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { RejectedError, TransientError } from '../../../src/errors/index.js';
import type { Destination, FileFacts, PartToPut, StepContext, StoredFile } from '../../../src/destinations/destination.js';
import { openWebMessagingDestination } from '../../../src/destinations/web-messaging/destination.js';
import { resolveWebMessagingOptions } from '../../../src/destinations/web-messaging/options.js';
import { resolveRetryPolicy } from '../../../src/http/retry-policy.js';
import type { UploadEvent } from '../../../src/upload/events.js';
import { ManualClock } from './manual-clock.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

let server: ScriptedServer;
before(async () => {
  server = await startScriptedServer();
});
after(async () => {
  await server.close();
});

const body = Buffer.from('%PDF-1.7 a small document for the adapter test');
const sha = createHash('sha256').update(body).digest();
const file: FileFacts = { fileName: 'doc.pdf', contentType: 'application/pdf', size: body.length };
const events: UploadEvent[] = [];
const step: StepContext = { signal: AbortSignal.timeout(20_000), retry: resolveRetryPolicy(), emit: (e) => events.push(e) };
const part: PartToPut = { index: 0, start: 0, length: body.length, checksum: `sha256:${sha.toString('hex')}`, checksumBase64: sha.toString('base64') };

async function storeOnce(destination: Destination): Promise<StoredFile> {
  const session = await destination.store.open(file, step);
  assert.equal(session.plan.chunks, 1);
  assert.match((session as unknown as { id: string }).id, /^[0-9a-f-]{36}$/);
  for (let round = 0; round < 3; round++) {
    const put = await session.partRequest(part);
    assert.equal(put.headers['authorization'], undefined);
    const response = await request(put.url, { method: 'PUT', headers: { ...put.headers, 'content-length': String(body.length) }, body });
    await response.body.dump();
    assert.equal(response.statusCode, 200);
    const stored = session.accept(part, undefined);
    assert.ok(stored !== 'damaged');
    const done = await session.complete([stored], { sha256: sha.toString('hex'), size: body.length }, step);
    if ('stored' in done) {
      assert.deepEqual(session.state(), { attachmentId: (done.stored.ref as { attachmentId: string }).attachmentId, uploaded: true });
      return done.stored;
    }
    assert.deepEqual(done.resend, [0]);
  }
  throw new Error('not stored in 3 rounds');
}

test('store and notifier on the seam: one part, the success event, one message; state holds no token', async () => {
  const destination = await openWebMessagingDestination({ config: resolveWebMessagingOptions({ wsUrl: server.wsUrl, deploymentId: 'dep-2' }), clock: new ManualClock() });
  try {
    const token = (destination as unknown as { guest: { tokenForOwnerOnlyFile(): string } }).guest.tokenForOwnerOnlyFile();
    assert.equal(destination.store.refuses?.({ ...file, fileName: 'x.exe' })?.error.code, 'webmessaging.extension_blocked');
    const stored = await storeOnce(destination);
    assert.equal(server.seen.puts.at(-1)?.sha256, sha.toString('hex'));
    assert.equal(server.seen.puts.at(-1)?.headers['content-type'], 'application/pdf');
    const delivery = { stored, text: 'Your document' };
    const intent = await destination.notifier.prepare(delivery, step);
    assert.ok(!JSON.stringify(intent).includes(token));
    assert.ok(!destination.targetKey.includes(token));
    const receipt = await destination.notifier.send(intent, delivery, step);
    assert.equal(server.seen.messages.length, 1);
    assert.deepEqual(await destination.notifier.find!(intent, delivery, step), { messageId: receipt.messageId });
    assert.ok(!events.some((e) => e.type === 'initiated'), 'the engine announces the upload, once; the store does not');
    assert.equal(destination.notifier.provablyNotSent(new RejectedError('webmessaging.attachment_not_uploaded', 'x')), true);
    assert.equal(destination.notifier.provablyNotSent(new TransientError('webmessaging.connection_lost', 'x')), false);
    assert.equal(destination.notifier.provablyNotSent(new TransientError('webmessaging.no_answer', 'x')), false);
    assert.equal(destination.notifier.provablyNotSent(new Error('bug')), false);
  } finally {
    await destination.close();
  }
});

test('socket dropped before the success event: complete asks for the part again on a new URL', async () => {
  server.reset();
  let first = true;
  server.script.afterPut = () => {
    if (!first) return 'success';
    first = false;
    for (const ws of server.sockets) ws.terminate();
    return 'none';
  };
  const destination = await openWebMessagingDestination({ config: resolveWebMessagingOptions({ wsUrl: server.wsUrl, deploymentId: 'dep-2' }), clock: new ManualClock() });
  try {
    await storeOnce(destination);
    const attachments = server.seen.requests.filter((r) => r['action'] === 'onAttachment');
    assert.equal(attachments.length, 2);
    assert.equal(new Set(server.seen.puts.map((p) => p.path)).size, 2);
  } finally {
    server.script.afterPut = undefined;
    await destination.close();
  }
});
