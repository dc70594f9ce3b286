/**
 * POST …/communications/{communicationId}/messages: send a message on the agent's (or any
 * participant's) communication, with at most one media. Check order: body shape (400
 * bad.request: textBody a string, mediaIds an array of at most one id, no messagingTemplate),
 * textBody length (2000 characters, 765 on SMS), something to send, then conversation and
 * communication (404), communication connected (409 communication.disconnected), the media on this
 * communication (404 not.found) and `valid` (400 media.not.valid). Sending a media twice is
 * allowed, as nothing documents otherwise: a client that repeats a send makes a second message.
 */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import { badRequest, readJsonBody } from '../routes/api-body.js';
import type { Services } from '../services.js';
import { codePointLength } from '../validation.js';
import { findCommunication, findConversation, refuseDisconnected } from './lookup.js';
import type { ConversationMessageRecord } from './types.js';
import { mediaStatus, messageDataView } from './views.js';

const MAX_TEXT = 2000;
const MAX_SMS_TEXT = 765;

export async function sendRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const body = await readJsonBody(ctx);
  if (!body) return;
  const { textBody, mediaIds, messagingTemplate } = body;
  if (typeof textBody !== 'string') return badRequest(ctx, 'textBody is required and must be a string (it may be empty when a media is sent).');
  if (mediaIds !== undefined && mediaIds !== null && (!Array.isArray(mediaIds) || !mediaIds.every((m) => typeof m === 'string'))) {
    return badRequest(ctx, 'mediaIds must be an array of media id strings.');
  }
  const ids = (mediaIds ?? []) as string[];
  if (ids.length > 1) return badRequest(ctx, 'Only one message body field can be accepted, per request: at most one mediaId.');
  if (messagingTemplate !== undefined && messagingTemplate !== null) {
    return badRequest(ctx, 'messagingTemplate is not supported by the emulator.');
  }
  if (textBody.length === 0 && ids.length === 0) return badRequest(ctx, 'Nothing to send: give a textBody or a mediaId.');
  await env.conversations.lock(params.conversationId ?? '', async () => {
    const conversation = findConversation(ctx, env, params.conversationId);
    if (!conversation) return;
    const maxText = conversation.channel === 'sms' ? MAX_SMS_TEXT : MAX_TEXT;
    if (codePointLength(textBody) > maxText) {
      return badRequest(ctx, `textBody must be at most ${maxText} characters on a ${conversation.channel} conversation.`);
    }
    const participant = findCommunication(ctx, conversation, params.communicationId);
    if (!participant || refuseDisconnected(ctx, participant)) return;
    const media = ids.map((id) => conversation.media.find((m) => m.id === id && m.communicationId === participant.communication.id));
    const unknown = ids.filter((_, i) => media[i] === undefined);
    if (unknown.length > 0) {
      return sendGenesysError(ctx, 404, 'not.found', `No media with id ${unknown.join(', ')} on this communication.`, {
        details: unknown.map((id) => ({ mediaId: id })),
      });
    }
    const found = media.filter((m) => m !== undefined);
    const notValid = found.map((m) => ({ mediaId: m.id, status: mediaStatus(env, m) })).filter((m) => m.status !== 'valid');
    if (notValid.length > 0) {
      const [first] = notValid;
      return sendGenesysError(
        ctx,
        400,
        'media.not.valid',
        `Media ${first?.mediaId ?? ''} is ${first?.status ?? ''}, not valid: wait until its status is valid (or upload it again if invalid).`,
        { details: notValid },
      );
    }
    const id = newId();
    const message: ConversationMessageRecord = {
      id,
      participantId: participant.id,
      communicationId: participant.communication.id,
      textBody,
      mediaIds: [...ids],
      timestamp: new Date(env.clock.now()).toISOString(),
      media: found.map((m) => ({ id: m.id, name: m.name, mediaType: m.mediaType, contentLengthBytes: m.size ?? m.contentLengthBytes, sha256: m.sha256 ?? '' })),
    };
    const sentIds = new Set(ids);
    const next = {
      ...conversation,
      media: conversation.media.map((m) => (sentIds.has(m.id) && m.messageId === undefined ? { ...m, messageId: id } : m)),
      messages: [...conversation.messages, message],
    };
    await env.conversations.save(next);
    sendJson(ctx, 200, messageDataView(ctx, env, next, message));
  });
}
