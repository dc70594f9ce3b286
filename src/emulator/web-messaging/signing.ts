/**
 * Pre-signed attachment URLs, S3 style. The upload URL signs the method, the path, the query
 * (date and lifetime) and the two headers Genesys' URLs sign: `content-type` and `x-amz-tagging`.
 * A PUT with another Content-Type or without the tagging header therefore fails the signature,
 * as it does on S3. Download URLs sign GET and no headers. The HMAC key derives from the
 * instance key; the jwt of getJwt is signed under another derivation of it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalQuery, checkPresigned, presignedQuery, type PresignedCheck } from '../presigned.js';

export const WM_STORAGE_PREFIX = '/storage/webmessaging/';

export type SignedCheck = PresignedCheck;

export interface SignedHeaders {
  'content-type'?: string;
  'x-amz-tagging'?: string;
}

export class AttachmentSigner {
  readonly #key: Buffer;
  readonly #jwtKey: Buffer;

  constructor(instanceKey: Buffer) {
    this.#key = createHmac('sha256', instanceKey).update('webmessaging-presigned-url').digest();
    this.#jwtKey = createHmac('sha256', instanceKey).update('webmessaging-jwt').digest();
  }

  sign(method: 'PUT' | 'GET', origin: string, attachmentId: string, headers: SignedHeaders, now: number, ttlSeconds: number): string {
    const path = `${WM_STORAGE_PREFIX}${attachmentId}`;
    const signed = method === 'PUT' ? 'content-type;host;x-amz-tagging' : 'host';
    const query = presignedQuery(Math.floor(now / 1000) * 1000, ttlSeconds, signed);
    query.append('X-Amz-Signature', this.#mac(method, path, query, headers).toString('hex'));
    return `${origin}${path}?${query.toString()}`;
  }

  /** Signature first, then expiry, as S3 does for a well-formed request. */
  verify(method: 'PUT' | 'GET', path: string, query: URLSearchParams, headers: SignedHeaders, now: number): SignedCheck {
    return checkPresigned(query, now, () => this.#mac(method, path, query, headers));
  }

  #mac(method: string, path: string, query: URLSearchParams, headers: SignedHeaders): Buffer {
    const signed = method === 'PUT' ? `content-type:${headers['content-type'] ?? '\u0000'}\nx-amz-tagging:${headers['x-amz-tagging'] ?? '\u0000'}` : '';
    return createHmac('sha256', this.#key).update(`${method}\n${path}\n${canonicalQuery(query)}\n${signed}`).digest();
  }

  /** A compact HS256 JWT: {sub: sessionId, exp} (seconds). */
  jwt(sessionId: string, exp: number): string {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: sessionId, exp })}`;
    return `${head}.${createHmac('sha256', this.#jwtKey).update(head).digest('base64url')}`;
  }

  /** The session id of a valid, unexpired jwt; undefined otherwise. */
  verifyJwt(jwt: string, nowSeconds: number): string | undefined {
    const parts = jwt.split('.');
    if (parts.length !== 3) return undefined;
    const [h, p, s] = parts as [string, string, string];
    const expected = createHmac('sha256', this.#jwtKey).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown };
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return undefined;
      return claims.sub;
    } catch {
      return undefined;
    }
  }
}
