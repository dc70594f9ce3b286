/**
 * The digests S3 speaks: SHA-256 as base64 (x-amz-checksum-sha256), the composite checksum of a
 * multipart object `base64(SHA-256(concat(part digests)))-N`, and the multipart ETag
 * `hex(MD5(concat(part MD5s)))-N` a store without flexible checksums still answers.
 */
import { createHash } from 'node:crypto';
import { unquoteEtag } from '../../upload/put-part.js';
import { uriEscape } from './uri.js';

/** "sha256:<hex>" → base64 of the digest. */
export function base64OfChecksum(checksum: string): string {
  return Buffer.from(checksum.replace(/^sha256:/, ''), 'hex').toString('base64');
}

/** base64 digest → "sha256:<hex>", or undefined when it is not a SHA-256. */
export function checksumOfBase64(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const digest = Buffer.from(value, 'base64');
  return digest.length === 32 ? `sha256:${digest.toString('hex')}` : undefined;
}

/** The composite checksum S3 answers for a multipart object with these part checksums, in order. */
export function compositeChecksum(partChecksums: readonly string[]): string {
  const hash = createHash('sha256');
  for (const checksum of partChecksums) hash.update(Buffer.from(checksum.replace(/^sha256:/, ''), 'hex'));
  return `${hash.digest('base64')}-${partChecksums.length}`;
}

/** An ETag without quotes, lower case ('' when absent). */
export const bareEtag = (etag: string | undefined): string => unquoteEtag(etag ?? '');

/** The multipart ETag for parts whose ETags are their MD5s, or undefined when one is not an MD5. */
export function multipartEtag(partEtags: readonly (string | undefined)[]): string | undefined {
  const hash = createHash('md5');
  for (const etag of partEtags) {
    const bare = bareEtag(etag);
    if (!/^[0-9a-f]{32}$/.test(bare)) return undefined;
    hash.update(Buffer.from(bare, 'hex'));
  }
  return `${hash.digest('hex')}-${partEtags.length}`;
}

/** `attachment; filename*=UTF-8''…` (RFC 6266/8187) with an ASCII fallback for old clients. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${uriEscape(fileName)}`;
}
