/**
 * The tus 1.0 checks made before a request reaches @tus/server, where its own answers differ from
 * the protocol's (it answers 400 for an unknown Tus-Resumable and 403 for a PATCH without
 * Content-Type), plus the Upload-Checksum header of the checksum extension. Pure: headers in,
 * a refusal (status, body, headers) or nothing out.
 */
export const TUS_VERSION = '1.0.0';
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';

export interface Refusal {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** The digest the client announced, as bytes. */
  digest: Buffer;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { sha1: 20, sha256: 32 };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `Upload-Checksum: <algorithm> <base64 digest>`; a Refusal when malformed or unsupported. */
export function parseUploadChecksum(value: string): ExpectedChecksum | Refusal {
  const match = /^\s*(\S+) +(\S+)\s*$/.exec(value);
  if (match === null) return { status: 400, body: 'Upload-Checksum must be "<algorithm> <base64 digest>".\n' };
  const algorithm = (match[1] ?? '').toLowerCase();
  const encoded = match[2] ?? '';
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    return { status: 400, body: `Upload-Checksum algorithm ${JSON.stringify(algorithm.slice(0, 40))} is not supported; use ${CHECKSUM_ALGORITHMS.join(' or ')}.\n` };
  }
  const digest = Buffer.from(encoded, 'base64');
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0 || digest.length !== DIGEST_BYTES[algorithm as ChecksumAlgorithm]) {
    return { status: 400, body: `Upload-Checksum: the ${algorithm} digest must be ${DIGEST_BYTES[algorithm as ChecksumAlgorithm]} bytes in base64.\n` };
  }
  return { algorithm: algorithm as ChecksumAlgorithm, digest };
}

export function isRefusal(value: ExpectedChecksum | Refusal): value is Refusal {
  return 'status' in value;
}

/** The request's protocol problems, in the order the protocol checks them; undefined when fine. */
export function preflight(method: string, headers: HeaderBag, maxSize: number): Refusal | undefined {
  if (method === 'OPTIONS') return undefined;
  const resumable = single(headers, 'tus-resumable');
  if (resumable !== TUS_VERSION) {
    // tus 1.0: an unsupported (or missing) version is 412 with the versions we speak.
    return {
      status: 412,
      body: `Tus-Resumable ${resumable === undefined ? 'is required' : `${JSON.stringify(resumable.slice(0, 40))} is not supported`}; this server speaks ${TUS_VERSION}.\n`,
      headers: { 'Tus-Version': TUS_VERSION },
    };
  }
  if (method === 'PATCH') {
    const contentType = single(headers, 'content-type');
    if (contentType?.split(';')[0]?.trim().toLowerCase() !== OFFSET_OCTET_STREAM) {
      return { status: 415, body: `PATCH requests must have Content-Type: ${OFFSET_OCTET_STREAM}.\n` };
    }
    const offset = single(headers, 'upload-offset');
    if (offset === undefined || !/^\d{1,16}$/.test(offset) || !Number.isSafeInteger(Number(offset))) {
      return { status: 400, body: 'Upload-Offset must be a non-negative integer.\n' };
    }
  }
  if (method === 'POST') {
    if (single(headers, 'upload-defer-length') !== undefined) {
      return { status: 400, body: 'Upload-Length is required: this server does not support creation-defer-length.\n' };
    }
    const length = single(headers, 'upload-length');
    if (length === undefined || !/^(0|[1-9]\d*)$/.test(length)) {
      return { status: 400, body: 'Upload-Length must be a non-negative integer.\n' };
    }
    // Any integer above the limit, even one past 2^53, is "too large" (413), not malformed.
    if (Number(length) > maxSize) {
      return { status: 413, body: `Upload-Length ${length.slice(0, 30)} exceeds this server's maximum of ${maxSize} bytes.\n` };
    }
  }
  if (method === 'PATCH' || method === 'POST') {
    const checksum = single(headers, 'upload-checksum');
    if (checksum !== undefined) {
      const parsed = parseUploadChecksum(checksum);
      if (isRefusal(parsed)) return parsed;
    }
  }
  return undefined;
}
