/**
 * Conversation media, the flow's steps 4-5: sending the message with the media (MessageData), its
 * refusals, the participant's message history, the bulk lookup that settles a send whose answer
 * was lost, and the inspection of delivered media bytes' SHA-256.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, getToken, http } from '../../helpers/emulator-client.js';
import { assertGenesysError, emulatorFor } from '../conformance/fixtures.js';
import { createConversation, pdfBytes, pngBytes, putMedia, requestUploadOrThrow, sendMessage, sides, validMedia, type MessageData } from './helpers.js';

async function setUp(t: Parameters<typeof emulatorFor>[0], conversation: object = {}) {
  const emu = await emulatorFor(t);
  const token = await getToken(emu.url);
  const conv = await createConversation(emu.url, conversation);
  return { emu, token, conv, agent: sides(conv).agent };
}

interface History {
  participants: Array<{ purpose: string; messages: Array<{ messageId: string; media: Array<{ id: string }> }> }>;
}

describe('conversation media: sending the message', () => {
  test('a valid media and a text: 200 MessageData with the media, recorded with its bytes SHA-256', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const data = pngBytes(5000);
    const upload = await validMedia(emu, token, conv.id, agent, 'claim.png', data);
    const res = await sendMessage(emu.url, token, conv.id, agent, { textBody: 'Your claim photo', mediaIds: [upload.id] });
    assert.equal(res.status, 200, res.text);
    const m: MessageData = res.json;
    assert.equal(typeof m.id, 'string');
    assert.equal(m.status, 'sent');
    assert.equal(m.direction, 'outbound');
    assert.equal(m.textBody, 'Your claim photo');
    assert.equal(m.conversationId, conv.id);
    assert.equal(typeof m.timestamp, 'string');
    assert.deepEqual(m.media.map(({ id, name, mediaType, contentLengthBytes }) => ({ id, name, mediaType, contentLengthBytes })), [
      { id: upload.id, name: 'claim.png', mediaType: 'image/png', contentLengthBytes: 5000 },
    ]);
    assert.ok((await http(m.media[0]?.url ?? '')).bytes.equals(data), 'the media url serves the bytes');
    const sha256 = createHash('sha256').update(data).digest('hex');
    assert.equal(m.normalizedMessage.text, 'Your claim photo');
    assert.equal(m.normalizedMessage.content[0]?.contentType, 'Attachment');
    assert.equal(m.normalizedMessage.content[0]?.attachment.sha256, sha256);
    assert.equal(m.normalizedMessage.content[0]?.attachment.mediaType, 'Image');

    const [seen] = emu.state().conversations.items;
    assert.deepEqual(seen?.messages.map((x) => ({ id: x.id, textBody: x.textBody, media: x.media })), [
      { id: m.id, textBody: 'Your claim photo', media: [{ id: upload.id, name: 'claim.png', mediaType: 'image/png', size: 5000, sha256 }] },
    ]);
    assert.equal(seen?.media[0]?.messageId, m.id);
    const history = await api<History>(emu.url, token, 'GET', `/api/v2/conversations/messages/${conv.id}`);
    const agentHistory = history.json.participants.find((p) => p.purpose === 'agent')?.messages;
    assert.deepEqual(agentHistory?.map((h) => [h.messageId, h.media.map((x) => x.id)]), [[m.id, [upload.id]]]);
  });

  test('text alone is a message too; a sent media can no longer be overwritten', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    assert.equal((await sendMessage(emu.url, token, conv.id, agent, { textBody: 'https://example.com/big.zip' })).status, 200);
    const upload = await validMedia(emu, token, conv.id, agent, 'a.png', pngBytes(10));
    assert.equal((await sendMessage(emu.url, token, conv.id, agent, { textBody: '', mediaIds: [upload.id] })).status, 200);
    const again = await putMedia(upload, pngBytes(10, 2));
    assert.equal(again.status, 403);
    assert.equal(again.s3Error?.code, 'AccessDenied');
  });

  test('body rules: 400 bad.request', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const a = await validMedia(emu, token, conv.id, agent, 'a.png', pngBytes(10));
    const b = await validMedia(emu, token, conv.id, agent, 'b.png', pngBytes(10));
    for (const body of [
      {},
      { textBody: 5 },
      { textBody: '' },
      { textBody: 'x', mediaIds: a.id },
      { textBody: 'x', mediaIds: [a.id, b.id] },
      { textBody: 'x', messagingTemplate: { responseId: 'r' } },
      { textBody: 'x'.repeat(2001) },
    ]) {
      assertGenesysError(await sendMessage(emu.url, token, conv.id, agent, body), 400, 'bad.request');
    }
    assert.equal((await sendMessage(emu.url, token, conv.id, agent, { textBody: '€'.repeat(2000) })).status, 200, '2000 characters, not bytes');
  });

  test('SMS limits textBody to 765 characters', async (t) => {
    const { emu, token, conv, agent } = await setUp(t, { channel: 'sms' });
    assert.equal((await sendMessage(emu.url, token, conv.id, agent, { textBody: 'x'.repeat(765) })).status, 200);
    assertGenesysError(await sendMessage(emu.url, token, conv.id, agent, { textBody: 'x'.repeat(766) }), 400, 'bad.request');
  });

  test('media not valid yet, or invalid: 400 media.not.valid; unknown or on another communication: 404', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await requestUploadOrThrow(emu.url, token, conv.id, agent, { fileName: 'a.png', contentLengthBytes: 10 });
    const notYet = assertGenesysError(await sendMessage(emu.url, token, conv.id, agent, { textBody: 'x', mediaIds: [upload.id] }), 400, 'media.not.valid');
    assert.deepEqual(notYet.details, [{ mediaId: upload.id, status: 'uploading' }]);
    await putMedia(upload, pdfBytes(10));
    emu.advanceClock(emu.settings().conversations.validationDelayMs);
    const invalid = assertGenesysError(await sendMessage(emu.url, token, conv.id, agent, { textBody: 'x', mediaIds: [upload.id] }), 400, 'media.not.valid');
    assert.deepEqual(invalid.details, [{ mediaId: upload.id, status: 'invalid' }]);
    assertGenesysError(await sendMessage(emu.url, token, conv.id, agent, { textBody: 'x', mediaIds: ['00000000-0000-4000-8000-000000000000'] }), 404, 'not.found');
    const valid = await validMedia(emu, token, conv.id, agent, 'b.png', pngBytes(10));
    assertGenesysError(await sendMessage(emu.url, token, conv.id, sides(conv).customer, { textBody: 'x', mediaIds: [valid.id] }), 404, 'not.found');
    assert.equal(emu.state().conversations.items[0]?.messages.length, 0, 'nothing was sent');
  });

  test('bulk lookup: POST with message ids (unknown ones left out), GET for all, 400 on a bad body', async (t) => {
    const { emu, token, conv, agent } = await setUp(t);
    const upload = await validMedia(emu, token, conv.id, agent, 'a.png', pngBytes(10));
    const first = (await sendMessage(emu.url, token, conv.id, agent, { textBody: 'one' })).json;
    const second = (await sendMessage(emu.url, token, conv.id, agent, { textBody: 'two', mediaIds: [upload.id] })).json;
    const bulk = `/api/v2/conversations/messages/${conv.id}/messages/bulk`;
    const posted = await api<{ entities: MessageData[] }>(emu.url, token, 'POST', bulk, { json: [second.id, 'ffffffff-0000-4000-8000-000000000000'] });
    assert.equal(posted.status, 200);
    assert.deepEqual(posted.json.entities.map((e) => [e.id, e.media.map((x) => x.id)]), [[second.id, [upload.id]]]);
    const wrapped = await api<{ entities: MessageData[] }>(emu.url, token, 'POST', bulk, { json: { messageIds: [first.id] } });
    assert.deepEqual(wrapped.json.entities.map((e) => e.textBody), ['one']);
    const all = await api<{ entities: MessageData[] }>(emu.url, token, 'GET', bulk);
    assert.deepEqual(all.json.entities.map((e) => e.id), [first.id, second.id]);
    for (const body of [{ messageIds: 'x' }, [1, 2], Array.from({ length: 1001 }, () => 'x')]) {
      assertGenesysError(await api(emu.url, token, 'POST', bulk, { json: body }), 400, 'bad.request');
    }
    assertGenesysError(await api(emu.url, token, 'GET', `/api/v2/conversations/messages/${agent}/messages/bulk`), 404, 'not.found');
  });
});
