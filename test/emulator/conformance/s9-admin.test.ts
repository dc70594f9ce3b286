/**
 * PROTOCOL.md section 9 over HTTP: the /__emulator/ admin routes (state, config, faults, clock)
 * and their agreement with the in-process handle.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emulatorAdmin, getToken, http, initiate, requestToken } from '../../helpers/emulator-client.js';
import type { EmulatorSettings } from '../../../src/emulator/types.js';
import { CLIENTS, emulatorFor } from './fixtures.js';

const GOOD = { fileName: 'a.pdf', contentType: 'application/pdf', totalSize: 5 };

describe('section 9: GET /__emulator/state', () => {
  test('the HTTP view matches the handle: counters, uploads, files, guests, messages, flags, log', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    await initiate(emu.url, token, GOOD);
    const state = await emulatorAdmin.state(emu.url);
    for (const key of ['now', 'counters', 'uploads', 'files', 'guests', 'messages', 'storageAuthorizationSeen', 'requestLog']) {
      assert.ok(key in state, `state has ${key}`);
    }
    assert.equal(state.uploads.length, 1);
    assert.equal(state.uploads[0]?.fileName, 'a.pdf');
    assert.equal(state.uploads[0]?.state, 'open');
    assert.deepEqual(state.uploads, emu.state().uploads);
    assert.equal(state.counters.initiate?.requests, 1);
    assert.equal(typeof state.now, 'number');
  });
});

describe('section 9: /__emulator/config', () => {
  test('GET shows the settings with every client secret redacted as "***"', async (t) => {
    const emu = await emulatorFor(t, { clients: [CLIENTS.demo, CLIENTS.uploader] });
    const res = await emulatorAdmin.config(emu.url);
    assert.equal(res.status, 200, res.text);
    assert.ok(!res.text.includes('demo-secret') && !res.text.includes('uploader-secret'), 'no secret in the view');
    assert.deepEqual(
      res.json.clients.map((c) => [c.id, c.secret]),
      [['demo-client', '***'], ['uploader', '***']],
    );
    const { clients: _clients, s3: s3View, ...rest } = res.json;
    const { clients: _real, s3: s3Real, ...expected } = emu.settings();
    assert.deepEqual(rest, expected);
    // The S3 endpoint's secret access keys are redacted too.
    assert.deepEqual(s3View, { ...s3Real, credentials: s3Real.credentials.map((c) => ({ accessKeyId: c.accessKeyId, secretAccessKey: '***' })) });
    assert.ok(!res.text.includes(s3Real.credentials[0]?.secretAccessKey ?? '?'));
  });

  test('the documented defaults', async (t) => {
    const emu = await emulatorFor(t);
    const s: EmulatorSettings = emu.settings();
    assert.equal(s.tokenTtlSeconds, 86400);
    assert.equal(s.chunkSize, 5_242_880);
    assert.equal(s.singleChunkMaxSize, 10 * 1024 * 1024);
    assert.equal(s.maxChunks, 10_000);
    assert.deepEqual(s.apiRateLimit, { requests: 300, windowSeconds: 60 });
    assert.equal(s.storageRateLimitPerSecond, 0);
    assert.deepEqual(s.clients.map((c) => c.id), ['demo-client']);
  });

  test('PATCH applies a partial change and keeps the rest', async (t) => {
    const emu = await emulatorFor(t);
    const before = emu.settings();
    const res = await emulatorAdmin.patchConfig(emu.url, { tokenTtlSeconds: 900, maxChunks: 7 });
    assert.equal(res.status, 200, res.text);
    const after = emu.settings();
    assert.deepEqual(after, { ...before, tokenTtlSeconds: 900, maxChunks: 7 });
    const token = await requestToken(emu.url);
    assert.equal((token.json as { expires_in: number }).expires_in, 900);
  });

  test('PATCH with an invalid value is 400 and changes nothing', async (t) => {
    const emu = await emulatorFor(t);
    const before = emu.settings();
    const invalid: unknown[] = [
      { chunkSize: -1 },
      { chunkSize: 0 },
      { chunkSize: 'big' },
      { tokenTtlSeconds: -5 },
      { maxChunks: 1.5 },
      { maxFileSize: 0 },
      { allowedContentTypes: 'application/pdf' },
      { clients: 'demo' },
      { clients: [{ id: 'x', permissions: [] }] },
      { clients: [{ id: 'x', secret: 'y', permissions: ['root'] }] },
      { apiRateLimit: { requests: -1, windowSeconds: 60 } },
      { storageRateLimitPerSecond: -1 },
      { tokenTtlSeconds: 900, chunkSize: -1 },
    ];
    for (const patch of invalid) {
      const res = await emulatorAdmin.patchConfig(emu.url, patch);
      assert.equal(res.status, 400, `${JSON.stringify(patch)}: ${res.status} ${res.text}`);
    }
    const broken = await http(`${emu.url}/__emulator/config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"chunkSize":',
    });
    assert.equal(broken.status, 400);
    assert.deepEqual(emu.settings(), before, 'a refused PATCH changes nothing, not even its valid parts');
  });
});

describe('section 9: /__emulator/faults', () => {
  test('POST one rule or an array → 201 {ids}; GET lists; DELETE one; DELETE all', async (t) => {
    const emu = await emulatorFor(t);
    const one = await emulatorAdmin.addFaults(emu.url, { route: 'initiate', action: 'status', status: 503, count: 5 });
    assert.equal(one.status, 201, one.text);
    assert.equal(one.json.ids.length, 1);
    const two = await emulatorAdmin.addFaults(emu.url, [
      { route: 'segment', action: 'reset', afterBytes: 10 },
      { route: 'token', action: 'stall', stallMs: 5, id: 'my-rule' },
    ]);
    assert.equal(two.status, 201, two.text);
    assert.equal(two.json.ids.length, 2);
    assert.equal(two.json.ids[1], 'my-rule', 'a given id is kept');
    let list = await emulatorAdmin.listFaults(emu.url);
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.faults.map((r) => r.id).sort(), [...one.json.ids, ...two.json.ids].sort());
    assert.equal(list.json.faults.find((r) => r.id === one.json.ids[0])?.route, 'initiate');
    const del = await emulatorAdmin.clearFaults(emu.url, one.json.ids[0]);
    assert.ok(del.status >= 200 && del.status < 300, `DELETE one: ${del.status}`);
    list = await emulatorAdmin.listFaults(emu.url);
    assert.deepEqual(list.json.faults.map((r) => r.id).sort(), [...two.json.ids].sort());
    const token = await getToken(emu.url);
    assert.equal((await initiate(emu.url, token, GOOD)).status, 201, 'the deleted rule no longer applies');
    const all = await emulatorAdmin.clearFaults(emu.url);
    assert.ok(all.status >= 200 && all.status < 300, `DELETE all: ${all.status}`);
    assert.deepEqual((await emulatorAdmin.listFaults(emu.url)).json, { faults: [] });
  });

  test('a rule added over HTTP applies like one added on the handle', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    await emulatorAdmin.addFaults(emu.url, { route: 'initiate', action: 'status', status: 503, retryAfter: 1 });
    assert.equal((await initiate(emu.url, token, GOOD)).status, 503);
    emu.addFault({ route: 'initiate', action: 'status', status: 500 });
    emu.clearFaults();
    assert.equal((await initiate(emu.url, token, GOOD)).status, 201, 'clearFaults removed it');
  });

  test('an invalid rule is 400', async (t) => {
    // Reading: the admin API validates rules as PATCH validates settings.
    const emu = await emulatorFor(t);
    for (const rule of [{ route: 'nowhere', action: 'status', status: 503 }, { route: 'initiate', action: 'explode' }, { route: 'initiate', action: 'status', probability: 2, status: 500 }]) {
      const res = await emulatorAdmin.addFaults(emu.url, rule as never);
      assert.equal(res.status, 400, `${JSON.stringify(rule)}: ${res.status}`);
    }
    assert.deepEqual((await emulatorAdmin.listFaults(emu.url)).json, { faults: [] });
  });
});

describe('section 9: POST /__emulator/clock', () => {
  test('advances the clock and answers {now}', async (t) => {
    const emu = await emulatorFor(t);
    const before = emu.state().now;
    const res = await emulatorAdmin.advanceClock(emu.url, 3_600_000);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.now >= before + 3_600_000, `now ${res.json.now} >= ${before} + 1 h`);
    assert.ok(emu.state().now >= res.json.now);
  });

  test('an invalid advance is 400', async (t) => {
    // Reading: the clock only moves forward.
    const emu = await emulatorFor(t);
    for (const advanceMs of [-1, 'soon', null]) {
      const res = await http(`${emu.url}/__emulator/clock`, { method: 'POST', json: { advanceMs } });
      assert.equal(res.status, 400, `${JSON.stringify(advanceMs)}: ${res.status}`);
    }
  });
});
