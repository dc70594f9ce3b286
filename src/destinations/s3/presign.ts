/**
 * Pre-signed URLs for the bytes' own path and for the link. The part's checksum stays a signed
 * *header*: the presigner hoists `x-amz-*` values into the query string unless told otherwise, and
 * a checksum that travels only in the query is not the part checksum S3 verifies. Signing is local
 * (an HMAC, no request), so each PUT attempt is signed afresh just before it is sent.
 */
import { GetObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from './checksums.js';

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

export async function signUploadPart(client: S3Client, target: PartTarget, partNumber: number, checksumBase64: string, at: Date, lifetimeSeconds: number): Promise<SignedPut> {
  const command = new UploadPartCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId, PartNumber: partNumber, ChecksumSHA256: checksumBase64 });
  const url = await getSignedUrl(client, command, { expiresIn: lifetimeSeconds, signingDate: at, unhoistableHeaders: new Set(['x-amz-checksum-sha256']) });
  return { url, headers: { 'x-amz-checksum-sha256': checksumBase64 } };
}

export interface PutTarget {
  bucket: string;
  key: string;
  fileName: string;
  contentType: string;
}

/** A whole object in one PUT, with its checksum, type, disposition and SHA-256 metadata signed. */
export async function signPutObject(client: S3Client, target: PutTarget, checksum: { hex: string; base64: string }, at: Date, lifetimeSeconds: number): Promise<SignedPut> {
  const disposition = contentDisposition(target.fileName);
  const command = new PutObjectCommand({
    Bucket: target.bucket,
    Key: target.key,
    ChecksumSHA256: checksum.base64,
    ContentType: target.contentType,
    ContentDisposition: disposition,
    Metadata: { sha256: checksum.hex },
  });
  const url = await getSignedUrl(client, command, {
    expiresIn: lifetimeSeconds,
    signingDate: at,
    unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'x-amz-meta-sha256']),
  });
  return {
    url,
    headers: {
      'content-type': target.contentType,
      'content-disposition': disposition,
      'x-amz-checksum-sha256': checksum.base64,
      'x-amz-meta-sha256': checksum.hex,
    },
  };
}

/** A download link: GetObject pre-signed for `lifetimeSeconds`, naming the file for the browser. */
export async function signGetObject(client: S3Client, bucket: string, key: string, fileName: string, at: Date, lifetimeSeconds: number): Promise<string> {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: contentDisposition(fileName) });
  return getSignedUrl(client, command, { expiresIn: lifetimeSeconds, signingDate: at });
}
