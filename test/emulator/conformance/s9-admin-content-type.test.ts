/**
 * The emulator's control routes take JSON only (issue 8 §3.14): a cross-origin "simple" request,
 * which a browser sends with no preflight (text/plain, form types, or no type), is refused with
 * 415 and changes nothing. Real requests on 127.0.0.1, exactly as a web page would shape them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emulatorAdmin, http } from '../../helpers/emulator-client.js';
import { emulatorFor } from './fixtures.js';

const RULE = JSON.stringify({ route: 'initiate', action: 'status', status: 503, count: 1 });
const SIMPLE_TYPES = ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined];

describe('section 9: control routes refuse bodies that are not application/json', () => {
  test('POST faults, PATCH config and POST clock with a simple-request type: 415, nothing changed', async (t) => {
    const emu = await emulatorFor(t);
    const settings = emu.settings();
    const now = emu.state().now;
    for (const type of SIMPLE_TYPES) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      const calls: Array<[string, string, string]> = [
        ['POST', '/__emulator/faults', RULE],
        ['PATCH', '/__emulator/config', '{"chunkSize":1048576}'],
        ['POST', '/__emulator/clock', '{"advanceMs":3600000}'],
      ];
      for (const [method, path, body] of calls) {
        const res = await http<{ code: string; status: number }>(`${emu.url}${path}`, { method, headers, body });
        assert.equal(res.status, 415, `${method} ${path} as ${type ?? 'no type'}: ${res.status} ${res.text}`);
        assert.equal(res.json.code, 'unsupported.media.type');
      }
    }
    assert.deepEqual((await emulatorAdmin.listFaults(emu.url)).json, { faults: [] }, 'no fault rule was added');
    assert.deepEqual(emu.settings(), settings, 'settings unchanged');
    assert.ok(emu.state().now - now < 60_000, 'the clock was not advanced (only real time passed)');
  });

  test('DELETE with a non-JSON body is refused; without a body it works', async (t) => {
    const emu = await emulatorFor(t);
    const added = await http<{ ids: string[] }>(`${emu.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: RULE,
    });
    assert.equal(added.status, 201, added.text);
    const id = added.json.ids[0] ?? '';
    const refused = await http(`${emu.url}/__emulator/faults/${id}`, { method: 'DELETE', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(refused.status, 415);
    const refusedAll = await http(`${emu.url}/__emulator/faults`, { method: 'DELETE', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(refusedAll.status, 415);
    assert.equal((await emulatorAdmin.listFaults(emu.url)).json.faults.length, 1, 'the rule is still there');
    assert.equal((await http(`${emu.url}/__emulator/faults/${id}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await emulatorAdmin.listFaults(emu.url)).json, { faults: [] });
  });

  test('application/json in any letter case, with parameters, is accepted', async (t) => {
    const emu = await emulatorFor(t);
    const res = await http(`${emu.url}/__emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON ; charset=utf-8' },
      body: '{"advanceMs":1000}',
    });
    assert.equal(res.status, 200, res.text);
  });
});

describe('every /__emulator/ control route, not only section 9', () => {
  test('Web Messaging faults and the conversation controls refuse simple requests too (a bodyless POST included)', async (t) => {
    const emu = await emulatorFor(t);
    const created = await http<{ id: string; participants: Array<{ communicationId: string }> }>(`${emu.url}/__emulator/conversations`, { method: 'POST', json: {} });
    assert.equal(created.status, 201, created.text);
    const conv = created.json;
    const communication = conv.participants[0]?.communicationId ?? '';
    const calls: Array<[string, string, string | undefined, string | undefined]> = [
      ['POST', '/__emulator/web-messaging/faults', 'text/plain', '{"action":"drop-success"}'],
      ['POST', '/__emulator/conversations', 'application/x-www-form-urlencoded', '{}'],
      ['PUT', `/__emulator/conversations/${conv.id}/profile`, 'text/plain', '{"maxBytes":1}'],
      // A form or no-cors fetch can POST with no body and no type: still refused.
      ['POST', `/__emulator/conversations/${conv.id}/communications/${communication}/disconnect`, undefined, undefined],
    ];
    for (const [method, path, type, body] of calls) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      const res = await http(`${emu.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      assert.equal(res.status, 415, `${method} ${path}: ${res.status} ${res.text}`);
    }
    const view = await http<{ participants: Array<{ state: string }> }>(`${emu.url}/__emulator/conversations/${conv.id}`);
    assert.ok(view.json.participants.every((p) => p.state !== 'disconnected'), 'nothing was disconnected');
  });
});
