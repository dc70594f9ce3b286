/**
 * PROTOCOL.md section 1: the client-credentials token endpoint, bearer tokens on {api}, and the
 * per-client permissions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  api,
  basicAuth,
  emulatorAdmin,
  getToken,
  header,
  initiate,
  requestToken,
  uploadFile,
  type HttpResult,
} from '../../helpers/emulator-client.js';
import type { EmulatorClient } from '../../../src/emulator/types.js';
import { ALL_CLIENTS, assertGenesysError, CLIENTS, emulatorFor, patternBytes } from './fixtures.js';

interface OAuthError {
  error: string;
  description: string;
  error_description: string;
}

function assertOAuthError(res: HttpResult, status: number, error: string): void {
  assert.equal(res.status, status, `status ${status}, got ${res.status}: ${res.text}`);
  assert.match(header(res.headers, 'content-type') ?? '', /^application\/json/i);
  const body = res.json as OAuthError;
  assert.equal(body.error, error);
  for (const key of ['description', 'error_description'] as const) {
    assert.equal(typeof body[key], 'string', `${key} is a string`);
    assert.ok(body[key].length > 0, `${key} is not empty`);
  }
}

const GOOD = { fileName: 'a.pdf', contentType: 'application/pdf', totalSize: 10 };

describe('section 1: POST /oauth/token', () => {
  test('200 with access_token, token_type "bearer", expires_in (default 86400), no refresh token', async (t) => {
    const emu = await emulatorFor(t);
    const res = await requestToken(emu.url);
    assert.equal(res.status, 200, res.text);
    assert.match(header(res.headers, 'content-type') ?? '', /^application\/json/i);
    const body = res.json as Record<string, unknown>;
    assert.equal(typeof body.access_token, 'string');
    assert.ok((body.access_token as string).length > 0);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 86400);
    assert.equal(body.refresh_token, undefined, 'no refresh token is ever issued');
    const again = await requestToken(emu.url);
    assert.notEqual((again.json as Record<string, unknown>).access_token, body.access_token, 'each grant is a new token');
  });

  test('expires_in follows the configured token lifetime', async (t) => {
    const emu = await emulatorFor(t, { tokenTtlSeconds: 600 });
    const res = await requestToken(emu.url);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.json as { expires_in: unknown }).expires_in, 600);
  });

  test('401 invalid_client for a wrong secret or an unknown client', async (t) => {
    const emu = await emulatorFor(t);
    assertOAuthError(await requestToken(emu.url, { secret: 'wrong-secret' }), 401, 'invalid_client');
    assertOAuthError(await requestToken(emu.url, { clientId: 'who-is-this', secret: 'demo-secret' }), 401, 'invalid_client');
  });

  test('401 invalid_client without usable Basic credentials', async (t) => {
    // Reading: no Authorization header, a non-Basic scheme or an undecodable value all leave the
    // client unidentified, which OAuth 2.0 (RFC 6749 §5.2) answers with invalid_client.
    const emu = await emulatorFor(t);
    assertOAuthError(await requestToken(emu.url, { authorization: null }), 401, 'invalid_client');
    assertOAuthError(await requestToken(emu.url, { authorization: 'Bearer demo-secret' }), 401, 'invalid_client');
    assertOAuthError(await requestToken(emu.url, { authorization: 'Basic !!!not-base64' }), 401, 'invalid_client');
    const noColon = `Basic ${Buffer.from('demo-client').toString('base64')}`;
    assertOAuthError(await requestToken(emu.url, { authorization: noColon }), 401, 'invalid_client');
  });

  test('400 unsupported_grant_type for any grant other than client_credentials', async (t) => {
    const emu = await emulatorFor(t);
    for (const body of ['grant_type=password', 'grant_type=authorization_code&code=x', 'grant_type=CLIENT_CREDENTIALS']) {
      assertOAuthError(await requestToken(emu.url, { body }), 400, 'unsupported_grant_type');
    }
  });

  test('400 unsupported_grant_type when grant_type is missing', async (t) => {
    // Reading: the contract has one 400 for the token endpoint; a missing grant is not a supported one.
    const emu = await emulatorFor(t);
    assertOAuthError(await requestToken(emu.url, { body: '' }), 400, 'unsupported_grant_type');
    assertOAuthError(await requestToken(emu.url, { body: 'scope=files' }), 400, 'unsupported_grant_type');
  });

  test('unknown form fields are ignored', async (t) => {
    const emu = await emulatorFor(t);
    const res = await requestToken(emu.url, { body: 'grant_type=client_credentials&scope=anything&foo=bar' });
    assert.equal(res.status, 200, res.text);
  });

  test('clients configured at start and through PATCH /__emulator/config can get tokens', async (t) => {
    const emu = await emulatorFor(t, { clients: [CLIENTS.uploader] });
    assert.equal((await requestToken(emu.url, { clientId: 'uploader', secret: 'uploader-secret' })).status, 200);
    assertOAuthError(await requestToken(emu.url), 401, 'invalid_client');
    const patched = await emulatorAdmin.patchConfig(emu.url, { clients: [CLIENTS.sender] });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await requestToken(emu.url, { clientId: 'sender', secret: 'sender-secret' })).status, 200);
    assertOAuthError(await requestToken(emu.url, { clientId: 'uploader', secret: 'uploader-secret' }), 401, 'invalid_client');
  });
});

describe('section 1: bearer tokens on {api}', () => {
  test('a missing, unknown or malformed bearer token is 401 bad.credentials', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const path = '/api/v2/files/uploads';
    assertGenesysError(await api(emu.url, undefined, 'POST', path, { json: GOOD }), 401, 'bad.credentials');
    assertGenesysError(await api(emu.url, 'not-a-real-token', 'POST', path, { json: GOOD }), 401, 'bad.credentials');
    assertGenesysError(await api(emu.url, `${token}x`, 'POST', path, { json: GOOD }), 401, 'bad.credentials');
    const basic = { json: GOOD, headers: { authorization: basicAuth('demo-client', 'demo-secret') } };
    assertGenesysError(await api(emu.url, undefined, 'POST', path, basic), 401, 'bad.credentials');
  });

  test('an expired token is 401 bad.credentials (clock advanced past expires_in)', async (t) => {
    const emu = await emulatorFor(t, { tokenTtlSeconds: 300 });
    const token = await getToken(emu.url);
    emu.advanceClock(290_000);
    assert.equal((await initiate(emu.url, token, GOOD)).status, 201, 'still valid before expiry');
    emu.advanceClock(11_000);
    assertGenesysError(await initiate(emu.url, token, GOOD), 401, 'bad.credentials');
  });

  test('the admin clock advances token expiry too', async (t) => {
    const emu = await emulatorFor(t, { tokenTtlSeconds: 300 });
    const token = await getToken(emu.url);
    const res = await emulatorAdmin.advanceClock(emu.url, 301_000);
    assert.equal(res.status, 200, res.text);
    assertGenesysError(await initiate(emu.url, token, GOOD), 401, 'bad.credentials');
  });
});

describe('section 1: permissions', () => {
  test('each route answers 403 missing.permissions naming the permission it needs', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS });
    const demo = await getToken(emu.url);
    const data = patternBytes(10);
    const { init, completed } = await uploadFile(emu.url, demo, { fileName: 'a.pdf', contentType: 'application/pdf', data });
    const guest = await api<{ id: string }>(emu.url, demo, 'POST', '/api/v2/conversations/messaging/guests', {
      json: { language: 'en-US' },
    });
    const message = await api<{ id: string }>(emu.url, demo, 'POST', '/api/v2/conversations/messaging/messages', {
      json: { guestId: guest.json.id, to: ['x@example.com'], text: 'hi', attachments: [] },
    });
    assert.equal(message.status, 201, message.text);
    const routes: Array<[string, string, unknown, string]> = [
      ['POST', '/api/v2/files/uploads', GOOD, 'files:upload'],
      ['GET', `/api/v2/files/uploads/${init.uploadId}`, undefined, 'files:upload'],
      ['DELETE', `/api/v2/files/uploads/${init.uploadId}`, undefined, 'files:upload'],
      ['POST', `/api/v2/files/uploads/${init.uploadId}/complete`, { checksums: [], contentType: 'application/pdf' }, 'files:upload'],
      ['GET', `/api/v2/files/${completed.fileId}`, undefined, 'files:upload'],
      ['POST', '/api/v2/conversations/messaging/guests', { language: 'en-US' }, 'messaging:guest'],
      ['POST', '/api/v2/conversations/messaging/messages', { guestId: guest.json.id, to: ['x'], text: 'x', attachments: [] }, 'messaging:send'],
      ['GET', `/api/v2/conversations/messaging/messages/${message.json.id}`, undefined, 'messaging:send'],
    ];
    const holders: Record<string, EmulatorClient> = {
      'files:upload': CLIENTS.uploader,
      'messaging:guest': CLIENTS.guestMaker,
      'messaging:send': CLIENTS.sender,
    };
    const tokens = new Map<string, string>();
    for (const client of [CLIENTS.nobody, CLIENTS.uploader, CLIENTS.guestMaker, CLIENTS.sender]) {
      tokens.set(client.id, await getToken(emu.url, client));
    }
    for (const [method, path, json, permission] of routes) {
      for (const client of [CLIENTS.nobody, CLIENTS.uploader, CLIENTS.guestMaker, CLIENTS.sender]) {
        if (client === holders[permission]) continue;
        const res = await api(emu.url, tokens.get(client.id), method, path, json === undefined ? {} : { json });
        const body = assertGenesysError(res, 403, 'missing.permissions');
        assert.ok(body.message.includes(permission), `${method} ${path} by ${client.id}: message names ${permission}: ${body.message}`);
      }
    }
  });

  test('a client holding just the one permission gets past the permission check', async (t) => {
    const emu = await emulatorFor(t, { clients: ALL_CLIENTS });
    const uploader = await getToken(emu.url, CLIENTS.uploader);
    assert.equal((await initiate(emu.url, uploader, GOOD)).status, 201);
    const guestMaker = await getToken(emu.url, CLIENTS.guestMaker);
    const guest = await api(emu.url, guestMaker, 'POST', '/api/v2/conversations/messaging/guests', { json: { language: 'en-US' } });
    assert.equal(guest.status, 201, guest.text);
    const sender = await getToken(emu.url, CLIENTS.sender);
    const msg = await api(emu.url, sender, 'POST', '/api/v2/conversations/messaging/messages', {
      json: { guestId: (guest.json as { id: string }).id, to: ['x@example.com'], text: 'hi', attachments: [] },
    });
    assert.equal(msg.status, 201, msg.text);
  });
});
