/**
 * The Via of a conversation send, for the CLI's send and resume and for the service. The org comes
 * from the usual target flags and environment; the token from --access-token-file,
 * GENESYS_ACCESS_TOKEN or the OAuth client credentials (never echoed). The journal keys the job by
 * the API origin and the conversation id; the communication is in the store's own journalled state.
 */
import { conversationClientFromSettings, conversationDestination, parseConversationOptions, type ConversationFlags } from '../destinations/conversation/index.js';
import type { ConfigFlags } from '../config/resolve-config.js';
import type { RecordedTarget } from '../journal/index.js';
import { createPartTransport } from './via.js';
import type { OpenedVia } from './web-messaging-via.js';

/** `text`, when the send has one, is checked against the channel (an SMS takes less) before any upload. */
export function openConversationVia(input: { flags: ConversationFlags; configFlags: ConfigFlags; env: NodeJS.ProcessEnv; text?: string | undefined }): OpenedVia {
  const options = parseConversationOptions({ flags: input.flags, env: input.env });
  const client = conversationClientFromSettings({ env: input.env, flags: input.configFlags, auth: options.auth });
  const destination = conversationDestination({ client, conversationId: options.conversationId, communicationId: options.communicationId, text: input.text });
  const transport = createPartTransport({ dispatcher: client.dispatcher, clock: client.clock, random: client.random });
  const target: RecordedTarget = {
    apiUrl: client.apiUrl,
    loginUrl: '',
    clientId: `conversation ${options.conversationId}`,
    description: destination.description,
  };
  return {
    via: { destination, transport, retryPolicy: client.retryPolicy, target },
    close: () => destination.close(),
  };
}

/** The conversation id of a journalled conversation job ("conversation ID"). */
export function conversationIdOf(target: RecordedTarget): string | undefined {
  const match = /^conversation (\S+)$/.exec(target.clientId);
  return match?.[1];
}
