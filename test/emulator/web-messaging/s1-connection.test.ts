/**
 * Web Messaging contract §1 (connection): the socket at /v1 beside the REST API, Origin checks,
 * ping/pong, echo, and the per-connection and per-session connection limits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_DEPLOYMENT_ID, emulatorFor, Guest, upgradeStatus, wsUrl } from './ws-client.js';

const RESTRICTED = { id: 'restricted', allowedOrigins: ['https://shop.example.com'] };

test('§1 the socket is served at /v1 on the emulator port; other paths refuse the upgrade', async (t) => {
  const emulator = await emulatorFor(t);
  assert.equal(await upgradeStatus(wsUrl(emulator)), 101);
  assert.equal(await upgradeStatus(`${emulator.url.replace('http', 'ws')}/v2?deploymentId=x`), 404);
  // The REST API keeps working on the same port.
  assert.equal((await fetch(`${emulator.url}/__emulator/state`)).status, 200);
});

test('§1 a deployment restricting origins refuses other Origins with 403 and accepts its own', async (t) => {
  const emulator = await emulatorFor(t, { webMessaging: { deployments: [RESTRICTED] } });
  const url = wsUrl(emulator, 'restricted');
  assert.equal(await upgradeStatus(url, 'https://evil.example.net'), 403);
  assert.equal(await upgradeStatus(url), 403, 'no Origin at all is refused too');
  assert.equal(await upgradeStatus(url, 'https://shop.example.com'), 101);
  const guest = await Guest.connect(t, url, { origin: 'https://shop.example.com' });
  const session = await guest.configure('restricted');
  assert.equal(session.class, 'SessionResponse');
});

test('§1 WebSocket ping is answered with pong', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  const pong = new Promise<Buffer>((resolve) => guest.ws.once('pong', resolve));
  guest.ws.ping(Buffer.from('keepalive'));
  assert.equal((await pong).toString(), 'keepalive');
});

test('§1 echo answers a StructuredMessage response with the tracingId (SDK fixture shape)', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  guest.send({ tracingId: 'SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=', action: 'echo', message: { text: 'ping', type: 'Text' } });
  const frame = await guest.byClass('StructuredMessage');
  assert.equal(frame.type, 'response');
  assert.equal(frame.code, 200);
  assert.equal(frame.tracingId, 'SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=');
  assert.equal(frame.body.text, 'ping');
  assert.equal(frame.body.type, 'Text');
  assert.equal(frame.body.direction, 'Inbound');
  assert.equal(typeof frame.body.id, 'string');
});

test('§1 60 requests per connection per minute; the 61st is TooManyRequests; the window moves with the clock', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  for (let i = 0; i < 60; i += 1) guest.send({ action: 'echo', tracingId: `e${i}`, message: { type: 'Text', text: 'ping' } });
  await guest.next((f) => f.tracingId === 'e59');
  const limited = await guest.ask({ action: 'echo', message: { type: 'Text', text: 'ping' } });
  assert.equal(limited.class, 'TooManyRequestsErrorMessage');
  assert.equal(limited.body.errorCode, 4029);
  assert.ok(limited.body.retryAfter >= 1 && limited.body.retryAfter <= 60, `retryAfter ${limited.body.retryAfter}`);
  assert.equal(typeof limited.body.errorMessage, 'string');
  // Another connection has its own budget.
  const other = await Guest.connect(t, wsUrl(emulator));
  assert.equal((await other.ask({ action: 'echo', message: { type: 'Text', text: 'ping' } })).class, 'StructuredMessage');
  emulator.advanceClock(60_000);
  assert.equal((await guest.ask({ action: 'echo', message: { type: 'Text', text: 'ping' } })).class, 'StructuredMessage');
});

test('§1 three connections per session: a fourth closes the oldest with ConnectionClosedEvent', async (t) => {
  const emulator = await emulatorFor(t);
  const first = await Guest.connect(t, wsUrl(emulator));
  await first.configure();
  const others = [];
  for (let i = 0; i < 3; i += 1) {
    const g = await Guest.connect(t, wsUrl(emulator), { token: first.token });
    const session = await g.configure();
    assert.equal(session.body.newSession, false, 'same token, same conversation');
    others.push(g);
  }
  const closed = await first.byClass('ConnectionClosedEvent');
  assert.equal(closed.type, 'message');
  assert.equal(closed.code, 200);
  await first.closedWithin();
  for (const g of others) assert.equal(g.closed, false);
  assert.equal(emulator.state().webMessaging.conversations[0]?.connections, 3);
  assert.equal(DEMO_DEPLOYMENT_ID, emulator.state().webMessaging.conversations[0]?.deploymentId);
});
