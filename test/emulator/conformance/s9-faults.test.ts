/**
 * PROTOCOL.md section 9: fault rules — answer a status (with Retry-After), stall, reset mid-body,
 * corrupt a stored segment, lose the response — for N requests or with a seeded probability.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  api,
  complete,
  getToken,
  header,
  initiate,
  initiateOrThrow,
  putSegment,
  requestToken,
  segmentChecksum,
  sendMessage,
  uploadStatus,
  uploadStatusOrThrow,
  type HttpResult,
  type InitiateResponse,
} from '../../helpers/emulator-client.js';
import type { EmulatorHandle, EmulatorRoute, StartEmulatorOptions } from '../../../src/emulator/types.js';
import { assertGenesysError, assertS3Error, emulatorFor, patternBytes } from './fixtures.js';

const TYPE = 'application/pdf';
const GOOD = { fileName: 'a.pdf', contentType: TYPE, totalSize: 14 };

interface Open {
  emu: EmulatorHandle;
  token: string;
  init: InitiateResponse;
  data: Buffer;
  put(i: number, bytes?: Buffer): ReturnType<typeof putSegment>;
}

async function openUpload(t: TestContext, options: StartEmulatorOptions = {}): Promise<Open> {
  const emu = await emulatorFor(t, { chunkSize: 7, singleChunkMaxSize: 0, allowedContentTypes: [TYPE], ...options });
  const token = await getToken(emu.url);
  const init = await initiateOrThrow(emu.url, token, GOOD);
  const data = patternBytes(14, 11);
  const put = (i: number, bytes?: Buffer) =>
    putSegment(init.presignedUrl, { data: bytes ?? data.subarray(i * 7, i * 7 + 7), start: i * 7, totalSize: 14, contentType: TYPE });
  return { emu, token, init, data, put };
}

/** Resolves with the error the request failed with (it must fail). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the request was expected to fail at the connection level');
}

describe('section 9: status faults', () => {
  test('an {api} route answers the given status with the error body and Retry-After, once', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: [TYPE] });
    const token = await getToken(emu.url);
    emu.addFault({ route: 'initiate', action: 'status', status: 503, retryAfter: 7 });
    const res = await initiate(emu.url, token, GOOD);
    assertGenesysError(res, 503, 'service.unavailable');
    assert.equal(header(res.headers, 'retry-after'), '7');
    assert.equal((await initiate(emu.url, token, GOOD)).status, 201, 'count defaults to 1');
    emu.addFault({ route: 'initiate', action: 'status', status: 429, retryAfter: 4 });
    const limited = await initiate(emu.url, token, GOOD);
    assertGenesysError(limited, 429, 'too.many.requests');
    assert.equal(header(limited.headers, 'retry-after'), '4');
    emu.addFault({ route: 'initiate', action: 'status', status: 500 });
    assertGenesysError(await initiate(emu.url, token, GOOD), 500, 'internal.server.error');
    assert.equal(emu.state().uploads.length, 1, 'only the one unfaulted request created an upload');
  });

  test('every route named in section 9 can be faulted: token, initiate, segment, status, complete, guest, message', async (t) => {
    const u = await openUpload(t);
    const guest = await api<{ id: string }>(u.emu.url, u.token, 'POST', '/api/v2/conversations/messaging/guests', { json: { language: 'en-US' } });
    const calls: Array<[EmulatorRoute, () => Promise<HttpResult>]> = [
      ['token', () => requestToken(u.emu.url)],
      ['initiate', () => initiate(u.emu.url, u.token, GOOD)],
      ['segment', () => u.put(0)],
      ['status', () => uploadStatus(u.emu.url, u.token, u.init.uploadId)],
      ['complete', () => complete(u.emu.url, u.token, u.init.uploadId, { checksums: [], contentType: TYPE })],
      ['guest', () => api(u.emu.url, u.token, 'POST', '/api/v2/conversations/messaging/guests', { json: { language: 'en-US' } })],
      ['message', () => sendMessage(u.emu.url, u.token, { guestId: guest.json.id, to: ['a@example.com'], text: 'x', attachments: [] })],
    ];
    for (const [route, call] of calls) {
      u.emu.addFault({ route, action: 'status', status: 503, retryAfter: 9 });
      const res = await call();
      assert.equal(res.status, 503, `${route}: ${res.status}`);
      assert.equal(header(res.headers, 'retry-after'), '9', `${route}: Retry-After`);
      if (route !== 'token' && route !== 'segment') assertGenesysError(res, 503, 'service.unavailable');
    }
    assert.deepEqual(u.emu.state().uploads.find((x) => x.uploadId === u.init.uploadId)?.segments, []);
  });

  test('429 anywhere carries Retry-After, even when the rule gives none', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'initiate', action: 'status', status: 429 });
    assertGenesysError(await initiate(u.emu.url, u.token, GOOD), 429, 'too.many.requests');
    u.emu.addFault({ route: 'segment', action: 'status', status: 429 });
    assertS3Error(await u.put(0), 429, 'SlowDown');
    u.emu.addFault({ route: 'token', action: 'status', status: 429 });
    const token = await requestToken(u.emu.url);
    assert.equal(token.status, 429);
    assert.match(header(token.headers, 'retry-after') ?? '', /^\d+$/);
  });

  test('the token route can be faulted too', async (t) => {
    const emu = await emulatorFor(t);
    emu.addFault({ route: 'token', action: 'status', status: 503, retryAfter: 2 });
    const res = await requestToken(emu.url);
    assert.equal(res.status, 503);
    assert.equal(header(res.headers, 'retry-after'), '2');
    assert.equal((await requestToken(emu.url)).status, 200);
  });

  test('count N faults exactly the next N matching requests', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: [TYPE] });
    const token = await getToken(emu.url);
    emu.addFault({ route: 'initiate', action: 'status', status: 503, count: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await initiate(emu.url, token, GOOD)).status);
    assert.deepEqual(statuses, [503, 503, 201, 201]);
  });

  test('segmentIndex limits a segment rule to that index', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'segment', action: 'status', status: 500, segmentIndex: 1 });
    assert.equal((await u.put(0)).status, 206);
    assertS3Error(await u.put(1), 500, 'InternalError');
    assert.equal((await u.put(1)).status, 200);
  });
});

describe('section 9: seeded probability', () => {
  async function sequence(t: TestContext, seed: number): Promise<number[]> {
    const emu = await emulatorFor(t, { seed, faults: [{ route: 'status', action: 'status', status: 503, probability: 0.5 }] });
    const token = await getToken(emu.url);
    const statuses: number[] = [];
    for (let i = 0; i < 32; i += 1) statuses.push((await uploadStatus(emu.url, token, 'no-such-upload')).status);
    return statuses;
  }

  test('the same seed gives the same pattern of faults; the pattern is a mix', async (t) => {
    const a = await sequence(t, 42);
    const b = await sequence(t, 42);
    assert.deepEqual(a, b);
    assert.ok(a.includes(503) && a.includes(404), `a mix of faulted and normal answers: ${a.join(',')}`);
    assert.ok(a.every((s) => s === 503 || s === 404));
  });

  test('probability with a count stops after count faults', async (t) => {
    const emu = await emulatorFor(t, { faults: [{ route: 'status', action: 'status', status: 503, probability: 1, count: 2 }] });
    const token = await getToken(emu.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await uploadStatus(emu.url, token, 'x')).status);
    assert.deepEqual(statuses, [503, 503, 404, 404]);
  });
});

describe('section 9: stall, reset, corrupt, lose-response', () => {
  test('stall delays the answer without changing it; other requests go on meanwhile', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'status', action: 'stall', stallMs: 60_000 });
    const abort = new AbortController();
    let settled = false;
    const stalled = uploadStatus(u.emu.url, u.token, u.init.uploadId, abort.signal).finally(() => {
      settled = true;
    });
    const other = await initiate(u.emu.url, u.token, GOOD);
    assert.equal(other.status, 201);
    assert.equal(settled, false, 'the stalled request is still waiting');
    abort.abort();
    await failure(stalled);
    u.emu.addFault({ route: 'status', action: 'stall', stallMs: 20 });
    const res = await uploadStatus(u.emu.url, u.token, u.init.uploadId);
    assert.equal(res.status, 200, 'a short stall then the normal answer');
    assert.ok(u.emu.state().requestLog.some((e) => e.route === 'status' && e.fault === 'stall'));
  });

  test('reset part-way through a segment body: connection error, nothing stored', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'segment', action: 'reset', afterBytes: 3 });
    await failure(u.put(0));
    assert.deepEqual((await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId)).segments, []);
    assert.equal((await u.put(0)).status, 206, 'the next PUT is normal');
  });

  test('reset on an {api} route: connection error, no state change', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: [TYPE] });
    const token = await getToken(emu.url);
    emu.addFault({ route: 'initiate', action: 'reset' });
    await failure(initiate(emu.url, token, GOOD));
    assert.equal(emu.state().uploads.length, 0);
  });

  test('corrupt: the PUT succeeds but the stored copy differs, and complete reports it', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'segment', action: 'corrupt', segmentIndex: 0 });
    const res = await u.put(0);
    assert.equal(res.status, 206);
    await u.put(1);
    const sent = [segmentChecksum(u.data.subarray(0, 7)), segmentChecksum(u.data.subarray(7, 14))];
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    const stored0 = status.segments[0]?.checksum;
    assert.notEqual(stored0, sent[0], 'the stored segment 0 is not what was sent');
    assert.match(stored0 ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal(status.segments[1]?.checksum, sent[1]);
    const done = await complete(u.emu.url, u.token, u.init.uploadId, { checksums: sent, contentType: TYPE });
    const body = assertGenesysError(done, 400, 'checksum.mismatch');
    assert.deepEqual(body.details, [{ index: 0, expected: sent[0], actual: stored0 }]);
  });

  test('lose-response: the request takes effect but the answer never comes', async (t) => {
    const u = await openUpload(t);
    u.emu.addFault({ route: 'segment', action: 'lose-response' });
    await failure(u.put(1));
    const status = await uploadStatusOrThrow(u.emu.url, u.token, u.init.uploadId);
    assert.deepEqual(status.segments.map((s) => s.index), [1], 'segment 1 was stored');
    u.emu.addFault({ route: 'initiate', action: 'lose-response' });
    await failure(initiate(u.emu.url, u.token, GOOD));
    assert.equal(u.emu.state().uploads.length, 2, 'the upload was created');
  });
});

describe('section 9: state', () => {
  test('counters per route count requests, statuses and bytes', async (t) => {
    const u = await openUpload(t);
    await u.put(0);
    await u.put(1);
    await initiate(u.emu.url, u.token, { ...GOOD, fileName: '.bad' });
    const c = u.emu.state().counters;
    assert.equal(c.initiate?.requests, 2);
    assert.deepEqual(c.initiate?.statuses, { '201': 1, '400': 1 });
    assert.equal(c.segment?.requests, 2);
    assert.deepEqual(c.segment?.statuses, { '206': 1, '200': 1 });
    assert.ok((c.segment?.bytesIn ?? 0) >= 14, 'segment bytes in');
    assert.ok((c.initiate?.bytesOut ?? 0) > 0, 'initiate bytes out');
    assert.equal(c.token?.requests, 1);
  });

  test('storageAuthorizationSeen turns true once a segment PUT carries Authorization', async (t) => {
    const u = await openUpload(t);
    await u.put(0);
    assert.equal(u.emu.state().storageAuthorizationSeen, false);
    await putSegment(u.init.presignedUrl, {
      data: u.data.subarray(7, 14),
      start: 7,
      totalSize: 14,
      contentType: TYPE,
      headers: { authorization: `Bearer ${u.token}` },
    });
    assert.equal(u.emu.state().storageAuthorizationSeen, true);
  });

  test('the request log records route, method, status, upload and segment index', async (t) => {
    const u = await openUpload(t);
    await u.put(1);
    const entry = u.emu.state().requestLog.find((e) => e.route === 'segment');
    assert.ok(entry !== undefined);
    assert.equal(entry.method, 'PUT');
    assert.equal(entry.status, 206);
    assert.equal(entry.uploadId, u.init.uploadId);
    assert.equal(entry.segmentIndex, 1);
    assert.equal(typeof entry.at, 'number');
  });
});
