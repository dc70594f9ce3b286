/**
 * The checks every {api} request passes, in PROTOCOL.md section 0's order: authentication (401),
 * rate limit (429), permission (403). The handler's own validation comes after. Also sets the
 * rate-limit headers every {api} answer carries.
 */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError } from '../http/respond.js';
import type { Services } from '../services.js';
import type { Permission } from '../types.js';
import type { WindowView } from '../rate-limits.js';

export function setRateHeaders(ctx: RequestContext, view: WindowView): void {
  ctx.headers['inin-ratelimit-count'] = String(view.count);
  ctx.headers['inin-ratelimit-allowed'] = String(view.allowed);
  ctx.headers['inin-ratelimit-reset'] = String(view.resetSeconds);
}

/** Headers for answers not counted against any token (no valid token, unknown path). */
export function setUncountedRateHeaders(ctx: RequestContext, env: Services): void {
  const { requests, windowSeconds } = env.settings().apiRateLimit;
  setRateHeaders(ctx, { count: 0, allowed: requests, resetSeconds: windowSeconds, limited: false });
}

export function retryMessage(seconds: number): string {
  return `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`;
}

/** Returns true when the request may proceed; otherwise the error has been sent. */
/** `permission`: the one needed, any one of a list (conversation media), or null for any valid token. */
export function guardApi(ctx: RequestContext, env: Services, permission: Permission | readonly Permission[] | null): boolean {
  setUncountedRateHeaders(ctx, env);
  const header = ctx.req.headers.authorization;
  const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  if (!m) {
    const message =
      header === undefined
        ? 'No authentication bearer token specified in authorization header.'
        : 'The authorization header is not a bearer token.';
    sendGenesysError(ctx, 401, 'bad.credentials', message);
    return false;
  }
  const token = m[1] ?? '';
  const now = env.clock.now();
  const check = env.tokens.verify(token, now);
  const client = check.ok ? env.settings().clients.find((c) => c.id === check.clientId) : undefined;
  if (!check.ok || !client) {
    const expired = !check.ok && check.reason === 'expired';
    sendGenesysError(
      ctx,
      401,
      'bad.credentials',
      expired ? 'The access token has expired. Request a new token.' : 'Invalid login credentials.',
    );
    return false;
  }
  ctx.clientId = client.id;
  const { requests, windowSeconds } = env.settings().apiRateLimit;
  const view = env.apiLimiter.hit(token, now, requests, windowSeconds);
  setRateHeaders(ctx, view);
  if (view.limited) {
    sendGenesysError(ctx, 429, 'too.many.requests', retryMessage(view.resetSeconds), {
      headers: { 'Retry-After': view.resetSeconds },
    });
    return false;
  }
  const anyOf: readonly Permission[] = permission === null ? [] : typeof permission === 'string' ? [permission] : permission;
  if (anyOf.length > 0 && !anyOf.some((p) => client.permissions.includes(p))) {
    const named = anyOf.length === 1 ? (anyOf[0] ?? '') : `any of ${anyOf.join(', ')}`;
    sendGenesysError(ctx, 403, 'missing.permissions', `Missing permission: ${named}`);
    return false;
  }
  return true;
}
