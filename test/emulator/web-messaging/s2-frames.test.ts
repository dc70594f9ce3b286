/**
 * Web Messaging contract §2 (frames): every answer is {type, class, code, body, tracingId?};
 * malformed and unknown requests get `class: "string"` errors; requests before configureSession
 * get 4007.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emulatorFor, Guest, wsUrl, type ServerFrame } from './ws-client.js';

function assertFrame(f: ServerFrame): void {
  assert.deepEqual(Object.keys(f).filter((k) => k !== 'tracingId').sort(), ['body', 'class', 'code', 'type']);
  assert.ok(f.type === 'response' || f.type === 'message');
  assert.equal(typeof f.class, 'string');
  assert.ok(Number.isInteger(f.code));
}

test('§2 a request that is not a JSON object gets a class "string" error', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  guest.sendRaw('{not json');
  guest.sendRaw('[1,2]');
  const first = await guest.next(() => true);
  const second = await guest.next(() => true, 3000, 1);
  for (const f of [first, second]) {
    assertFrame(f);
    assert.equal(f.class, 'string');
    assert.equal(f.code, 400);
    assert.equal(typeof f.body, 'string');
  }
});

test('§2 an unknown action is answered with a class "string" error echoing the tracingId', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  await guest.configure();
  const f = await guest.ask({ action: 'teleport' });
  assertFrame(f);
  assert.equal(f.type, 'response');
  assert.equal(f.class, 'string');
  assert.equal(f.code, 400);
});

test('§2 a missing or oversized token is refused', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  const missing = await guest.ask({ token: undefined, action: 'echo', message: { type: 'Text', text: 'ping' } });
  assert.equal(missing.class, 'string');
  const huge = await guest.ask({ token: 'x'.repeat(2049), action: 'configureSession', deploymentId: 'any' });
  assert.equal(huge.class, 'string');
  assert.ok(!JSON.stringify(huge).includes('xxxx'), 'the token is never echoed');
});

test('§2 a request before configureSession on this connection is 4007 SessionNotFound', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  const f = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'hello' } });
  assertFrame(f);
  assert.equal(f.class, 'string');
  assert.equal(f.code, 4007);
});

test('§2 the tracingId is echoed; without one the answer has none', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  const traced = await guest.configure();
  assertFrame(traced);
  assert.equal(typeof traced.tracingId, 'string');
  guest.send({ action: 'getJwt' });
  const plain = await guest.byClass('JwtResponse');
  assertFrame(plain);
  assert.equal(plain.tracingId, undefined);
});
