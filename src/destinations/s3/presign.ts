/**
 * Pre-signed URLs for the bytes' own path and for the link. The part's checksum stays a signed
 * *header*: a signer hoists `x-amz-*` values into the query string unless told otherwise, and a
 * checksum that travels only in the query is not the part checksum S3 verifies. Signing is local
 * (an HMAC, no request), so each PUT attempt is signed afresh just before it is sent. The query of
 * each operation is the one the SDK's serializer writes (`x-id` included), so these URLs are the
 * ones `getSignedUrl` would make (test/destinations/s3/signer.test.ts compares them).
 */
import { contentDisposition } from './checksums.js';
import type { UrlSigner } from './signer.js';

export interface SignedPut {
  url: string;
  /** Exactly the headers that were signed (plus Content-Type), to send as they are. */
  headers: Record<string, string>;
}

export interface PartTarget {
  bucket: string;
  key: string;
  uploadId: string;
}

const CHECKSUM_SIGNED = new Set(['x-amz-checksum-sha256']);

export async function signUploadPart(signer: UrlSigner, target: PartTarget, partNumber: number, checksumBase64: string, at: Date, lifetimeSeconds: number): Promise<SignedPut> {
  const headers = { 'x-amz-checksum-sha256': checksumBase64 };
  const url = await signer.presign(
    { method: 'PUT', bucket: target.bucket, key: target.key, query: { 'x-id': 'UploadPart', partNumber: String(partNumber), uploadId: target.uploadId }, headers, unhoistable: CHECKSUM_SIGNED },
    at,
    lifetimeSeconds,
  );
  return { url, headers };
}

export interface PutTarget {
  bucket: string;
  key: string;
  fileName: string;
  contentType: string;
}

const PUT_SIGNED = new Set(['x-amz-checksum-sha256', 'x-amz-meta-sha256']);

/** A whole object in one PUT, with its checksum, disposition and SHA-256 metadata signed. */
export async function signPutObject(signer: UrlSigner, target: PutTarget, checksum: { hex: string; base64: string }, at: Date, lifetimeSeconds: number): Promise<SignedPut> {
  const signed = {
    'content-disposition': contentDisposition(target.fileName),
    'x-amz-checksum-sha256': checksum.base64,
    'x-amz-meta-sha256': checksum.hex,
  };
  const url = await signer.presign({ method: 'PUT', bucket: target.bucket, key: target.key, query: { 'x-id': 'PutObject' }, headers: signed, unhoistable: PUT_SIGNED }, at, lifetimeSeconds);
  // Content-Type is sent but not signed (as the SDK's presigner does).
  return { url, headers: { 'content-type': target.contentType, ...signed } };
}

/**
 * A download link: GetObject pre-signed for `lifetimeSeconds`. The browser's file name comes from
 * the Content-Disposition stored with the object at upload; repeating it in the URL
 * (response-content-disposition) would double a long name's share of a length-limited message.
 */
export async function signGetObject(signer: UrlSigner, bucket: string, key: string, at: Date, lifetimeSeconds: number): Promise<string> {
  const query = { 'x-id': 'GetObject' };
  return signer.presign({ method: 'GET', bucket, key, query, headers: {} }, at, lifetimeSeconds);
}
