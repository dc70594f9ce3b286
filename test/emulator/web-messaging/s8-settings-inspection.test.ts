/**
 * Web Messaging settings and inspection: the `webMessaging` settings key is patchable at runtime
 * like the others, and GET /__emulator/state shows each conversation's messages and attachments
 * (SHA-256, size, name, type) as an agent would see them, never a guest token.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DEMO_DEPLOYMENT_ID, emulatorFor, Guest, onAttachmentFrame, upload, wsUrl } from './ws-client.js';

test('settings: the demo deployment by default; PATCH /__emulator/config changes deployments and limits', async (t) => {
  const emulator = await emulatorFor(t);
  const config = (await (await fetch(`${emulator.url}/__emulator/config`)).json()) as { webMessaging: { deployments: Array<{ id: string; urlTtlSeconds: number }> } };
  assert.deepEqual(config.webMessaging.deployments.map((d) => [d.id, d.urlTtlSeconds]), [[DEMO_DEPLOYMENT_ID, 600]]);
  const patch = { webMessaging: { deployments: [{ id: 'tiny', maxFileSizeKB: 1, urlTtlSeconds: 30 }], limits: { messagesPerSessionPerSecond: 5 } } };
  const res = await fetch(`${emulator.url}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  assert.equal(res.status, 200);
  const settings = emulator.settings().webMessaging;
  assert.deepEqual(settings.deployments.map((d) => d.id), ['tiny']);
  assert.equal(settings.deployments[0]?.fileTypes?.[0], '*/*', 'omitted fields take their defaults');
  assert.equal(settings.limits.messagesPerSessionPerSecond, 5);
  assert.equal(settings.limits.connectionsPerSession, 3);
  const guest = await Guest.connect(t, wsUrl(emulator, 'tiny'));
  assert.equal((await guest.configure('tiny')).body.allowedMedia.inbound.maxFileSizeKB, 1);
  assert.equal((await guest.ask(onAttachmentFrame('a.txt', 'text/plain', 1001))).body.errorCode, 4002);
  const bad = await fetch(`${emulator.url}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webMessaging: { deployments: [{ id: 'x', fileTypes: ['nonsense'] }] } }) });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { message: string }).message, /webMessaging/);
});

test('inspection: conversations with messages and attachments (sha256, size, name, type) over HTTP', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  await guest.configure();
  const bytes = Buffer.from('photo bytes');
  const id = await upload(guest, 'photo.jpg', 'image/jpeg', bytes);
  const sent = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'see photo', content: [{ contentType: 'Attachment', attachment: { id } }] } });
  const text = await (await fetch(`${emulator.url}/__emulator/state`)).text();
  assert.ok(!text.includes(guest.token), 'no guest token in the state');
  const state = JSON.parse(text) as ReturnType<typeof emulator.state>;
  const [conversation] = state.webMessaging.conversations;
  assert.equal(conversation?.deploymentId, DEMO_DEPLOYMENT_ID);
  assert.deepEqual(conversation?.messages[0]?.attachments, [
    { id, fileName: 'photo.jpg', fileType: 'image/jpeg', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
  ]);
  assert.equal(conversation?.messages[0]?.id, sent.body.id);
  assert.deepEqual(conversation?.attachments[0]?.sentIn, [sent.body.id]);
  assert.equal(state.counters['wm-upload']?.statuses['200'], 1);
});
