/**
 * `serve --via`: browser-less tus uploads (tus-js-client, as the page does) through the service to
 * the emulator's Web Messaging (a new guest per upload; an existing guest's token, whose
 * conversation gets the message) and to an existing conversation (the media's SHA-256 is the
 * source's); a message whose answer was lost is found, not sent again. The guest token never appears in the job view, the SSE stream, the log, the job
 * database, the journal or the spool, and its kept file is gone once the job is delivered. Keys
 * of another destination, and files over the conversation's 25 MB, are refused at creation.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import * as tus from 'tus-js-client';
import { openWebMessagingDestination, resolveWebMessagingOptions } from '../../src/destinations/web-messaging/index.js';
import { DEMO_DEPLOYMENT_ID } from '../../src/emulator/index.js';
import type { JobView } from '../../src/server/index.js';
import { encodeMetadata, followJob, getJob, http, jobIdOf, sha256Hex, startTestService, terminal, TUS, type TestService } from './helpers.js';

interface WmState {
  webMessaging: { conversations: Array<{ sessionId: string; messages: Array<{ id: string; text?: string; attachments: Array<{ sha256: string; size: number }> }> }> };
}
interface ConversationState {
  conversations: { items: Array<{ id: string; messages: Array<{ id: string; textBody: string; media: Array<{ id: string; sha256: string; size: number }> }> }> };
}

function upload(url: string, data: Buffer, metadata: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new tus.Upload(data, {
      endpoint: `${url}/files/`,
      chunkSize: 256 * 1024,
      retryDelays: [],
      metadata,
      onSuccess: () => resolve(u.url!),
      onError: reject,
    });
    u.start();
  });
}

/** A log stream that keeps every line. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Every file under `dir`, recursively, as bytes. */
async function filesUnder(dir: string): Promise<Array<{ path: string; bytes: Buffer }>> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push({ path, bytes: await readFile(path) });
  }
  return out;
}

async function delivered(t: TestService, uploadUrl: string): Promise<{ job: JobView; events: JobView[] }> {
  const events = await followJob(t.url, jobIdOf(uploadUrl), terminal);
  const job = events.at(-1)!.data;
  assert.equal(job.state, 'delivered', JSON.stringify(job.error));
  return { job, events: events.map((e) => e.data) };
}

test('web-messaging: a new guest per upload; the attached bytes are the source\'s and the kept token is removed', async () => {
  const t = await startTestService({ via: 'web-messaging' });
  try {
    const data = randomBytes(700_000);
    const uploadUrl = await upload(t.url, data, { filename: 'report.pdf', filetype: 'application/pdf', text: 'Your report' });
    const { job } = await delivered(t, uploadUrl);
    assert.equal(job.destination, 'web-messaging');
    assert.equal(job.details['guest'], 'new');
    assert.match(job.details['guestId'] ?? '', /^[0-9a-f]{16}$/);
    assert.match(job.details['attachmentId'] ?? '', /\S/);
    assert.equal(job.details['delivery'], 'attachment');
    assert.deepEqual(job.to, []);
    const conversations = (t.service.emulator!.state() as unknown as WmState).webMessaging.conversations;
    const message = conversations.flatMap((c) => c.messages).find((m) => m.id === job.messageId);
    assert.equal(message?.text, 'Your report');
    assert.equal(message?.attachments[0]?.sha256, sha256Hex(data));
    assert.equal(job.sha256, sha256Hex(data));
    const kept = await readdir(join(t.service.stateDir, 'guests')).catch(() => []);
    assert.deepEqual(kept.filter((name) => name.endsWith('.token')), [], 'the delivered job\'s guest token is removed');
  } finally {
    await t.close();
  }
});

test('web-messaging: an existing guest\'s token sends into its conversation, and the token is never shown, logged or stored in the clear', async () => {
  const log = capture();
  const t = await startTestService({ via: 'web-messaging', logLevel: 'debug', logStream: log.stream });
  const token = `guest-${randomUUID()}`;
  const guest = await openWebMessagingDestination({
    config: resolveWebMessagingOptions({ wsUrl: `${t.emulatorUrl.replace(/^http/, 'ws')}/v1`, deploymentId: DEMO_DEPLOYMENT_ID }),
    token,
  });
  try {
    const hello = await guest.guest.send({ text: 'Hello, I will send the contract' });
    const data = randomBytes(300_000);
    const uploadUrl = await upload(t.url, data, { filename: 'contract.pdf', filetype: 'application/pdf', guesttoken: token });
    const id = jobIdOf(uploadUrl);
    const { job, events } = await delivered(t, uploadUrl);
    assert.equal(job.details['guest'], 'existing');
    const conversation = (t.service.emulator!.state() as unknown as WmState).webMessaging.conversations.find((c) => c.messages.some((m) => m.id === hello.messageId));
    assert.ok(conversation !== undefined);
    const message = conversation.messages.find((m) => m.id === job.messageId);
    assert.ok(message !== undefined, 'the file landed in the existing guest\'s conversation');
    assert.equal(message.attachments[0]?.sha256, sha256Hex(data));

    // Nowhere: the job view and list, the SSE events, the HEAD of the upload, the log, any file.
    const list = await http(`${t.url}/api/jobs`);
    const head = await http(uploadUrl, { method: 'HEAD', headers: { ...TUS } });
    const shown = [JSON.stringify(await getJob(t.url, id)), list.text, JSON.stringify(events), JSON.stringify(head.headers), log.text()];
    for (const text of shown) assert.ok(!text.includes(token), 'the guest token is not shown or logged');
    assert.match(log.text(), /message-sent/, 'the log was captured');
    await t.service.close();
    const files = [...(await filesUnder(t.service.stateDir)), ...(await filesUnder(t.service.spoolDir))];
    assert.ok(files.some((f) => f.path.endsWith('jobs.sqlite3')));
    for (const file of files) assert.ok(!file.bytes.includes(Buffer.from(token)), `the guest token is not in ${file.path}`);
  } finally {
    await guest.close();
    await t.close();
  }
});

