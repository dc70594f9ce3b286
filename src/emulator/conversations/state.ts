/** The conversations' part of the state view: messages with their media bytes' SHA-256. */
import type { Services } from '../services.js';
import type { ConversationRecord, ConversationsState } from './types.js';
import { mediaStatus } from './views.js';

export function conversationState(env: Services, c: ConversationRecord): ConversationsState['items'][number] {
  return {
    id: c.id,
    channel: c.channel,
    createdAt: c.createdAt,
    profile: { allowedTypes: [...c.profile.allowedTypes], maxBytes: c.profile.maxBytes },
    participants: c.participants.map((p) => ({
      id: p.id,
      purpose: p.purpose,
      name: p.name,
      communicationId: p.communication.id,
      state: p.communication.state,
    })),
    media: c.media.map((m) => ({
      id: m.id,
      communicationId: m.communicationId,
      name: m.name,
      mediaType: m.mediaType,
      contentLengthBytes: m.contentLengthBytes,
      status: mediaStatus(env, m),
      ...(m.size !== undefined && { size: m.size }),
      ...(m.sha256 !== undefined && { sha256: m.sha256 }),
      ...(m.invalidReason !== undefined && { invalidReason: m.invalidReason }),
      ...(m.messageId !== undefined && { messageId: m.messageId }),
    })),
    messages: c.messages.map((msg) => ({
      id: msg.id,
      participantId: msg.participantId,
      communicationId: msg.communicationId,
      textBody: msg.textBody,
      timestamp: msg.timestamp,
      media: msg.media.map((m) => ({ id: m.id, name: m.name, mediaType: m.mediaType, size: m.contentLengthBytes, sha256: m.sha256 })),
    })),
  };
}

export function buildConversationsState(env: Services): ConversationsState {
  return {
    items: env.conversations.all().map((c) => conversationState(env, c)),
    uploadAuthorizationSeen: env.conversations.uploadAuthorizationSeen,
  };
}
