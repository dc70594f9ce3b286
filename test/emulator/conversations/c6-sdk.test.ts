/**
 * Genesys' official SDK (purecloud-platform-client-v2, whose models are generated from Genesys'
 * API definitions) against the emulator's conversation-media routes: the upload request, the
 * media status and the send, through ConversationsApi's own methods, plus the conversation reads
 * and the bulk lookup. The PUT to uploadUrl has no SDK method; it is plain HTTP here.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import platformClient from 'purecloud-platform-client-v2';
import { emulatorFor } from '../conformance/fixtures.js';
import { createConversation, pngBytes, putMedia, sides } from './helpers.js';

type ApiClient = typeof platformClient.ApiClient.instance;

/** A fresh SDK client installed as the singleton the *Api classes use; the original is put back afterwards. */
function freshClient(t: TestContext, port: number): ApiClient {
  const original = platformClient.ApiClient.instance;
  const Ctor = original.constructor as new () => ApiClient;
  const client = new Ctor();
  platformClient.ApiClient.instance = client;
  t.after(() => {
    platformClient.ApiClient.instance = original;
  });
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port });
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('the SDK call was expected to reject');
}

describe('Genesys SDK against the conversation-media routes', () => {
  test('upload request → PUT → media status until valid → send, through ConversationsApi', async (t) => {
    const emu = await emulatorFor(t, { conversations: { validationDelayMs: 60_000 } });
    const client = freshClient(t, emu.port);
    await client.loginClientCredentialsGrant('demo-client', 'demo-secret');
    const conversations = new platformClient.ConversationsApi();
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    const data = pngBytes(20_000);

    const upload: platformClient.Models.MessageMediaUploadData = await conversations.postConversationsMessageCommunicationMessagesMediaUploads(conv.id, agent, {
      fileName: 'claim.png',
      contentLengthBytes: data.length,
    });
    assert.equal(typeof upload.id, 'string');
    assert.equal(upload.name, 'claim.png');
    assert.ok(upload.uploadUrl && upload.uploadHeaders);
    assert.equal((await putMedia({ uploadUrl: upload.uploadUrl, uploadHeaders: upload.uploadHeaders }, data)).status, 200);

    const first: platformClient.Models.MessageMediaData = await conversations.getConversationsMessageCommunicationMessagesMediaMediaId(conv.id, agent, upload.id ?? '');
    assert.equal(first.status, 'uploading');
    assert.equal(first.id, upload.id);
    emu.advanceClock(60_000);
    const valid: platformClient.Models.MessageMediaData = await conversations.getConversationsMessageCommunicationMessagesMediaMediaId(conv.id, agent, upload.id ?? '');
    assert.equal(valid.status, 'valid');
    assert.equal(valid.mediaType, 'image/png');
    assert.equal(valid.contentLengthBytes, data.length);
    assert.equal(typeof valid.url, 'string');

    const listed: platformClient.Models.MessageMediaListing = await conversations.getConversationsMessageCommunicationMessagesMedia(conv.id, agent, { status: 'valid' });
    assert.deepEqual(listed.entities?.map((m) => m.id), [upload.id]);

    const sent: platformClient.Models.MessageData = await conversations.postConversationsMessageCommunicationMessages(conv.id, agent, {
      textBody: 'Your claim photo',
      mediaIds: [upload.id ?? ''],
    });
    assert.equal(typeof sent.id, 'string');
    assert.equal(sent.status, 'sent');
    assert.equal(typeof sent.timestamp, 'string');
    assert.equal(sent.normalizedMessage?.content?.[0]?.attachment?.id, upload.id);
    assert.equal(emu.state().conversations.items[0]?.messages[0]?.id, sent.id);

    const generic: platformClient.Models.Conversation = await conversations.getConversation(conv.id);
    assert.equal(generic.participants.find((p) => p.purpose === 'agent')?.messages?.[0]?.id, agent);
    const history: platformClient.Models.MessageConversation = await conversations.getConversationsMessage(conv.id);
    assert.equal(history.participants?.find((p) => p.purpose === 'agent')?.messages?.[0]?.messageId, sent.id);
    const bulk: platformClient.Models.TextMessageListing = await conversations.postConversationsMessageMessagesBulk(conv.id, { body: [sent.id ?? ''] });
    assert.deepEqual(bulk.entities?.map((e) => e.id), [sent.id]);
  });

  test('the SDK sees the refusals as Genesys error bodies (415 media.type.not.allowed, 413, 403)', async (t) => {
    const emu = await emulatorFor(t, {
      clients: [
        { id: 'demo-client', secret: 'demo-secret', permissions: ['conversation:message:create'] },
      ],
    });
    const client = freshClient(t, emu.port);
    await client.loginClientCredentialsGrant('demo-client', 'demo-secret');
    const conversations = new platformClient.ConversationsApi();
    const conv = await createConversation(emu.url);
    const { agent } = sides(conv);
    const type = await rejection(conversations.postConversationsMessageCommunicationMessagesMediaUploads(conv.id, agent, { fileName: 'a.pdf', contentLengthBytes: 5 }));
    assert.equal(type.code, 'media.type.not.allowed');
    assert.equal(type.status, 415);
    const size = await rejection(conversations.postConversationsMessageCommunicationMessagesMediaUploads(conv.id, agent, { fileName: 'a.png', contentLengthBytes: 25_000_001 }));
    assert.equal(size.code, 'too.large');
    const upload = await conversations.postConversationsMessageCommunicationMessagesMediaUploads(conv.id, agent, { fileName: 'a.png', contentLengthBytes: 5 });
    const view = await rejection(conversations.getConversationsMessageCommunicationMessagesMediaMediaId(conv.id, agent, upload.id ?? ''));
    assert.equal(view.code, 'missing.permissions');
    assert.match(String(view.message), /conversation:message:view/);
  });
});
