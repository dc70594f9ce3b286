/**
 * The JSON the conversation routes answer, shaped as Genesys' own models (the SDK's
 * `Conversation`, `MessageConversation`, `MessageMediaData`, `MessageData`), and the media
 * status lifecycle those views report.
 */
import type { RequestContext } from '../http/context.js';
import type { Services } from '../services.js';
import { attachmentKind } from './media-types.js';
import type { ConversationMessageRecord, ConversationRecord, MediaRecord, MediaStatus, ParticipantRecord } from './types.js';

/**
 * `uploading` until bytes are stored and `validationDelayMs` (emulator clock) has passed; then
 * `invalid` if validation refused them, else `valid`. Computed on read, so advancing the clock
 * is enough to move a media along.
 */
export function mediaStatus(env: Services, media: MediaRecord): MediaStatus {
  if (media.storedAt === undefined) return 'uploading';
  if (env.clock.now() < media.storedAt + env.settings().conversations.validationDelayMs) return 'uploading';
  return media.invalidReason === undefined ? 'valid' : 'invalid';
}

const API = '/api/v2/conversations';

export function mediaSelfUri(conversationId: string, media: MediaRecord): string {
  return `${API}/messages/${conversationId}/communications/${media.communicationId}/messages/media/${media.id}`;
}

/** A signed GET for the stored bytes (no token needed, as with Genesys' media URLs). */
export function mediaDownloadUrl(ctx: RequestContext, env: Services, mediaId: string): string {
  return env.conversations.signer.sign(env.origin(ctx), mediaId, 'GET', {}, env.clock.now(), env.settings().urlTtlSeconds);
}

/** MessageMediaData (GET …/messages/media/{mediaId}). */
export function mediaDataView(ctx: RequestContext, env: Services, conversation: ConversationRecord, media: MediaRecord) {
  const status = mediaStatus(env, media);
  return {
    id: media.id,
    name: media.name,
    ...(status === 'valid' && { url: mediaDownloadUrl(ctx, env, media.id) }),
    mediaType: media.mediaType,
    contentLengthBytes: media.contentLengthBytes,
    uploadUrl: media.uploadUrl,
    status,
    conversationId: conversation.id,
    communicationId: media.communicationId,
    selfUri: mediaSelfUri(conversation.id, media),
  };
}

function participantAddress(p: ParticipantRecord): { name: string } {
  return { name: p.name };
}

/** MessageData (the send's answer and each entity of the bulk lookup). */
export function messageDataView(ctx: RequestContext, env: Services, conversation: ConversationRecord, message: ConversationMessageRecord) {
  const from = conversation.participants.find((p) => p.id === message.participantId);
  const to = conversation.participants.find((p) => p.purpose === 'customer' && p.id !== message.participantId);
  const media = message.media.map((m) => ({
    id: m.id,
    url: mediaDownloadUrl(ctx, env, m.id),
    mediaType: m.mediaType,
    contentLengthBytes: m.contentLengthBytes,
    name: m.name,
  }));
  return {
    id: message.id,
    timestamp: message.timestamp,
    ...(from && { fromAddress: from.name }),
    ...(to && { toAddress: to.name }),
    direction: 'outbound',
    messengerType: conversation.channel,
    textBody: message.textBody,
    status: 'sent',
    media,
    normalizedMessage: {
      id: message.id,
      type: 'Text',
      text: message.textBody,
      content: media.map((m, i) => ({
        contentType: 'Attachment',
        attachment: {
          id: m.id,
          mediaType: attachmentKind(m.mediaType),
          url: m.url,
          mime: m.mediaType,
          filename: m.name,
          contentSizeBytes: m.contentLengthBytes,
          sha256: message.media[i]?.sha256,
        },
      })),
      status: 'Sent',
      direction: 'Outbound',
    },
    conversationId: conversation.id,
    selfUri: `${API}/messages/${conversation.id}/messages/${message.id}`,
  };
}

/** MessageDetails: one entry of a participant's message history. */
function historyEntry(conversation: ConversationRecord, message: ConversationMessageRecord) {
  return {
    messageId: message.id,
    messageURI: `${API}/messages/${conversation.id}/messages/${message.id}`,
    messageStatus: 'sent',
    messageSegmentCount: 1,
    messageTime: message.timestamp,
    media: message.media.map((m) => ({ id: m.id, name: m.name, mediaType: m.mediaType, contentLengthBytes: m.contentLengthBytes })),
  };
}

function historyOf(conversation: ConversationRecord, participant: ParticipantRecord) {
  return conversation.messages.filter((m) => m.participantId === participant.id).map((m) => historyEntry(conversation, m));
}

function communicationTimes(p: ParticipantRecord) {
  const c = p.communication;
  return {
    ...(c.connectedTime !== undefined && { connectedTime: c.connectedTime }),
    ...(c.disconnectedTime !== undefined && { endTime: c.disconnectedTime }),
  };
}

/** Conversation (GET /api/v2/conversations/{id}): participants with their message communications. */
export function conversationView(conversation: ConversationRecord) {
  const ended = conversation.participants.every((p) => p.communication.state === 'disconnected');
  return {
    id: conversation.id,
    startTime: conversation.createdAt,
    participants: conversation.participants.map((p) => ({
      id: p.id,
      startTime: p.startTime,
      ...communicationTimes(p),
      name: p.name,
      purpose: p.purpose,
      participantType: p.purpose === 'customer' ? 'External' : 'Internal',
      address: p.name,
      messages: [
        {
          id: p.communication.id,
          state: p.communication.state,
          initialState: 'connected',
          held: false,
          direction: p.purpose === 'customer' ? 'inbound' : 'outbound',
          ...(p.communication.connectedTime !== undefined && { connectedTime: p.communication.connectedTime }),
          ...(p.communication.disconnectedTime !== undefined && { disconnectedTime: p.communication.disconnectedTime }),
          type: conversation.channel,
          fromAddress: participantAddress(p),
          messages: historyOf(conversation, p),
        },
      ],
    })),
    state: ended ? 'disconnected' : 'connected',
    selfUri: `${API}/${conversation.id}`,
  };
}

/** MessageConversation (GET /api/v2/conversations/messages/{id}): each participant's message history. */
export function messageConversationView(conversation: ConversationRecord) {
  return {
    id: conversation.id,
    participants: conversation.participants.map((p) => ({
      id: p.id,
      name: p.name,
      address: p.name,
      startTime: p.startTime,
      ...communicationTimes(p),
      purpose: p.purpose,
      state: p.communication.state,
      direction: p.purpose === 'customer' ? 'inbound' : 'outbound',
      held: false,
      type: conversation.channel,
      messages: historyOf(conversation, p),
    })),
    selfUri: `${API}/messages/${conversation.id}`,
  };
}
