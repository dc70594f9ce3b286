/**
 * PROTOCOL.md section 0: the common rules of every {api} response — the error body, the
 * correlation id, the rate-limit headers, the order of checks, and how request bodies are read.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  api,
  createGuestOrThrow,
  getToken,
  header,
  initiate,
  initiateOrThrow,
  putAllSegments,
  uploadStatus,
} from '../../helpers/emulator-client.js';
import { assertApiHeaders, assertGenesysError, CLIENTS, ALL_CLIENTS, emulatorFor, patternBytes } from './fixtures.js';

const GOOD = { fileName: 'report.pdf', contentType: 'application/pdf', totalSize: 1000 };
const UPLOADS = '/api/v2/files/uploads';

describe('section 0: error body, correlation id, rate-limit headers', () => {
  test('every kind of {api} error has the Genesys error body with contextId = ININ-Correlation-Id', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS });
    const demo = await getToken(emu.url);
    const nobody = await getToken(emu.url, CLIENTS.nobody);
    assertGenesysError(await api(emu.url, undefined, 'POST', UPLOADS, { json: GOOD }), 401, 'bad.credentials');
    assertGenesysError(await api(emu.url, nobody, 'POST', UPLOADS, { json: GOOD }), 403, 'missing.permissions');
    assertGenesysError(await api(emu.url, demo, 'POST', UPLOADS, { body: '{"fileName":' }), 400, 'bad.request');
    assertGenesysError(await uploadStatus(emu.url, demo, 'no-such-upload'), 404, 'not.found');
  });

  test('contextId is unique per request, on errors and on successes', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const seen = new Set<string>();
    for (let i = 0; i < 3; i += 1) {
      const err = await uploadStatus(emu.url, token, 'missing');
      const body = assertGenesysError(err, 404, 'not.found');
      seen.add(body.contextId);
      const ok = await initiate(emu.url, token, GOOD);
      assert.equal(ok.status, 201);
      assertApiHeaders(ok);
      seen.add(header(ok.headers, 'inin-correlation-id') ?? '');
    }
    assert.equal(seen.size, 6, 'six requests, six distinct correlation ids');
  });

  test('every {api} response carries the three inin-ratelimit-* headers and a correlation id', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const init = await initiate(emu.url, token, GOOD);
    assert.equal(init.status, 201);
    assertApiHeaders(init);
    const data = patternBytes(1000);
    const checksums = await putAllSegments(init.json, data, GOOD.contentType);
    const status = await uploadStatus(emu.url, token, init.json.uploadId);
    assert.equal(status.status, 200);
    assertApiHeaders(status);
    const done = await api<{ fileId: string }>(emu.url, token, 'POST', `${UPLOADS}/${init.json.uploadId}/complete`, {
      json: { checksums, contentType: GOOD.contentType },
    });
    assert.equal(done.status, 200);
    assertApiHeaders(done);
    for (const path of [`/api/v2/files/${done.json.fileId}`, `/api/v2/files/${done.json.fileId}/content`]) {
      const res = await api(emu.url, token, 'GET', path);
      assert.equal(res.status, 200, path);
      assertApiHeaders(res);
    }
    const other = await initiateOrThrow(emu.url, token, GOOD);
    const aborted = await api(emu.url, token, 'DELETE', `${UPLOADS}/${other.uploadId}`);
    assert.equal(aborted.status, 204);
    assertApiHeaders(aborted);
    const guest = await api(emu.url, token, 'POST', '/api/v2/conversations/messaging/guests', { json: { language: 'en-US' } });
    assert.equal(guest.status, 201);
    assertApiHeaders(guest);
    assertApiHeaders(await api(emu.url, undefined, 'GET', `${UPLOADS}/x`));
  });

  test('success bodies are JSON', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const res = await initiate(emu.url, token, GOOD);
    assert.equal(res.status, 201);
    assert.match(header(res.headers, 'content-type') ?? '', /^application\/json/i);
  });

  test('an unknown {api} path answers 404 not.found with the error body', async (t) => {
    // Reading: the common code table's 404 not.found also covers paths the API does not serve.
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    assertGenesysError(await api(emu.url, token, 'GET', '/api/v2/no/such/thing'), 404, 'not.found');
  });
});

describe('section 0: order of checks (401, 429, 403, validation)', () => {
  test('401 comes before validation: no token and a broken body', async (t) => {
    const emu = await emulatorFor(t);
    assertGenesysError(await api(emu.url, undefined, 'POST', UPLOADS, { body: 'not json' }), 401, 'bad.credentials');
    assertGenesysError(await api(emu.url, 'garbage', 'POST', UPLOADS, { body: 'not json' }), 401, 'bad.credentials');
  });

  test('401 comes before 429: an expired token whose window is exhausted', async (t) => {
    const emu = await emulatorFor(t, { tokenTtlSeconds: 300, apiRateLimit: { requests: 2, windowSeconds: 3600 } });
    const token = await getToken(emu.url);
    for (let i = 0; i < 2; i += 1) assert.equal((await initiate(emu.url, token, GOOD)).status, 201);
    assertGenesysError(await initiate(emu.url, token, GOOD), 429, 'too.many.requests');
    emu.advanceClock(301_000);
    assertGenesysError(await initiate(emu.url, token, GOOD), 401, 'bad.credentials');
  });

  test('429 comes before 403: a client without the permission that exhausted its limit', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS, apiRateLimit: { requests: 2, windowSeconds: 60 } });
    const nobody = await getToken(emu.url, CLIENTS.nobody);
    for (let i = 0; i < 2; i += 1) assertGenesysError(await initiate(emu.url, nobody, GOOD), 403, 'missing.permissions');
    assertGenesysError(await initiate(emu.url, nobody, GOOD), 429, 'too.many.requests');
    assertGenesysError(await initiate(emu.url, nobody, { fileName: '' }), 429, 'too.many.requests');
  });

  test('403 comes before the request validation', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS });
    const sender = await getToken(emu.url, CLIENTS.sender);
    const invalid = [{ body: 'not json' }, { json: { fileName: '.x', contentType: 'nope', totalSize: -1 } }, { json: [] }];
    for (const options of invalid) {
      const body = assertGenesysError(await api(emu.url, sender, 'POST', UPLOADS, options), 403, 'missing.permissions');
      assert.match(body.message, /files:upload/);
    }
    // An unknown upload is the request's own validation too: 403 before 404.
    assertGenesysError(await uploadStatus(emu.url, sender, 'no-such-upload'), 403, 'missing.permissions');
    const uploader = await getToken(emu.url, CLIENTS.uploader);
    const guest = assertGenesysError(
      await api(emu.url, uploader, 'POST', '/api/v2/conversations/messaging/guests', { json: { language: 42 } }),
      403,
      'missing.permissions',
    );
    assert.match(guest.message, /messaging:guest/);
  });
});

describe('section 0: request bodies', () => {
  test('JSON is parsed whatever the Content-Type says', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const body = JSON.stringify(GOOD);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', undefined]) {
      const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
      const res = await api(emu.url, token, 'POST', UPLOADS, { body, headers });
      assert.equal(res.status, 201, `Content-Type ${contentType ?? '(none)'}: ${res.text}`);
    }
  });

  test('a body that is not valid JSON is 400 bad.request', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    for (const body of ['{"fileName": "a.pdf",', 'fileName=a.pdf', '{\'a\': 1}', '']) {
      assertGenesysError(await api(emu.url, token, 'POST', UPLOADS, { body }), 400, 'bad.request');
    }
  });

  test('JSON that is not an object is 400 bad.request', async (t) => {
    // Reading: the body is declared as an object; an array, a string or null is "a field of the wrong type".
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    for (const body of ['[]', '"report.pdf"', 'null', '42']) {
      assertGenesysError(await api(emu.url, token, 'POST', UPLOADS, { body }), 400, 'bad.request');
    }
  });

  test('a field of the wrong type is 400 bad.request', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const cases: unknown[] = [
      { ...GOOD, fileName: 42 },
      { ...GOOD, fileName: null },
      { ...GOOD, contentType: ['application/pdf'] },
      { ...GOOD, contentType: 7 },
      { ...GOOD, totalSize: '1000' },
      { ...GOOD, totalSize: true },
      { ...GOOD, totalSize: null },
      { fileName: GOOD.fileName, contentType: GOOD.contentType },
    ];
    for (const body of cases) {
      const res = await initiate(emu.url, token, body);
      assertGenesysError(res, 400, 'bad.request');
    }
  });

  test('unknown request fields are ignored', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const res = await initiate(emu.url, token, { ...GOOD, colour: 'blue', nested: { deep: [1, 2] }, chunkSize: 1 });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.chunkSize, GOOD.totalSize, 'a client-sent chunkSize does not override the server');
    const guest = await api(emu.url, token, 'POST', '/api/v2/conversations/messaging/guests', {
      json: { language: 'en-US', extra: true },
    });
    assert.equal(guest.status, 201, guest.text);
    const g = await createGuestOrThrow(emu.url, token);
    const msg = await api(emu.url, token, 'POST', '/api/v2/conversations/messaging/messages', {
      json: { guestId: g.id, to: ['a@example.com'], text: 'hi', attachments: [], priority: 'high' },
    });
    assert.equal(msg.status, 201, msg.text);
  });
});
