/**
 * Pre-signed media URLs: S3-looking query parameters, and an HMAC-SHA256 under the instance key
 * over the method, the path, every other query parameter (sorted) and the signed headers' values,
 * so a URL cannot be replayed with another method, another path, a changed expiry, or headers
 * other than the uploadHeaders it was issued with. The `host` header is listed, as S3 does, but
 * not checked: clients may address the emulator as 127.0.0.1 or localhost alike.
 */
import { createHmac } from 'node:crypto';
import { canonicalQuery, checkPresigned, presignedQuery, type PresignedCheck } from '../presigned.js';

export const MEDIA_STORAGE_PREFIX = '/storage/conversation-media/';

export type MediaUrlCheck = PresignedCheck;

export type HeaderReader = (name: string) => string | undefined;

export class MediaUrlSigner {
  readonly #key: Buffer;

  constructor(instanceKey: Buffer) {
    this.#key = createHmac('sha256', instanceKey).update('conversation-media-url').digest();
  }

  /** A URL for `method` on the media, valid from `now` (rounded down to the second) for `ttlSeconds`. */
  sign(origin: string, mediaId: string, method: 'PUT' | 'GET', headers: Record<string, string>, now: number, ttlSeconds: number): string {
    const path = `${MEDIA_STORAGE_PREFIX}${mediaId}`;
    const names = [...Object.keys(headers).map((n) => n.toLowerCase()), 'host'].sort();
    const query = presignedQuery(Math.floor(now / 1000) * 1000, ttlSeconds, names.join(';'));
    const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
    query.append('X-Amz-Signature', this.#mac(method, path, query, (n) => lower[n]).toString('hex'));
    return `${origin}${path}?${query.toString()}`;
  }

  /** Checks a request: tampering (any part of the signed request) before expiry. */
  verify(method: string, path: string, query: URLSearchParams, header: HeaderReader, now: number): MediaUrlCheck {
    return checkPresigned(query, now, () => this.#mac(method, path, query, header), ['X-Amz-SignedHeaders']);
  }

  #mac(method: string, path: string, query: URLSearchParams, header: HeaderReader): Buffer {
    const names = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter((n) => n !== '' && n !== 'host');
    const headerLines = names.map((n) => `${n}:${(header(n) ?? '\u0000absent').trim()}`);
    return createHmac('sha256', this.#key).update([method, path, canonicalQuery(query), ...headerLines].join('\n')).digest();
  }
}
