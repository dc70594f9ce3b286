/**
 * Web Messaging fault rules under the emulator's admin surface (never part of a real org):
 *
 *   GET    /__emulator/web-messaging/faults        {"faults": WmFaultRule[]} (count = applications left)
 *   POST   /__emulator/web-messaging/faults        a rule or an array → 201 {"ids": [...]}; all or none
 *   DELETE /__emulator/web-messaging/faults        204, every rule removed
 *   DELETE /__emulator/web-messaging/faults/{id}   204, or 404
 */
import { ConfigError } from '../../errors/index.js';
import { parseJsonObject, readBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { send, sendGenesysError, sendJson } from '../http/respond.js';
import type { Services } from '../services.js';

export async function getWmFaults(ctx: RequestContext, env: Services): Promise<void> {
  sendJson(ctx, 200, { faults: env.webMessaging.faults.list() });
}

export async function postWmFaults(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.body.toString('utf8')) as unknown;
  } catch {
    return sendGenesysError(ctx, 400, 'bad.request', 'The request body is not valid JSON.');
  }
  if (!Array.isArray(value)) {
    const parsed = parseJsonObject(body.body);
    if (!parsed.ok) return sendGenesysError(ctx, 400, 'bad.request', parsed.message);
  }
  try {
    sendJson(ctx, 201, { ids: env.webMessaging.faults.addAll(Array.isArray(value) ? value : [value]) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    sendGenesysError(ctx, 400, 'bad.request', error.message);
  }
}

export async function deleteWmFaults(ctx: RequestContext, env: Services): Promise<void> {
  env.webMessaging.faults.clear();
  send(ctx, 204, {});
}

export async function deleteWmFault(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  if (!env.webMessaging.faults.remove(params.faultId ?? '')) return sendGenesysError(ctx, 404, 'not.found', 'No fault rule with this id.');
  send(ctx, 204, {});
}
