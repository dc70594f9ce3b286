/**
 * Web Messaging records survive a restart with a data directory of the user's: the conversation
 * continues with the same token, its messages show in the history and the state, the attachment
 * bytes still download. Without one, nothing is kept.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEmulator } from '../../../src/emulator/index.js';
import { Guest, upload, wsUrl } from './ws-client.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('persistence: a restart with the same --data-dir keeps sessions, attachments and messages', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'wm-persist-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const bytes = Buffer.from('%PDF-1.4 kept across restarts');
  let first = await startEmulator({ port: 0, dataDir });
  let token: string;
  let messageId: string;
  let attachmentId: string;
  try {
    const guest = await Guest.connect(t, wsUrl(first));
    token = guest.token;
    await guest.configure();
    attachmentId = await upload(guest, 'kept.pdf', 'application/pdf', bytes);
    messageId = (await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'kept', content: [{ contentType: 'Attachment', attachment: { id: attachmentId } }] } })).body.id;
  } finally {
    await first.close();
  }
  assert.ok((await readFile(join(dataDir, 'web-messaging', 'state.json'), 'utf8')).includes(messageId));

  first = await startEmulator({ port: 0, dataDir });
  t.after(() => first.close());
  const [conversation] = first.state().webMessaging.conversations;
  assert.deepEqual(conversation?.messages.map((m) => [m.id, m.attachments[0]?.sha256]), [[messageId, sha256(bytes)]]);
  const again = await Guest.connect(t, wsUrl(first), { token });
  assert.equal((await again.configure()).body.newSession, false, 'the conversation continues');
  const got = await again.ask({ action: 'getAttachment', attachmentId });
  assert.equal(sha256(Buffer.from(await (await fetch(got.body.url)).arrayBuffer())), sha256(bytes));
  const jwt = (await again.ask({ action: 'getJwt' })).body.jwt as string;
  const page = (await (await fetch(`${first.url}/api/v2/webmessaging/messages`, { headers: { Authorization: `Bearer ${jwt}` } })).json()) as { entities: Array<{ id: string }> };
  assert.deepEqual(page.entities.map((e) => e.id), [messageId]);
});

test('persistence: without a data directory a restart starts empty', async (t) => {
  const a = await startEmulator({ port: 0 });
  const guest = await Guest.connect(t, wsUrl(a));
  await guest.configure();
  await a.close();
  const b = await startEmulator({ port: 0 });
  t.after(() => b.close());
  assert.deepEqual(b.state().webMessaging.conversations, []);
});
