/**
 * Pre-signed attachment URLs, S3 style. The upload URL signs the method, the path, the query
 * (date and lifetime) and the two headers Genesys' URLs sign: `content-type` and `x-amz-tagging`.
 * A PUT with another Content-Type or without the tagging header therefore fails the signature,
 * as it does on S3. Download URLs sign GET and no headers. The HMAC key derives from the
 * instance key; the jwt of getJwt is signed under another derivation of it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WM_STORAGE_PREFIX = '/storage/webmessaging/';

export type SignedCheck = 'ok' | 'tampered' | 'expired';

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return amzDate(ms) === value ? ms : undefined;
}

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
    const signedAt = Math.floor(now / 1000) * 1000;
    const date = amzDate(signedAt);
    const path = `${WM_STORAGE_PREFIX}${attachmentId}`;
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `emulator/${date.slice(0, 8)}/local/s3/aws4_request`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(ttlSeconds),
      'X-Amz-SignedHeaders': method === 'PUT' ? 'content-type;host;x-amz-tagging' : 'host',
    });
    query.append('X-Amz-Signature', this.#mac(method, path, query, headers).toString('hex'));
    return `${origin}${path}?${query.toString()}`;
  }

  /** Signature first, then expiry, as S3 does for a well-formed request. */
  verify(method: 'PUT' | 'GET', path: string, query: URLSearchParams, headers: SignedHeaders, now: number): SignedCheck {
    const [signature, date, expires] = ['X-Amz-Signature', 'X-Amz-Date', 'X-Amz-Expires'].map((n) => query.getAll(n));
    if (signature?.length !== 1 || date?.length !== 1 || expires?.length !== 1) return 'tampered';
    const [sig, dt, exp] = [signature[0] ?? '', date[0] ?? '', expires[0] ?? ''];
    if (!/^[0-9a-f]{64}$/.test(sig) || !/^[1-9]\d{0,6}$/.test(exp)) return 'tampered';
    const signedAt = parseAmzDate(dt);
    if (signedAt === undefined) return 'tampered';
    if (!timingSafeEqual(Buffer.from(sig, 'hex'), this.#mac(method, path, query, headers))) return 'tampered';
    return now >= signedAt + Number(exp) * 1000 ? 'expired' : 'ok';
  }

  #mac(method: string, path: string, query: URLSearchParams, headers: SignedHeaders): Buffer {
    const pairs = [...query]
      .filter(([name]) => name !== 'X-Amz-Signature')
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .sort();
    const signed = method === 'PUT' ? `content-type:${headers['content-type'] ?? '\u0000'}\nx-amz-tagging:${headers['x-amz-tagging'] ?? '\u0000'}` : '';
    return createHmac('sha256', this.#key).update(`${method}\n${path}\n${pairs.join('&')}\n${signed}`).digest();
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
