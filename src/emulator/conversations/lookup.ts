/** Resolving the path's conversation, communication and media, answering 404 not.found when unknown. */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError } from '../http/respond.js';
import type { Services } from '../services.js';
import type { ConversationRecord, MediaRecord, ParticipantRecord } from './types.js';

export function findConversation(ctx: RequestContext, env: Services, conversationId: string | undefined): ConversationRecord | undefined {
  const conversation = env.conversations.get(conversationId ?? '');
  if (!conversation) sendGenesysError(ctx, 404, 'not.found', `No conversation with id ${JSON.stringify(conversationId ?? '')} exists.`);
  return conversation;
}

/** The participant whose message communication has this id. */
export function findCommunication(ctx: RequestContext, conversation: ConversationRecord, communicationId: string | undefined): ParticipantRecord | undefined {
  const participant = conversation.participants.find((p) => p.communication.id === communicationId);
  if (!participant) {
    sendGenesysError(ctx, 404, 'not.found', `No communication with id ${JSON.stringify(communicationId ?? '')} in conversation ${conversation.id}.`);
  }
  return participant;
}

export function findMedia(ctx: RequestContext, conversation: ConversationRecord, communicationId: string, mediaId: string | undefined): MediaRecord | undefined {
  const media = conversation.media.find((m) => m.id === mediaId && m.communicationId === communicationId);
  if (!media) sendGenesysError(ctx, 404, 'not.found', `No media with id ${JSON.stringify(mediaId ?? '')} on this communication.`);
  return media;
}

/** 409 for a communication that can no longer take messages (or media for them). */
export function refuseDisconnected(ctx: RequestContext, participant: ParticipantRecord): boolean {
  if (participant.communication.state === 'connected') return false;
  sendGenesysError(
    ctx,
    409,
    'communication.disconnected',
    `Communication ${participant.communication.id} is ${participant.communication.state}, not connected: it cannot take messages.`,
  );
  return true;
}
