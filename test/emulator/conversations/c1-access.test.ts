/**
 * Conversation media, section "who may call it": the {api} guard (401, 429, 403 in that order),
 * the any-of permissions of each route, and the common headers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EmulatorClient, Permission } from '../../../src/emulator/types.js';
import { api, getToken } from '../../helpers/emulator-client.js';
import { assertApiHeaders, assertGenesysError, emulatorFor } from '../conformance/fixtures.js';
import { createConversation, getMedia, pngBytes, putMedia, requestUpload, requestUploadOrThrow, sendMessage, sides } from './helpers.js';

const client = (id: string, permissions: Permission[]): EmulatorClient => ({ id, secret: `${id}-secret`, permissions });
const CLIENTS = [
  client('all', ['conversation:message:create', 'conversation:message:view']),
  client('webmessaging', ['conversation:webmessaging:create', 'conversation:webmessaging:view']),
  client('social', ['conversation:socialmedia:create']),
  client('files', ['files:upload']),
];

describe('conversation media: access', () => {
  test('no token, or a bad one: 401 bad.credentials with the common headers', async (t) => {
    const emu = await emulatorFor(t);
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    assertGenesysError(await requestUpload(emu.url, undefined, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 1 }), 401, 'bad.credentials');
    assertGenesysError(await requestUpload(emu.url, 'junk', conv.id, agent, { fileName: 'a.png', contentLengthBytes: 1 }), 401, 'bad.credentials');
    assertGenesysError(await api(emu.url, undefined, 'GET', `/api/v2/conversations/${conv.id}`), 401, 'bad.credentials');
  });

  test('uploads accept any of the three create permissions; status needs a view permission; send a message or webmessaging create', async (t) => {
    const emu = await emulatorFor(t, { clients: CLIENTS });
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    const body = { fileName: 'a.png', contentLengthBytes: 10 };
    const tokens = Object.fromEntries(await Promise.all(['all', 'webmessaging', 'social', 'files'].map(async (id) => [id, await getToken(emu.url, { id, secret: `${id}-secret` })])));

    for (const id of ['all', 'webmessaging', 'social']) {
      const res = await requestUpload(emu.url, tokens[id], conv.id, agent, body);
      assert.equal(res.status, 200, `${id}: ${res.text}`);
      assertApiHeaders(res);
    }
    const refused = assertGenesysError(await requestUpload(emu.url, tokens.files, conv.id, agent, body), 403, 'missing.permissions');
    for (const p of ['conversation:message:create', 'conversation:webmessaging:create', 'conversation:socialmedia:create']) assert.match(refused.message, new RegExp(p));

    const upload = await requestUploadOrThrow(emu.url, tokens.social!, conv.id, agent, body);
    const noView = assertGenesysError(await getMedia(emu.url, tokens.social, conv.id, agent, upload.id), 403, 'missing.permissions');
    assert.match(noView.message, /conversation:message:view/);
    assert.match(noView.message, /conversation:webmessaging:view/);
    assert.equal((await getMedia(emu.url, tokens.webmessaging, conv.id, agent, upload.id)).status, 200);

    const noSend = assertGenesysError(await sendMessage(emu.url, tokens.social, conv.id, agent, { textBody: 'hi' }), 403, 'missing.permissions');
    assert.doesNotMatch(noSend.message, /socialmedia/);
    assert.equal((await sendMessage(emu.url, tokens.webmessaging, conv.id, agent, { textBody: 'hi' })).status, 200);
  });

  test('reading the conversation, its history and the bulk lookup need only a valid token', async (t) => {
    const emu = await emulatorFor(t, { clients: CLIENTS });
    const conv = await createConversation(emu.url);
    const token = await getToken(emu.url, { id: 'files', secret: 'files-secret' });
    for (const path of [`/api/v2/conversations/${conv.id}`, `/api/v2/conversations/messages/${conv.id}`, `/api/v2/conversations/messages/${conv.id}/messages/bulk`]) {
      const res = await api(emu.url, token, 'GET', path);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assertApiHeaders(res);
    }
  });

  test('the demo client holds every conversation permission', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    assert.equal((await putMedia(upload, pngBytes(10))).status, 200);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).status, 200);
  });

  test('rate limit before permission: 429 with Retry-After, counted per token', async (t) => {
    const emu = await emulatorFor(t, { clients: CLIENTS, apiRateLimit: { requests: 2, windowSeconds: 60 } });
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    const token = await getToken(emu.url, { id: 'files', secret: 'files-secret' });
    const body = { fileName: 'a.png', contentLengthBytes: 10 };
    assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, body), 403, 'missing.permissions');
    assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, body), 403, 'missing.permissions');
    assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, body), 429, 'too.many.requests');
    emu.advanceClock(60_000);
    assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, body), 403, 'missing.permissions');
  });
});
