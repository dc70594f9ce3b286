/**
 * Pre-signed storage URLs (PROTOCOL.md section 3). S3-looking query parameters; the signature is
 * an HMAC-SHA256, under the instance key, of the path and every other query parameter (sorted),
 * so changing, adding or removing any of them breaks it, as with S3's canonical request. The key
 * lives in the data directory, so URLs issued before a restart still work after it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const STORAGE_PREFIX = '/storage/uploads/';

export type UrlCheck = 'ok' | 'tampered' | 'expired';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return amzDate(ms) === value ? ms : undefined; // rejects 20241399T…-style dates that Date.UTC would roll over
}

export class UrlSigner {
  readonly #key: Buffer;

  constructor(instanceKey: Buffer) {
    this.#key = createHmac('sha256', instanceKey).update('presigned-url').digest();
  }

  /** A URL valid from `now` (rounded down to the second, as X-Amz-Date is) for `ttlSeconds`. */
  sign(origin: string, uploadId: string, now: number, ttlSeconds: number): { url: string; expiresAt: number } {
    const signedAt = Math.floor(now / 1000) * 1000;
    const date = amzDate(signedAt);
    const path = `${STORAGE_PREFIX}${uploadId}`;
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `emulator/${date.slice(0, 8)}/local/s3/aws4_request`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(ttlSeconds),
      'X-Amz-SignedHeaders': 'content-type;host',
    });
    query.append('X-Amz-Signature', this.#mac(path, query).toString('hex'));
    return { url: `${origin}${path}?${query.toString()}`, expiresAt: signedAt + ttlSeconds * 1000 };
  }

  /** `path` is the URL's pathname as received. Tampering is checked before expiry. */
  verify(path: string, query: URLSearchParams, now: number): UrlCheck {
    const signatures = query.getAll('X-Amz-Signature');
    const dates = query.getAll('X-Amz-Date');
    const lifetimes = query.getAll('X-Amz-Expires');
    const [signature, date, expires] = [signatures[0], dates[0], lifetimes[0]];
    if (signatures.length !== 1 || dates.length !== 1 || lifetimes.length !== 1) return 'tampered';
    if (signature === undefined || date === undefined || expires === undefined) return 'tampered';
    if (!/^[0-9a-f]{64}$/.test(signature) || !/^[1-9]\d{0,6}$/.test(expires)) return 'tampered';
    const signedAt = parseAmzDate(date);
    if (signedAt === undefined) return 'tampered';
    if (!timingSafeEqual(Buffer.from(signature, 'hex'), this.#mac(path, query))) return 'tampered';
    return now >= signedAt + Number(expires) * 1000 ? 'expired' : 'ok';
  }

  /** HMAC of the path and the sorted query without the signature (a canonical request, simplified). */
  #mac(path: string, query: URLSearchParams): Buffer {
    const pairs = [...query]
      .filter(([name]) => name !== 'X-Amz-Signature')
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .sort();
    return createHmac('sha256', this.#key).update(`${path}\n${pairs.join('&')}`).digest();
  }
}
