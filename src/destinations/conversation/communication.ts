/**
 * Which message communication the file is posted on (CONVERSATION-MEDIA.md §2). The media goes on
 * a connected message communication of the side that speaks: a participant whose purpose is
 * `agent` first; failing that (lenient: purposes vary by channel and routing), any participant that
 * is not the customer (`customer`, `external`) with a connected message communication. None: a
 * RejectedError that lists what the conversation has, so the user sees why.
 */
import { RejectedError } from '../../errors/index.js';
import type { CallOptions } from '../../genesys/api-transport.js';
import type { ConversationClient } from './client.js';
import type { ConversationEventListener } from './events.js';
import type { Conversation } from './schemas.js';

export interface ChosenCommunication {
  communicationId: string;
  participantId: string;
  purpose: string | undefined;
  /** The channel of the communication (webmessaging, sms, whatsapp, open…), when the platform says. */
  type: string | undefined;
  /** Why this one: the agent's, or the lenient fallback. */
  reason: 'agent' | 'non-customer';
  /** How many connected candidates there were (more than one: the first was taken). */
  candidates: number;
}

const CUSTOMER_SIDE = new Set(['customer', 'external']);

export function chooseCommunication(conversation: Conversation): ChosenCommunication {
  const connected = conversation.participants.flatMap((participant) =>
    participant.messages.filter((m) => m.state === 'connected').map((m) => ({ participant, communication: m })),
  );
  const agents = connected.filter((c) => c.participant.purpose === 'agent');
  const others = connected.filter((c) => !CUSTOMER_SIDE.has(c.participant.purpose ?? ''));
  const pool = agents.length > 0 ? agents : others;
  const first = pool[0];
  if (first === undefined) {
    const seen = conversation.participants
      .map((p) => `${p.purpose ?? 'participant'} (${p.messages.length === 0 ? 'no message communication' : p.messages.map((m) => m.state || 'unknown').join(', ')})`)
      .join('; ');
    throw new RejectedError(
      'conversation.no_connected_communication',
      `The conversation ${conversation.id} has no connected message communication on the agent side, so it cannot take a file ` +
        `(participants: ${seen || 'none'}). Send it while an agent is connected to the conversation, or give --communication-id.`,
      { details: { conversationId: conversation.id } },
    );
  }
  return {
    communicationId: first.communication.id,
    participantId: first.participant.id,
    purpose: first.participant.purpose,
    type: first.communication.type,
    reason: agents.length > 0 ? 'agent' : 'non-customer',
    candidates: pool.length,
  };
}

export interface ConversationTarget {
  conversationId: string;
  /** Undefined: the agent side's connected message communication is looked up. */
  communicationId?: string | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ConversationEventListener | undefined;
}

/** Call options whose retries are reported as conversation events. */
function callOptions(signal: AbortSignal | undefined, onEvent: ConversationEventListener | undefined): CallOptions {
  return {
    signal,
    onRetry: (info) =>
      onEvent?.({ type: 'retry', route: info.route, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason, status: info.status, code: info.code }),
  };
}

/**
 * The communication to post on: the given one, or the agent side's connected one (an event says
 * which), with its channel when known.
 */
export async function findCommunication(client: ConversationClient, target: ConversationTarget): Promise<{ communicationId: string; channel: string | undefined }> {
  const { conversationId, onEvent } = target;
  if (target.communicationId !== undefined) {
    onEvent?.({ type: 'communication-chosen', conversationId, communicationId: target.communicationId, reason: 'given' });
    return { communicationId: target.communicationId, channel: undefined };
  }
  const conversation = await client.api.getConversation(conversationId, callOptions(target.signal, onEvent));
  const chosen = chooseCommunication(conversation);
  onEvent?.({
    type: 'communication-chosen',
    conversationId,
    communicationId: chosen.communicationId,
    reason: chosen.reason,
    participantId: chosen.participantId,
    purpose: chosen.purpose,
    candidates: chosen.candidates,
  });
  return { communicationId: chosen.communicationId, channel: chosen.type };
}
