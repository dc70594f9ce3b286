/**
 * The emulator's own controls under /__emulator/ (PROTOCOL.md section 9). Unauthenticated, JSON,
 * errors in the Genesys body shape. The handle's methods do the same things in-process.
 *
 *   GET    /__emulator/state          EmulatorState
 *   GET    /__emulator/config         settings, client secrets shown as "***"
 *   PATCH  /__emulator/config         partial settings → 200 settings (redacted); 400 names the bad setting
 *   GET    /__emulator/faults         {"faults": FaultRule[]} (count = applications left)
 *   POST   /__emulator/faults         a rule or an array of rules → 201 {"ids": [...]}; all or none
 *   DELETE /__emulator/faults         204, every rule removed
 *   DELETE /__emulator/faults/{id}    204, or 404
 *   GET    /__emulator/clock          {"now": epoch ms}
 *   POST   /__emulator/clock          {"advanceMs": n} → {"now": epoch ms}
 *
 * Every control route under /__emulator/ (these, and the Web Messaging and conversation ones)
 * goes through acceptAdminBody (dispatch.ts): POST, PUT and PATCH must be declared
 * `Content-Type: application/json`, with or without a body, and any other method that carries a
 * body too (415 otherwise). A web page can send a cross-origin "simple" request (POST with
 * text/plain, a form type, or no body) with no preflight; refusing those keeps any page a
 * developer visits from injecting faults into, or reconfiguring, an emulator on their machine.
 */
import { ConfigError } from '../../errors/index.js';
import type { RequestContext } from '../http/context.js';
import { parseJsonObject, readBody } from '../http/body.js';
import { send, sendGenesysError, sendJson } from '../http/respond.js';
import type { Services } from '../services.js';
import { applySettingsPatch, redactSettings } from '../settings.js';
import { buildState } from '../state-view.js';

/** `application/json`, with or without parameters (charset), in any letter case. */
function isJsonType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return (header.split(';')[0] ?? '').trim().toLowerCase() === 'application/json';
}

/** True when the request carries (or may carry) a body: a length above 0 or a chunked body. */
function hasBody(ctx: RequestContext): boolean {
  const { headers } = ctx.req;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? '0');
  return !Number.isFinite(length) || length > 0;
}

/** Methods a browser can send cross-origin without a preflight carry a body by nature: always JSON. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Refuses (415) an admin request that is not declared JSON: POST/PUT/PATCH always, other methods
 * when they carry a body. Returns false when it has answered.
 */
export function acceptAdminBody(ctx: RequestContext): boolean {
  const required = BODY_METHODS.has((ctx.req.method ?? '').toUpperCase());
  if (!required && !hasBody(ctx)) return true;
  if (isJsonType(ctx.req.headers['content-type'])) return true;
  sendGenesysError(ctx, 415, 'unsupported.media.type', 'The emulator\'s control routes take only Content-Type: application/json.');
  return false;
}

async function readAdminJson(ctx: RequestContext): Promise<unknown> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return undefined;
  }
  try {
    return JSON.parse(body.body.toString('utf8')) as unknown;
  } catch {
    sendGenesysError(ctx, 400, 'bad.request', 'The request body is not valid JSON.');
    return undefined;
  }
}

function configError(ctx: RequestContext, error: unknown): void {
  if (!(error instanceof ConfigError)) throw error;
  sendGenesysError(ctx, 400, 'bad.request', error.message);
}

export async function getState(ctx: RequestContext, env: Services): Promise<void> {
  sendJson(ctx, 200, buildState(env));
}

export async function getConfig(ctx: RequestContext, env: Services): Promise<void> {
  sendJson(ctx, 200, redactSettings(env.settings()));
}

export async function patchConfig(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return;
  }
  const parsed = parseJsonObject(body.body);
  if (!parsed.ok) return sendGenesysError(ctx, 400, 'bad.request', parsed.message);
  try {
    env.setSettings(applySettingsPatch(env.settings(), parsed.value));
  } catch (error) {
    return configError(ctx, error);
  }
  sendJson(ctx, 200, redactSettings(env.settings()));
}

export async function getFaults(ctx: RequestContext, env: Services): Promise<void> {
  sendJson(ctx, 200, { faults: env.faults.list() });
}

export async function postFaults(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readAdminJson(ctx);
  if (body === undefined) return;
  const rules = Array.isArray(body) ? body : [body];
  try {
    const ids = env.faults.addAll(rules);
    sendJson(ctx, 201, { ids });
  } catch (error) {
    configError(ctx, error);
  }
}

export async function deleteFaults(ctx: RequestContext, env: Services): Promise<void> {
  env.faults.clear();
  send(ctx, 204, {});
}

export async function deleteFault(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  if (!env.faults.remove(params.faultId ?? '')) return sendGenesysError(ctx, 404, 'not.found', 'No fault rule with this id.');
  send(ctx, 204, {});
}

export async function getClock(ctx: RequestContext, env: Services): Promise<void> {
  sendJson(ctx, 200, { now: env.clock.now() });
}

export async function postClock(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readAdminJson(ctx);
  if (body === undefined) return;
  const advanceMs = (body as { advanceMs?: unknown } | null)?.advanceMs;
  if (typeof advanceMs !== 'number' || !Number.isFinite(advanceMs) || advanceMs < 0) {
    return sendGenesysError(ctx, 400, 'bad.request', 'advanceMs must be a number >= 0.');
  }
  sendJson(ctx, 200, { now: env.clock.advance(advanceMs) });
}