test('web-messaging: the answer to the message is lost: the relay asks the guest\'s history and records it, one message', async () => {
  const t = await startTestService({ via: 'web-messaging' });
  try {
    t.service.emulator!.webMessaging.addFault({ action: 'lose-message-response' } as never);
    const data = randomBytes(100_000);
    const uploadUrl = await upload(t.url, data, { filename: 'lost.pdf', filetype: 'application/pdf' });
    const { job } = await delivered(t, uploadUrl);
    assert.deepEqual(t.service.emulator!.webMessaging.faults(), [], 'the answer was lost (the fault fired)');
    const sent = (t.service.emulator!.state() as unknown as WmState).webMessaging.conversations.flatMap((c) => c.messages).filter((m) => m.attachments.length > 0);
    assert.equal(sent.length, 1, 'exactly one message');
    assert.equal(sent[0]!.id, job.messageId);
    assert.equal(sent[0]!.attachments[0]!.sha256, sha256Hex(data));
  } finally {
    await t.close();
  }
});

test('conversation: the media is attached in the conversation, its SHA-256 the source\'s', async () => {
  const t = await startTestService({ via: 'conversation' });
  try {
    const created = await http(`${t.emulatorUrl}/__emulator/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profile: { allowedTypes: ['application/pdf'] } }),
    });
    const { id: conversationId } = created.json as { id: string };
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(500_000)]);
    const uploadUrl = await upload(t.url, data, { filename: 'invoice.pdf', filetype: 'application/pdf', conversationid: conversationId, text: 'The invoice' });
    const { job } = await delivered(t, uploadUrl);
    assert.equal(job.destination, 'conversation');
    assert.equal(job.details['conversationId'], conversationId);
    assert.match(job.details['communicationId'] ?? '', /\S/);
    assert.match(job.details['mediaId'] ?? '', /\S/);
    const conversation = (t.service.emulator!.state() as unknown as ConversationState).conversations.items.find((c) => c.id === conversationId);
    assert.equal(conversation?.messages.length, 1, 'exactly one message');
    const message = conversation.messages[0]!;
    assert.equal(message.id, job.messageId);
    assert.equal(message.textBody, 'The invoice');
    assert.equal(message.media[0]?.sha256, sha256Hex(data));
  } finally {
    await t.close();
  }
});

test('creation refuses keys of another destination, a missing conversationid, and a file over 25 MB for a conversation', async () => {
  const wm = await startTestService({ via: 'web-messaging' });
  const conv = await startTestService({ via: 'conversation' });
  try {
    const create = (url: string, size: number, metadata: Record<string, string>) =>
      http(`${url}/files/`, { method: 'POST', headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': encodeMetadata(metadata) } });
    const to = await create(wm.url, 10, { filename: 'a.pdf', to: '+15550100' });
    assert.equal(to.status, 400);
    assert.match(to.text, /"to" is not used by this service's destination \(web-messaging\)/);
    const guest = await create(conv.url, 10, { filename: 'a.pdf', conversationid: 'c-1', guesttoken: 'secret-token-value' });
    assert.equal(guest.status, 400);
    assert.ok(!guest.text.includes('secret-token-value'));
    const missing = await create(conv.url, 10, { filename: 'a.pdf' });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /"conversationid" is required/);
    const bad = await create(conv.url, 10, { filename: 'a.pdf', conversationid: 'not an id!' });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /"conversationid"/);
    const big = await create(conv.url, 25 * 1024 * 1024 + 1, { filename: 'a.pdf', conversationid: 'c-1' });
    assert.equal(big.status, 413);
    assert.match(big.text, /25 MB/);
    const config = await http(`${conv.url}/api/config`);
    assert.equal((config.json as { destination: string }).destination, 'conversation');
    assert.deepEqual((config.json as { metadataKeys: string[] }).metadataKeys, ['filename', 'filetype', 'text', 'conversationid', 'communicationid']);
  } finally {
    await wm.close();
    await conv.close();
  }
});
