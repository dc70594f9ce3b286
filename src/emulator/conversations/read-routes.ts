/**
 * Reading a conversation: GET /api/v2/conversations/{id} (participants and their message
 * communications), GET /api/v2/conversations/messages/{id} (each participant's message history),
 * and the bulk message lookup, POST …/messages/bulk with a JSON array of message ids (unknown ids
 * are left out; at most 1000) or GET …/messages/bulk for every message of the conversation.
 */
import { readBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { badRequest } from '../routes/api-body.js';
import type { Services } from '../services.js';
import { findConversation } from './lookup.js';
import { conversationView, messageConversationView, messageDataView } from './views.js';

const MAX_BULK = 1000;

export async function conversationRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const conversation = findConversation(ctx, env, params.conversationId);
  if (conversation) sendJson(ctx, 200, conversationView(conversation));
}

export async function messageConversationRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const conversation = findConversation(ctx, env, params.conversationId);
  if (conversation) sendJson(ctx, 200, messageConversationView(conversation));
}

/** The ids of a bulk request: a JSON array (as the SDK sends), or {"messageIds": [...]}. */
async function readIds(ctx: RequestContext): Promise<string[] | undefined> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.body.toString('utf8'));
  } catch {
    badRequest(ctx, 'The request body is not valid JSON.');
    return undefined;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) value = (value as { messageIds?: unknown }).messageIds;
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    badRequest(ctx, 'The body must be a JSON array of message id strings.');
    return undefined;
  }
  if (value.length > MAX_BULK) {
    badRequest(ctx, `At most ${MAX_BULK} message ids per request.`);
    return undefined;
  }
  return value as string[];
}

export async function bulkPostRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const ids = await readIds(ctx);
  if (!ids) return;
  const conversation = findConversation(ctx, env, params.conversationId);
  if (!conversation) return;
  const byId = new Map(conversation.messages.map((m) => [m.id, m]));
  const entities = ids.flatMap((id) => {
    const message = byId.get(id);
    return message ? [messageDataView(ctx, env, conversation, message)] : [];
  });
  sendJson(ctx, 200, { entities });
}

export async function bulkGetRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const conversation = findConversation(ctx, env, params.conversationId);
  if (!conversation) return;
  sendJson(ctx, 200, { entities: conversation.messages.map((m) => messageDataView(ctx, env, conversation, m)) });
}
