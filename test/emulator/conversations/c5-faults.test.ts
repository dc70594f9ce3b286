/**
 * Conversation media: fault rules on the new routes (status, stall, reset, lose-response, and
 * corrupt on the media PUT), through the same FaultRule mechanism and admin route as the others.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, getToken, http } from '../../helpers/emulator-client.js';
import { assertGenesysError, assertRetryAfter, assertS3Error, emulatorFor } from '../conformance/fixtures.js';
import { rawHttp } from '../conformance/raw-http.js';
import { createConversation, getMedia, pngBytes, putMedia, requestUpload, requestUploadOrThrow, sendMessage, sides, validMedia, type MessageData } from './helpers.js';

async function setUp(t: Parameters<typeof emulatorFor>[0]) {
  const emu = await emulatorFor(t, { conversations: { validationDelayMs: 0 } });
  const token = await getToken(emu.url);
  const conv = await createConversation(emu.url);
  return { emu, token, conv, agent: sides(conv).agent };
}

describe('conversation media: fault rules', () => {
  test('the admin route takes rules for the new routes; corrupt only on media-put', async (t) => {
    const { emu } = await setUp(t);
    const routes = ['conversation', 'conversation-messages', 'media-uploads', 'media-status', 'media-put', 'media-content', 'conversation-send', 'messages-bulk'];
    const res = await http<{ ids: string[] }>(`${emu.url}/__emulator/faults`, {
      method: 'POST',
      json: [...routes.map((route) => ({ route, action: 'stall', stallMs: 1 })), { route: 'media-put', action: 'corrupt' }],
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.ids.length, routes.length + 1);
    const refused = await http(`${emu.url}/__emulator/faults`, { method: 'POST', json: { route: 'conversation-send', action: 'corrupt' } });
    assert.equal(refused.status, 400);
  });

  test('status: a 503 with Retry-After on the upload request (nothing created), S3 XML on the PUT', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    emu.addFault({ route: 'media-uploads', action: 'status', status: 503, retryAfter: 7 });
    const refused = await requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    assertGenesysError(refused, 503, 'service.unavailable');
    assert.equal(assertRetryAfter(refused), 7);
    assert.equal(emu.state().conversations.items[0]?.media.length, 0);
    emu.addFault({ route: 'conversation', action: 'status', status: 429, retryAfter: 3 });
    assertGenesysError(await api(emu.url, token, 'GET', `/api/v2/conversations/${conv.id}`), 429, 'too.many.requests');

    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    emu.addFault({ route: 'media-put', action: 'status', status: 503 });
    assertS3Error(await putMedia(upload, pngBytes(10)), 503, 'ServiceUnavailable');
    assert.equal((await putMedia(upload, pngBytes(10))).status, 200, 'the rule applied once');
  });

  test('reset: the PUT connection drops after some bytes and nothing is stored; a retry stores', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const data = pngBytes(200_000);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: data.length });
    emu.addFault({ route: 'media-put', action: 'reset', afterBytes: 50_000 });
    const headers = [...Object.entries(upload.uploadHeaders), ['Content-Length', String(data.length)]] as Array<[string, string]>;
    assert.equal(await rawHttp({ method: 'PUT', url: upload.uploadUrl, headers, body: data, then: 'wait' }), undefined, 'no answer');
    assert.equal(emu.state().conversations.items[0]?.media[0]?.size, undefined);
    assert.equal((await putMedia(upload, data)).status, 200);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'valid');
  });

  test('lose-response on the send: the message is sent, the answer never comes; the bulk lookup finds it', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await validMedia(emu, token, conv.id, agent, 'a.png', pngBytes(10));
    emu.addFault({ route: 'conversation-send', action: 'lose-response' });
    await assert.rejects(sendMessage(emu.url, token, conv.id, agent, { textBody: 'x', mediaIds: [upload.id] }));
    const [sent] = emu.state().conversations.items[0]?.messages ?? [];
    assert.ok(sent, 'the message exists');
    const all = await api<{ entities: MessageData[] }>(emu.url, token, 'GET', `/api/v2/conversations/messages/${conv.id}/messages/bulk`);
    assert.deepEqual(all.json.entities.map((e) => [e.id, e.media[0]?.id]), [[sent.id, upload.id]]);
    const log = emu.state().requestLog.filter((e) => e.route === 'conversation-send');
    assert.deepEqual(log.map((e) => [e.fault, e.status]), [['lose-response', 200]]);
  });

  test('lose-response on the upload request creates the media anyway', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    emu.addFault({ route: 'media-uploads', action: 'lose-response' });
    await assert.rejects(requestUpload(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 }));
    assert.equal(emu.state().conversations.items[0]?.media.length, 1);
  });

  test('stall delays the status answer', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    emu.addFault({ route: 'media-status', action: 'stall', stallMs: 300 });
    const started = Date.now();
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).status, 200);
    assert.ok(Date.now() - started >= 290, 'stalled');
  });

  test('corrupt on the PUT: stored, then validation refuses it (invalid, reason rejected), once', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    emu.addFault({ route: 'media-put', action: 'corrupt' });
    assert.equal((await putMedia(upload, pngBytes(10))).status, 200);
    assert.equal((await getMedia(emu.url, token, conv.id, agent, upload.id)).json.status, 'invalid');
    assert.equal(emu.state().conversations.items[0]?.media[0]?.invalidReason, 'rejected');
    const again = await validMedia(emu, token, conv.id, agent, 'b.png', pngBytes(10));
    assert.equal((await getMedia(emu.url, token, conv.id, agent, again.id)).json.status, 'valid', 'a new media is fine');
  });
});
