/** POST {api}/api/v2/conversations/messaging/guests (PROTOCOL.md section 7). */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../http/context.js';
import { sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import type { Services } from '../services.js';
import { isLanguageTag, isPlainObject } from '../validation.js';
import { badRequest, readJsonBody } from './api-body.js';

const MAX_METADATA_BYTES = 2048;

export async function guestRoute(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readJsonBody(ctx);
  if (!body) return;
  const { language, metadata } = body;
  if (typeof language !== 'string' || !isLanguageTag(language)) {
    return badRequest(ctx, 'language must be a BCP-47 language tag such as "en-US".');
  }
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) return badRequest(ctx, 'metadata must be a JSON object.');
    if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
      return badRequest(ctx, `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON.`);
    }
  }
  const guest = {
    id: newId(),
    language,
    ...(metadata !== undefined && { metadata }),
    token: randomBytes(24).toString('base64url'),
    createdAt: new Date(env.clock.now()).toISOString(),
  };
  await env.guests.add(guest);
  sendJson(ctx, 201, { id: guest.id, token: guest.token });
}
