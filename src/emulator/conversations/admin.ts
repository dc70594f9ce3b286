/**
 * The emulator's own controls for conversations (never part of a real org). Unauthenticated,
 * JSON, errors in the Genesys body shape, like the other /__emulator/ routes.
 *
 *   POST /__emulator/conversations                 {channel?, participants?, profile?} → 201 the conversation
 *   GET  /__emulator/conversations/{id}            the conversation as the state view shows it
 *   POST /__emulator/conversations/{id}/communications/{communicationId}/disconnect → 200 the conversation
 *   PUT  /__emulator/conversations/{id}/profile    {allowedTypes?, maxBytes?} → 200 the profile
 *
 * Without `participants`, a conversation has a customer and an agent, each with a connected
 * message communication. Without `profile`, it gets settings.conversations.defaultProfile.
 */
import { z } from 'zod';
import { parseJsonObject, readBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import type { Services } from '../services.js';
import { copyProfile, profileSchema } from './settings.js';
import { conversationState } from './state.js';
import type { ConversationRecord, ParticipantRecord } from './types.js';

const participantSchema = z.strictObject({
  purpose: z.string().regex(/^[a-z][a-z_-]{0,31}$/, { error: 'must be a lowercase word such as customer or agent' }),
  name: z.string().min(1).max(200).optional(),
  state: z.enum(['alerting', 'connected', 'disconnected']).optional(),
});

const createSchema = z.strictObject({
  channel: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'must be a lowercase word such as webmessaging, open, whatsapp or sms' }).optional(),
  participants: z.array(participantSchema).min(1).max(20).optional(),
  profile: profileSchema.partial().optional(),
});

const DEFAULT_PARTICIPANTS = [
  { purpose: 'customer', name: 'Customer' },
  { purpose: 'agent', name: 'Agent' },
];

async function readObject(ctx: RequestContext): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return undefined;
  }
  if (body.body.length === 0) return {};
  const parsed = parseJsonObject(body.body);
  if (!parsed.ok) {
    sendGenesysError(ctx, 400, 'bad.request', parsed.message);
    return undefined;
  }
  return parsed.value;
}

function invalid(ctx: RequestContext, error: z.ZodError): void {
  const first = error.issues[0];
  const path = first?.path.length ? ` "${first.path.join('.')}"` : '';
  const detail = first?.code === 'unrecognized_keys' ? `unknown field(s): ${first.keys.join(', ')}` : first?.message;
  sendGenesysError(ctx, 400, 'bad.request', `Invalid conversation${path}: ${detail ?? 'invalid value'}.`);
}

export async function createConversation(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readObject(ctx);
  if (!body) return;
  const parsed = createSchema.safeParse(body);
  if (!parsed.success) return invalid(ctx, parsed.error);
  const { channel = 'webmessaging', participants = DEFAULT_PARTICIPANTS, profile } = parsed.data;
  const now = new Date(env.clock.now()).toISOString();
  const defaults = env.settings().conversations.defaultProfile;
  const record: ConversationRecord = {
    id: newId(),
    channel,
    createdAt: now,
    participants: participants.map((p): ParticipantRecord => {
      const state = 'state' in p && p.state !== undefined ? p.state : 'connected';
      return {
        id: newId(),
        purpose: p.purpose,
        name: p.name ?? p.purpose,
        startTime: now,
        communication: {
          id: newId(),
          state,
          ...(state !== 'alerting' && { connectedTime: now }),
          ...(state === 'disconnected' && { disconnectedTime: now }),
        },
      };
    }),
    profile: copyProfile({ ...defaults, ...profile }),
    media: [],
    messages: [],
  };
  await env.conversations.save(record);
  sendJson(ctx, 201, conversationState(env, record));
}

export async function getConversation(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const conversation = env.conversations.get(params.conversationId ?? '');
  if (!conversation) return sendGenesysError(ctx, 404, 'not.found', 'No conversation with this id.');
  sendJson(ctx, 200, conversationState(env, conversation));
}

export async function disconnectCommunication(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  await env.conversations.lock(params.conversationId ?? '', async () => {
    const conversation = env.conversations.get(params.conversationId ?? '');
    if (!conversation) return sendGenesysError(ctx, 404, 'not.found', 'No conversation with this id.');
    if (!conversation.participants.some((p) => p.communication.id === params.communicationId)) {
      return sendGenesysError(ctx, 404, 'not.found', 'No communication with this id in the conversation.');
    }
    const now = new Date(env.clock.now()).toISOString();
    const next: ConversationRecord = {
      ...conversation,
      participants: conversation.participants.map((p) =>
        p.communication.id !== params.communicationId || p.communication.state === 'disconnected'
          ? p
          : { ...p, communication: { ...p.communication, state: 'disconnected', disconnectedTime: now } },
      ),
    };
    await env.conversations.save(next);
    sendJson(ctx, 200, conversationState(env, next));
  });
}

export async function putProfile(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const body = await readObject(ctx);
  if (!body) return;
  const parsed = profileSchema.partial().safeParse(body);
  if (!parsed.success) return invalid(ctx, parsed.error);
  await env.conversations.lock(params.conversationId ?? '', async () => {
    const conversation = env.conversations.get(params.conversationId ?? '');
    if (!conversation) return sendGenesysError(ctx, 404, 'not.found', 'No conversation with this id.');
    const profile = copyProfile({ ...conversation.profile, ...parsed.data });
    await env.conversations.save({ ...conversation, profile });
    sendJson(ctx, 200, profile);
  });
}
