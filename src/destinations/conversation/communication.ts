/**
 * Which message communication the file is posted on (CONVERSATION-MEDIA.md §2). The media goes on
 * a connected message communication of the side that speaks: a participant whose purpose is
 * `agent` first; failing that (lenient: purposes vary by channel and routing), any participant that
 * is not the customer (`customer`, `external`) with a connected message communication. None: a
 * RejectedError that lists what the conversation has, so the user sees why.
 */
import { RejectedError } from '../../errors/index.js';
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
