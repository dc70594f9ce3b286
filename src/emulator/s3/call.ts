/**
 * What every S3 handler gets: the request context, the addressed bucket and key, the decoded query
 * and the verified signature; plus the answers and header checks the handlers share.
 */
import type { RequestContext } from '../http/context.js';
import { send, sendS3Error, type Headers } from '../http/respond.js';
import type { Services } from '../services.js';
import type { PayloadMode } from './sigv4.js';
import type { S3Store, StoredObject } from './store.js';
import type { S3Settings } from './types.js';
import { document } from './xml.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
/** S3's smallest part (all but the last) and largest part or single PUT. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * GiB;
export const MAX_PARTS = 10_000;

/** What the rest of the emulator (state view, startEmulator) holds of the S3 endpoint. */
export interface S3Services {
  readonly store: S3Store;
  /** `http://host:port` of the S3 listener ('' until it listens). */
  url(): string;
  readonly seen: { presigned: number; headerSigned: number };
}

/** What the S3 handlers get. */
export interface S3Env extends S3Services {
  readonly env: Services;
  settings(): S3Settings;
}

export interface S3Call {
  ctx: RequestContext;
  bucket: string;
  key: string;
  query: Record<string, string | string[]>;
  payload: PayloadMode;
}

export const legacy = (s3: S3Env): boolean => s3.settings().flavor === 'rgw16';

export function sendXml(ctx: RequestContext, status: number, root: string, fields: Parameters<typeof document>[1], headers: Headers = {}): void {
  send(ctx, status, { 'Content-Type': 'application/xml', ...headers }, document(root, fields));
}

export function s3Error(ctx: RequestContext, status: number, code: string, message: string, headers: Headers = {}): void {
  if (ctx.req.method === 'HEAD') return send(ctx, status, headers); // HEAD answers carry no body
  sendS3Error(ctx, status, code, message, headers);
}

export function queryValue(call: S3Call, name: string): string | undefined {
  const v = call.query[name];
  return Array.isArray(v) ? v[0] : v;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const httpDate = (ms: number): string => new Date(ms).toUTCString();

/** `x-amz-checksum-sha256` / `Content-MD5` as given: absent, a digest of the right length, or invalid. */
export function digestHeader(ctx: RequestContext, name: string, bytes: number): Buffer | undefined | 'invalid' {
  const value = ctx.req.headers[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return 'invalid';
  const digest = Buffer.from(value, 'base64');
  return digest.length === bytes && digest.toString('base64') === value ? digest : 'invalid';
}

/** The body's declared length, or an answer was sent (411 / 400) and undefined is returned. */
export function declaredLength(ctx: RequestContext, max: number): number | undefined {
  const value = ctx.req.headers['content-length'];
  const encoding = String(ctx.req.headers['content-encoding'] ?? '');
  if (encoding.split(',').some((e) => e.trim() === 'aws-chunked')) {
    s3Error(ctx, 400, 'NotImplemented', 'Content-Encoding aws-chunked is not supported here: send the body plainly with Content-Length.');
    return undefined;
  }
  if (value === undefined || !/^\d{1,15}$/.test(value)) {
    s3Error(ctx, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    return undefined;
  }
  const length = Number(value);
  if (length > max) {
    s3Error(ctx, 400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${max} bytes).`);
    return undefined;
  }
  return length;
}

const OTHER_CHECKSUMS = ['x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme', 'x-amz-checksum-sha1'];

/**
 * Checks the integrity headers of a body-carrying request before the body is read. Returns the
 * expected digests, or undefined after answering an error.
 */
export function integrityHeaders(call: S3Call, s3: S3Env): { sha256?: Buffer; md5?: Buffer } | undefined {
  const { ctx } = call;
  const other = OTHER_CHECKSUMS.find((h) => ctx.req.headers[h] !== undefined);
  if (other !== undefined && !legacy(s3)) {
    s3Error(ctx, 501, 'NotImplemented', `${other} is not supported by this endpoint; use x-amz-checksum-sha256.`);
    return undefined;
  }
  const sha256 = digestHeader(ctx, 'x-amz-checksum-sha256', 32);
  if (sha256 === 'invalid') {
    s3Error(ctx, 400, 'InvalidRequest', 'Value for x-amz-checksum-sha256 header is invalid (base64 of a 32-byte SHA-256).');
    return undefined;
  }
  const md5 = digestHeader(ctx, 'content-md5', 16);
  if (md5 === 'invalid') {
    s3Error(ctx, 400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    return undefined;
  }
  // An older store accepts the checksum header and ignores it (see the rgw16 flavor).
  return { ...(sha256 && !legacy(s3) && { sha256 }), ...(md5 && { md5 }) };
}

/** After the body: the digests and the signed payload hash agree with the bytes, or an error was answered. */
export function bodyMatches(call: S3Call, expected: { sha256?: Buffer; md5?: Buffer }, got: { sha256: Buffer; md5: Buffer }): boolean {
  const { ctx } = call;
  if (expected.md5 && !expected.md5.equals(got.md5)) {
    s3Error(ctx, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    return false;
  }
  if (expected.sha256 && !expected.sha256.equals(got.sha256)) {
    s3Error(ctx, 400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    return false;
  }
  if (call.payload.kind === 'sha256' && call.payload.hex !== got.sha256.toString('hex')) {
    s3Error(ctx, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
    return false;
  }
  return true;
}

/** Content-Type, Content-Disposition and x-amz-meta-* of a PutObject or CreateMultipartUpload. */
export function objectHeadersOf(ctx: RequestContext): { contentType: string; contentDisposition?: string; metadata: Record<string, string> } | undefined {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    metadata[name.slice('x-amz-meta-'.length)] = text;
    size += name.length - 'x-amz-meta-'.length + Buffer.byteLength(text);
  }
  if (size > 2048) {
    s3Error(ctx, 400, 'MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size (2 KB).');
    return undefined;
  }
  const disposition = ctx.req.headers['content-disposition'];
  return {
    contentType: ctx.req.headers['content-type'] ?? 'binary/octet-stream',
    ...(disposition !== undefined && { contentDisposition: disposition }),
    metadata,
  };
}

/** The headers GetObject and HeadObject answer with. */
export function objectResponseHeaders(object: StoredObject, call: S3Call, s3: S3Env): Headers {
  const headers: Headers = {
    'Content-Type': object.contentType,
    ETag: object.etag,
    'Last-Modified': httpDate(object.lastModified),
    'Accept-Ranges': 'bytes',
    ...(object.contentDisposition !== undefined && { 'Content-Disposition': object.contentDisposition }),
    ...(object.partCount !== undefined && { 'x-amz-mp-parts-count': object.partCount }),
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  const mode = String(call.ctx.req.headers['x-amz-checksum-mode'] ?? '').toUpperCase();
  if (mode === 'ENABLED' && object.checksumSHA256 !== undefined && !legacy(s3)) {
    headers['x-amz-checksum-sha256'] = object.checksumSHA256;
    if (object.checksumType) headers['x-amz-checksum-type'] = object.checksumType;
  }
  // response-* query parameters override the stored headers (S3's GetObject response overrides).
  const overrides: Record<string, string> = {
    'response-content-type': 'Content-Type',
    'response-content-disposition': 'Content-Disposition',
    'response-content-language': 'Content-Language',
    'response-content-encoding': 'Content-Encoding',
    'response-cache-control': 'Cache-Control',
    'response-expires': 'Expires',
  };
  for (const [param, name] of Object.entries(overrides)) {
    const value = queryValue(call, param);
    if (value !== undefined && !/[\r\n]/.test(value)) headers[name] = value;
  }
  return headers;
}
