/**
 * Pre-signed media URLs: S3-looking query parameters, and an HMAC-SHA256 under the instance key
 * over the method, the path, every other query parameter (sorted) and the signed headers' values,
 * so a URL cannot be replayed with another method, another path, a changed expiry, or headers
 * other than the uploadHeaders it was issued with. The `host` header is listed, as S3 does, but
 * not checked: clients may address the emulator as 127.0.0.1 or localhost alike.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MEDIA_STORAGE_PREFIX = '/storage/conversation-media/';

export type MediaUrlCheck = 'ok' | 'tampered' | 'expired';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return amzDate(ms) === value ? ms : undefined;
}

export type HeaderReader = (name: string) => string | undefined;

export class MediaUrlSigner {
  readonly #key: Buffer;

  constructor(instanceKey: Buffer) {
    this.#key = createHmac('sha256', instanceKey).update('conversation-media-url').digest();
  }

  /** A URL for `method` on the media, valid from `now` (rounded down to the second) for `ttlSeconds`. */
  sign(origin: string, mediaId: string, method: 'PUT' | 'GET', headers: Record<string, string>, now: number, ttlSeconds: number): string {
    const date = amzDate(Math.floor(now / 1000) * 1000);
    const path = `${MEDIA_STORAGE_PREFIX}${mediaId}`;
    const names = [...Object.keys(headers).map((n) => n.toLowerCase()), 'host'].sort();
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `emulator/${date.slice(0, 8)}/local/s3/aws4_request`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(ttlSeconds),
      'X-Amz-SignedHeaders': names.join(';'),
    });
    const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
    query.append('X-Amz-Signature', this.#mac(method, path, query, (n) => lower[n]).toString('hex'));
    return `${origin}${path}?${query.toString()}`;
  }

  /** Checks a request: tampering (any part of the signed request) before expiry. */
  verify(method: string, path: string, query: URLSearchParams, header: HeaderReader, now: number): MediaUrlCheck {
    const one = (name: string) => {
      const all = query.getAll(name);
      return all.length === 1 ? all[0] : undefined;
    };
    const [signature, date, expires, signed] = [one('X-Amz-Signature'), one('X-Amz-Date'), one('X-Amz-Expires'), one('X-Amz-SignedHeaders')];
    if (signature === undefined || date === undefined || expires === undefined || signed === undefined) return 'tampered';
    if (!/^[0-9a-f]{64}$/.test(signature) || !/^[1-9]\d{0,6}$/.test(expires)) return 'tampered';
    const signedAt = parseAmzDate(date);
    if (signedAt === undefined) return 'tampered';
    if (!timingSafeEqual(Buffer.from(signature, 'hex'), this.#mac(method, path, query, header))) return 'tampered';
    return now >= signedAt + Number(expires) * 1000 ? 'expired' : 'ok';
  }

  #mac(method: string, path: string, query: URLSearchParams, header: HeaderReader): Buffer {
    const pairs = [...query]
      .filter(([name]) => name !== 'X-Amz-Signature')
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .sort();
    const names = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter((n) => n !== '' && n !== 'host');
    const headerLines = names.map((n) => `${n}:${(header(n) ?? '\u0000absent').trim()}`);
    return createHmac('sha256', this.#key).update([method, path, pairs.join('&'), ...headerLines].join('\n')).digest();
  }
}
