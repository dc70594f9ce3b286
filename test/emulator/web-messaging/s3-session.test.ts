/**
 * Web Messaging contract §3 (session): SessionResponse from the deployment's settings, the same
 * token continuing its conversation, startNew, unknown deployments, read-only ended sessions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_DEPLOYMENT_ID, emulatorFor, Guest, onAttachmentFrame, wsUrl } from './ws-client.js';

test('§3 the default deployment: */*, 10240 KB, blocked extensions, duration and expiry', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  guest.send({ token: guest.token, deploymentId: DEMO_DEPLOYMENT_ID, startNew: true, tracingId: 'tracing_id', action: 'configureSession' });
  const f = await guest.byClass('SessionResponse');
  assert.equal(f.type, 'response');
  assert.equal(f.code, 200);
  assert.equal(f.tracingId, 'tracing_id');
  assert.equal(f.body.connected, true);
  assert.equal(f.body.newSession, true);
  assert.equal(f.body.readOnly, false);
  assert.deepEqual(f.body.allowedMedia, { inbound: { fileTypes: [{ type: '*/*' }], maxFileSizeKB: 10240 } });
  assert.ok(f.body.blockedExtensions.includes('.exe'));
  assert.equal(f.body.maxCustomDataBytes, 2048);
  assert.equal(f.body.durationSeconds, 259200);
  const expected = Math.floor(emulator.state().now / 1000) + 259200;
  assert.ok(Math.abs(f.body.expirationDate - expected) <= 2, 'expirationDate is epoch seconds');
});

test('§3 SessionResponse follows per-deployment settings (fileTypes with wildcards, size, blocked extensions)', async (t) => {
  const deployment = { id: 'claims', fileTypes: ['image/png', 'application/*'], maxFileSizeKB: 5, blockedExtensions: ['.zip'] };
  const emulator = await emulatorFor(t, { webMessaging: { deployments: [deployment] } });
  const guest = await Guest.connect(t, wsUrl(emulator, 'claims'));
  const f = await guest.configure('claims');
  assert.deepEqual(f.body.allowedMedia, { inbound: { fileTypes: [{ type: 'image/png' }, { type: 'application/*' }], maxFileSizeKB: 5 } });
  assert.deepEqual(f.body.blockedExtensions, ['.zip']);
});

test('§3 a deployment without attachments has no allowedMedia and answers onAttachment with 4000', async (t) => {
  const emulator = await emulatorFor(t, { webMessaging: { deployments: [{ id: 'text-only', fileTypes: null }] } });
  const guest = await Guest.connect(t, wsUrl(emulator, 'text-only'));
  const f = await guest.configure('text-only');
  assert.equal('allowedMedia' in f.body, false);
  const refused = await guest.ask(onAttachmentFrame('a.pdf', 'application/pdf', 10));
  assert.equal(refused.class, 'GenerateUrlError');
  assert.equal(refused.body.errorCode, 4000);
});

test('§3 an unknown deployment: class "string", code 400, "Invalid deploymentId"', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator, 'nope'));
  const f = await guest.configure('nope');
  assert.deepEqual({ ...f, tracingId: undefined }, { type: 'response', class: 'string', code: 400, body: 'Invalid deploymentId', tracingId: undefined });
});

test('§3 the same token continues its conversation; startNew begins another', async (t) => {
  const emulator = await emulatorFor(t);
  const a = await Guest.connect(t, wsUrl(emulator));
  assert.equal((await a.configure()).body.newSession, true);
  a.ws.close();
  const b = await Guest.connect(t, wsUrl(emulator), { token: a.token });
  assert.equal((await b.configure()).body.newSession, false);
  assert.equal(emulator.state().webMessaging.conversations.length, 1);
  const fresh = await b.configure(DEMO_DEPLOYMENT_ID, true);
  assert.equal(fresh.body.newSession, true);
  const conversations = emulator.state().webMessaging.conversations;
  assert.equal(conversations.length, 2);
  assert.deepEqual(conversations.map((c) => c.ended), [true, false]);
  assert.ok(!JSON.stringify(emulator.state()).includes(a.token), 'the guest token never appears in the state');
});

test('§3 an expired session: SessionExpiredEvent, readOnly on configure, 4006 on requests', async (t) => {
  const emulator = await emulatorFor(t, { webMessaging: { deployments: [{ id: 'short', sessionDurationSeconds: 900 }] } });
  const guest = await Guest.connect(t, wsUrl(emulator, 'short'));
  await guest.configure('short');
  emulator.advanceClock(901_000);
  const refused = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'late' } });
  assert.equal(refused.class, 'string');
  assert.equal(refused.code, 4006);
  assert.equal((await guest.byClass('SessionExpiredEvent')).type, 'message');
  const again = await guest.configure('short');
  assert.equal(again.class, 'SessionResponse');
  assert.equal(again.body.readOnly, true);
  const viaNew = await guest.configure('short', true);
  assert.equal(viaNew.body.readOnly, false, 'startNew begins a fresh conversation');
});
