/**
 * POST {api}/api/v2/conversations/messaging/messages, GET …/messages/{messageId} and GET
 * …/guests/{guestId}/messages (PROTOCOL.md section 7). Validation order: shape and types (bad.request) → guest
 * (guest.not.found) → attachments (attachment.not.found, listing every unknown id).
 */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import type { MessageRecord } from '../records.js';
import type { Services } from '../services.js';
import { codePointLength, isPlainObject } from '../validation.js';
import { badRequest, readJsonBody } from './api-body.js';

const MAX_TEXT = 2000;
const MAX_RECIPIENTS = 10;
const MAX_ATTACHMENTS = 10;

type Attachment = { id: string; name: string };

function isAttachment(value: unknown): value is Attachment {
  return (
    isPlainObject(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    value.name.length > 0 &&
    codePointLength(value.name) <= 255
  );
}

export async function messageRoute(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readJsonBody(ctx);
  if (!body) return;
  const { guestId, to, text, attachments } = body;
  if (typeof guestId !== 'string') return badRequest(ctx, 'guestId must be a string.');
  if (!Array.isArray(to) || to.length < 1 || to.length > MAX_RECIPIENTS) {
    return badRequest(ctx, `to must be an array of 1 to ${MAX_RECIPIENTS} strings.`);
  }
  if (!to.every((t): t is string => typeof t === 'string' && t.length > 0)) {
    return badRequest(ctx, 'every entry of to must be a non-empty string.');
  }
  if (typeof text !== 'string') return badRequest(ctx, 'text must be a string.');
  if (codePointLength(text) > MAX_TEXT) return badRequest(ctx, `text must be at most ${MAX_TEXT} characters.`);
  if (!Array.isArray(attachments) || attachments.length > MAX_ATTACHMENTS) {
    return badRequest(ctx, `attachments is required: an array of 0 to ${MAX_ATTACHMENTS} {id, name} objects.`);
  }
  if (!attachments.every(isAttachment)) {
    return badRequest(ctx, 'every attachment must be an object with string id and a 1-255 character name.');
  }
  if (!env.guests.get(guestId)) return sendGenesysError(ctx, 400, 'guest.not.found', 'No guest with this guestId exists.');
  const unknown = attachments.filter((a) => !env.files.get(a.id)).map((a) => ({ id: a.id }));
  if (unknown.length > 0) {
    return sendGenesysError(ctx, 400, 'attachment.not.found', `${unknown.length} attachment(s) name no known file.`, {
      details: unknown,
    });
  }
  const message: MessageRecord = {
    id: newId(),
    guestId,
    to: [...to],
    text,
    attachments: attachments.map((a) => ({ id: a.id, name: a.name })),
    createdAt: new Date(env.clock.now()).toISOString(),
  };
  await env.messages.add(message);
  sendJson(ctx, 201, { id: message.id });
}

/** A message as the GET routes show it: attachments with their file's facts. */
function messageView(message: MessageRecord, env: Services): Record<string, unknown> {
  return {
    ...message,
    attachments: message.attachments.map((a) => {
      const file = env.files.get(a.id);
      return { id: a.id, name: a.name, size: file?.size, contentType: file?.contentType, sha256: file?.sha256 };
    }),
  };
}

export async function messageGetRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const message = env.messages.get(params.messageId ?? '');
  if (!message) return sendGenesysError(ctx, 404, 'not.found', 'No message with this id exists.');
  sendJson(ctx, 200, messageView(message, env));
}

/**
 * A guest's messages, newest first: how a client whose message POST lost its answer learns
 * whether the message exists. Messages created in the same millisecond keep their reverse
 * creation order (the store keeps insertion order; the sort is stable).
 */
export async function guestMessagesRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const guestId = params.guestId ?? '';
  if (!env.guests.get(guestId)) return sendGenesysError(ctx, 404, 'not.found', 'No guest with this id exists.');
  const mine = env.messages
    .all()
    .filter((m) => m.guestId === guestId)
    .reverse()
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  sendJson(ctx, 200, { entities: mine.map((m) => messageView(m, env)) });
}
