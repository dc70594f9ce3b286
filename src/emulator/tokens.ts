/**
 * Access tokens: self-contained and HMAC-signed under the instance key (client id, expiry, nonce),
 * so they need no table, survive a restart with the same data directory, and die with the client
 * when a client is removed from the settings. Expiry is judged by the emulator clock.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenCheck = { ok: true; clientId: string; expiresAt: number } | { ok: false; reason: 'invalid' | 'expired' };

const MAX_TOKEN_LENGTH = 4096;

export class TokenIssuer {
  readonly #key: Buffer;

  constructor(instanceKey: Buffer) {
    this.#key = createHmac('sha256', instanceKey).update('access-token').digest();
  }

  issue(clientId: string, now: number, ttlSeconds: number): string {
    const payload = Buffer.from(
      JSON.stringify({ c: clientId, e: now + ttlSeconds * 1000, n: randomBytes(9).toString('base64url') }),
    ).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  verify(token: string, now: number): TokenCheck {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return { ok: false, reason: 'invalid' };
    const [, payload = '', mac = ''] = m;
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== 32 || !timingSafeEqual(given, this.#mac(payload))) return { ok: false, reason: 'invalid' };
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    const { c, e } = (claims ?? {}) as { c?: unknown; e?: unknown };
    if (typeof c !== 'string' || typeof e !== 'number') return { ok: false, reason: 'invalid' };
    if (now >= e) return { ok: false, reason: 'expired' };
    return { ok: true, clientId: c, expiresAt: e };
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#key).update(payload).digest();
  }
}
