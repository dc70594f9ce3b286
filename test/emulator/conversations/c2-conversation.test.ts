/**
 * Conversation media, "finding the communication": conversations made through the admin route,
 * GET /api/v2/conversations/{id} (participants with their message communications), GET
 * /api/v2/conversations/messages/{id} (message history), disconnecting a communication, the
 * per-conversation content profile, and a restart with the same data directory.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startEmulator } from '../../../src/emulator/index.js';
import { api, getToken, http } from '../../helpers/emulator-client.js';
import { assertGenesysError, emulatorFor } from '../conformance/fixtures.js';
import { createConversation, pngBytes, requestUpload, sendMessage, sides, validMedia, type ConversationView } from './helpers.js';

interface ConversationJson {
  id: string;
  startTime: string;
  participants: Array<{ id: string; purpose: string; messages: Array<{ id: string; state: string; type: string; messages: unknown[] }> }>;
  selfUri: string;
}

interface MessageConversationJson {
  id: string;
  participants: Array<{ id: string; purpose: string; state: string; messages: Array<{ messageId: string; messageTime: string; media: Array<{ id: string }> }> }>;
}

describe('conversation media: conversations and communications', () => {
  test('the admin route makes a customer and an agent, each with a connected message communication', async (t) => {
    const emu = await emulatorFor(t);
    const conv = await createConversation(emu.url);
    assert.equal(conv.channel, 'webmessaging');
    assert.deepEqual(conv.participants.map((p) => [p.purpose, p.state]), [['customer', 'connected'], ['agent', 'connected']]);
    assert.deepEqual(conv.profile, { allowedTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 25_000_000 });

    const token = await getToken(emu.url);
    const res = await api<ConversationJson>(emu.url, token, 'GET', `/api/v2/conversations/${conv.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.id, conv.id);
    assert.equal(res.json.selfUri, `/api/v2/conversations/${conv.id}`);
    assert.equal(typeof res.json.startTime, 'string');
    const agent = res.json.participants.find((p) => p.purpose === 'agent');
    assert.ok(agent);
    assert.equal(agent.messages.length, 1);
    assert.equal(agent.messages[0]?.id, sides(conv).agent, 'the message communication id is the communicationId');
    assert.equal(agent.messages[0]?.state, 'connected');
    assert.equal(agent.messages[0]?.type, 'webmessaging');
  });

  test('channel, participants and profile may be given; bad admin bodies are 400', async (t) => {
    const emu = await emulatorFor(t);
    const conv = await createConversation(emu.url, {
      channel: 'sms',
      participants: [{ purpose: 'customer', name: '+353861234567' }, { purpose: 'acd', state: 'alerting' }, { purpose: 'agent', state: 'disconnected' }],
      profile: { allowedTypes: ['application/pdf'] },
    });
    assert.equal(conv.channel, 'sms');
    assert.deepEqual(conv.participants.map((p) => [p.purpose, p.name, p.state]), [
      ['customer', '+353861234567', 'connected'],
      ['acd', 'acd', 'alerting'],
      ['agent', 'agent', 'disconnected'],
    ]);
    assert.deepEqual(conv.profile, { allowedTypes: ['application/pdf'], maxBytes: 25_000_000 });
    for (const body of [{ channel: 'SMS!' }, { participants: [] }, { participants: [{ purpose: 'agent', state: 'held' }] }, { colour: 'red' }, { profile: { maxBytes: 0 } }]) {
      const res = await http(`${emu.url}/__emulator/conversations`, { method: 'POST', json: body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal((res.json as { code: string }).code, 'bad.request');
    }
    const one = await http<ConversationView>(`${emu.url}/__emulator/conversations/${conv.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.json.id, conv.id);
  });

  test('unknown conversation or communication: 404 not.found', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const conv = await createConversation(emu.url);
    const stranger = '00000000-0000-4000-8000-000000000000';
    assertGenesysError(await api(emu.url, token, 'GET', `/api/v2/conversations/${stranger}`), 404, 'not.found');
    assertGenesysError(await api(emu.url, token, 'GET', `/api/v2/conversations/not-an-id`), 404, 'not.found');
    assertGenesysError(await api(emu.url, token, 'GET', `/api/v2/conversations/messages/${stranger}`), 404, 'not.found');
    assertGenesysError(await requestUpload(emu.url, token, stranger, sides(conv).agent, { fileName: 'a.png', contentLengthBytes: 1 }), 404, 'not.found');
    assertGenesysError(await requestUpload(emu.url, token, conv.id, stranger, { fileName: 'a.png', contentLengthBytes: 1 }), 404, 'not.found');
  });

  test('disconnecting a communication shows in both views and refuses media and messages with 409', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    const res = await http<ConversationView>(`${emu.url}/__emulator/conversations/${conv.id}/communications/${agent}/disconnect`, { method: 'POST', json: {} });
    assert.equal(res.status, 200);
    assert.equal(res.json.participants.find((p) => p.communicationId === agent)?.state, 'disconnected');
    const generic = await api<ConversationJson>(emu.url, token, 'GET', `/api/v2/conversations/${conv.id}`);
    assert.equal(generic.json.participants.find((p) => p.purpose === 'agent')?.messages[0]?.state, 'disconnected');
    const history = await api<MessageConversationJson>(emu.url, token, 'GET', `/api/v2/conversations/messages/${conv.id}`);
    assert.equal(history.json.participants.find((p) => p.purpose === 'agent')?.state, 'disconnected');
    assertGenesysError(await requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 1 }), 409, 'communication.disconnected');
    assertGenesysError(await sendMessage(emu.url, token, conv.id, agent, { textBody: 'hello' }), 409, 'communication.disconnected');
    const missing = await http(`${emu.url}/__emulator/conversations/${conv.id}/communications/${conv.id}/disconnect`, { method: 'POST', json: {} });
    assert.equal(missing.status, 404);
  });

  test('the profile can be changed per conversation, field by field', async (t) => {
    const emu = await emulatorFor(t);
    const conv = await createConversation(emu.url);
    const put = (json: unknown) => http(`${emu.url}/__emulator/conversations/${conv.id}/profile`, { method: 'PUT', json });
    const res = await put({ maxBytes: 1000 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { allowedTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 1000 });
    assert.deepEqual((await put({ allowedTypes: ['application/pdf'] })).json, { allowedTypes: ['application/pdf'], maxBytes: 1000 });
    assert.equal((await put({ allowedTypes: ['pdf'] })).status, 400);
    assert.equal((await http(`${emu.url}/__emulator/conversations/00000000-0000-4000-8000-000000000000/profile`, { method: 'PUT', json: {} })).status, 404);
  });

  test('the default profile is a setting; new conversations take it', async (t) => {
    const emu = await emulatorFor(t, { conversations: { defaultProfile: { allowedTypes: ['application/pdf', 'image/png'] } } });
    assert.deepEqual((await createConversation(emu.url)).profile, { allowedTypes: ['application/pdf', 'image/png'], maxBytes: 25_000_000 });
    emu.configure({ conversations: { defaultProfile: { maxBytes: 5 } } });
    assert.deepEqual((await createConversation(emu.url)).profile, { allowedTypes: ['application/pdf', 'image/png'], maxBytes: 5 });
    const patched = await http<{ conversations: { validationDelayMs: number } }>(`${emu.url}/__emulator/config`, { method: 'PATCH', json: { conversations: { validationDelayMs: 0 } } });
    assert.equal(patched.json.conversations.validationDelayMs, 0);
    assert.equal((await http(`${emu.url}/__emulator/config`, { method: 'PATCH', json: { conversations: { uploadUrlTtlSeconds: 0 } } })).status, 400);
  });

  test('a restart with the same data directory keeps conversations, media and messages', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conv-restart-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));
    // The emulator clock is not persisted: no validation delay, so `valid` survives the restart.
    const options = { dataDir, port: 0, conversations: { validationDelayMs: 0 } };
    const first = await startEmulator(options);
    let conv: ConversationView;
    try {
      const token = await getToken(first.url);
      conv = await createConversation(first.url);
      const upload = await validMedia(first, token, conv.id, sides(conv).agent, 'photo.png', pngBytes(1000));
      const sent = await sendMessage(first.url, token, conv.id, sides(conv).agent, { textBody: 'photo', mediaIds: [upload.id] });
      assert.equal(sent.status, 200);
    } finally {
      await first.close();
    }
    const second = await startEmulator(options);
    try {
      const [again] = second.state().conversations.items;
      assert.equal(again?.id, conv.id);
      assert.equal(again?.messages.length, 1);
      assert.equal(again?.media[0]?.status, 'valid');
      const token = await getToken(second.url);
      const history = await api<MessageConversationJson>(second.url, token, 'GET', `/api/v2/conversations/messages/${conv.id}`);
      assert.equal(history.json.participants.find((p) => p.purpose === 'agent')?.messages.length, 1);
    } finally {
      await second.close();
    }
  });
});
