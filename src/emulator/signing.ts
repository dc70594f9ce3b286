/**
 * Pre-signed storage URLs (PROTOCOL.md section 3). S3-looking query parameters; the signature is
 * an HMAC-SHA256, under the instance key, of the path and every other query parameter (sorted),
 * so changing, adding or removing any of them breaks it, as with S3's canonical request. The key
 * lives in the data directory, so URLs issued before a restart still work after it.
 */
import { createHmac } from 'node:crypto';
import { canonicalQuery, checkPresigned, presignedQuery, type PresignedCheck } from './presigned.js';

export const STORAGE_PREFIX = '/storage/uploads/';

export type UrlCheck = PresignedCheck;

export class UrlSigner {
  readonly #key: Buffer;

  constructor(instanceKey: Buffer) {
    this.#key = createHmac('sha256', instanceKey).update('presigned-url').digest();
  }

  /** A URL valid from `now` (rounded down to the second, as X-Amz-Date is) for `ttlSeconds`. */
  sign(origin: string, uploadId: string, now: number, ttlSeconds: number): { url: string; expiresAt: number } {
    const signedAt = Math.floor(now / 1000) * 1000;
    const path = `${STORAGE_PREFIX}${uploadId}`;
    const query = presignedQuery(signedAt, ttlSeconds, 'content-type;host');
    query.append('X-Amz-Signature', this.#mac(path, query).toString('hex'));
    return { url: `${origin}${path}?${query.toString()}`, expiresAt: signedAt + ttlSeconds * 1000 };
  }

  /** `path` is the URL's pathname as received. Tampering is checked before expiry. */
  verify(path: string, query: URLSearchParams, now: number): UrlCheck {
    return checkPresigned(query, now, () => this.#mac(path, query));
  }

  /** HMAC of the path and the sorted query without the signature (a canonical request, simplified). */
  #mac(path: string, query: URLSearchParams): Buffer {
    return createHmac('sha256', this.#key).update(`${path}\n${canonicalQuery(query)}`).digest();
  }
}
