/**
 * The conversation destination on the engine path, as the CLI composes it (`--via conversation`):
 * the destination over a client, a part transport on the client's pool and clock, and `sendVia`
 * (upload through the engine, then the notifier, exactly once). The tests send every file this way.
 */
import type { ConversationClient } from '../../../src/destinations/conversation/client.js';
import { conversationDestination, type ConversationDestinationOptions } from '../../../src/destinations/conversation/destination.js';
import type { ConversationEvent } from '../../../src/destinations/conversation/events.js';
import { createPartTransport, sendVia, viaTarget, type SendViaResult, type Via } from '../../../src/relay/index.js';
import type { UploadEvent } from '../../../src/upload/events.js';

/** What a send may set: the destination's options, and the message's text. */
export type SendExtra = Partial<Pick<ConversationDestinationOptions, 'communicationId' | 'contentProfile' | 'poll'>> & { text?: string };

export function conversationVia(client: ConversationClient, conversationId: string, options: Omit<ConversationDestinationOptions, 'client' | 'conversationId'> = {}): Via {
  const destination = conversationDestination({ client, conversationId, ownsClient: false, ...options });
  const transport = createPartTransport({ dispatcher: client.dispatcher, clock: client.clock, random: client.random });
  return { destination, transport, retryPolicy: client.retryPolicy, target: viaTarget(destination) };
}

/**
 * One file through the engine and the notifier; the text is given to the destination at opening
 * too (checked against the channel before any upload). Events: the destination's and the engine's.
 */
export async function sendToConversation(
  client: ConversationClient,
  conversationId: string,
  filePath: string,
  extra: SendExtra,
  sink: { events: ConversationEvent[]; engineEvents: UploadEvent[] },
): Promise<SendViaResult> {
  const text = extra.text ?? 'Your document';
  const via = conversationVia(client, conversationId, { ...extra, text, onEvent: (e) => sink.events.push(e) });
  try {
    return await sendVia(via, { filePath, text, onEvent: (e) => sink.engineEvents.push(e) });
  } finally {
    await via.destination.close();
  }
}
