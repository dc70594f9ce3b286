/**
 * What the emulator's three kinds of pre-signed URL (upload segments, conversation media, Web
 * Messaging attachments) share: S3-looking query parameters, an X-Amz-Date that must round-trip,
 * a canonical form of the query, and one check order — malformed or tampered before expired, as
 * S3 answers a well-formed request. Each signer keeps its own key derivation and decides what else
 * (method, headers) its HMAC covers.
 */
import { timingSafeEqual } from 'node:crypto';

export type PresignedCheck = 'ok' | 'tampered' | 'expired';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return amzDate(ms) === value ? ms : undefined; // rejects 20241399T…-style dates that Date.UTC would roll over
}

/** The unsigned query of a URL signed at `signedAt` (whole seconds) for `ttlSeconds`. */
export function presignedQuery(signedAt: number, ttlSeconds: number, signedHeaders: string): URLSearchParams {
  const date = amzDate(signedAt);
  return new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `emulator/${date.slice(0, 8)}/local/s3/aws4_request`,
    'X-Amz-Date': date,
    'X-Amz-Expires': String(ttlSeconds),
    'X-Amz-SignedHeaders': signedHeaders,
  });
}

/** The query without the signature, each pair encoded, sorted (a canonical request, simplified). */
export function canonicalQuery(query: URLSearchParams): string {
  return [...query]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .sort()
    .join('&');
}

/**
 * Checks a received query: signature, date and lifetime (and any `alsoOnce` parameter) present
 * exactly once and well formed, the signature equal to `expected()`, then the lifetime.
 */
export function checkPresigned(query: URLSearchParams, now: number, expected: () => Buffer, alsoOnce: string[] = []): PresignedCheck {
  const one = (name: string) => {
    const all = query.getAll(name);
    return all.length === 1 ? all[0] : undefined;
  };
  if (alsoOnce.some((name) => one(name) === undefined)) return 'tampered';
  const [signature, date, expires] = [one('X-Amz-Signature'), one('X-Amz-Date'), one('X-Amz-Expires')];
  if (signature === undefined || date === undefined || expires === undefined) return 'tampered';
  if (!/^[0-9a-f]{64}$/.test(signature) || !/^[1-9]\d{0,6}$/.test(expires)) return 'tampered';
  const signedAt = parseAmzDate(date);
  if (signedAt === undefined) return 'tampered';
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), expected())) return 'tampered';
  return now >= signedAt + Number(expires) * 1000 ? 'expired' : 'ok';
}
