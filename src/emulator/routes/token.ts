/**
 * POST {login}/oauth/token: OAuth 2.0 client credentials (PROTOCOL.md section 1). The client
 * authenticates with HTTP Basic; the form body must say grant_type=client_credentials. Client
 * authentication is checked first (401 invalid_client), then the grant type (400
 * unsupported_grant_type). Not rate limited.
 */
import { timingSafeEqual } from 'node:crypto';
import { readBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import type { Services } from '../services.js';

function oauthError(ctx: RequestContext, status: number, error: string, description: string): void {
  sendJson(ctx, status, { error, description, error_description: description }, { 'Cache-Control': 'no-store' });
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function formDecoded(c: { id: string; secret: string }): { id: string; secret: string } | undefined {
  try {
    const decode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
    return { id: decode(c.id), secret: decode(c.secret) };
  } catch {
    return undefined;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function tokenRoute(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return;
  }
  const credentials = parseBasic(ctx.req.headers.authorization);
  if (!credentials) {
    oauthError(ctx, 401, 'invalid_client', 'Client authentication failed: send Authorization: Basic base64(clientId:clientSecret).');
    return;
  }
  // RFC 6749 section 2.3.1 form-encodes id and secret before Basic; many clients do not. Accept both.
  const client = [credentials, formDecoded(credentials)]
    .map((c) => c && env.settings().clients.find((known) => known.id === c.id && sameSecret(c.secret, known.secret)))
    .find((c) => c !== undefined);
  if (!client) {
    oauthError(ctx, 401, 'invalid_client', 'Client authentication failed: unknown client id or wrong secret.');
    return;
  }
  const grants = new URLSearchParams(body.body.toString('utf8')).getAll('grant_type');
  if (grants.length !== 1 || grants[0] !== 'client_credentials') {
    oauthError(ctx, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
    return;
  }
  const ttl = env.settings().tokenTtlSeconds;
  const accessToken = env.tokens.issue(client.id, env.clock.now(), ttl);
  sendJson(ctx, 200, { access_token: accessToken, token_type: 'bearer', expires_in: ttl }, { 'Cache-Control': 'no-store' });
}
