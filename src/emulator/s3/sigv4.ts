/**
 * SigV4 verification for the S3 endpoint, on Authorization headers and on pre-signed URLs.
 *
 * The signature is recomputed with AWS's own SignatureV4 (@smithy/signature-v4) over what the
 * request carried, and compared in constant time. It deliberately shares nothing with the
 * project's signing code, so a bug on either side shows up as a disagreement instead of cancelling
 * out. What we do ourselves is only the parsing and the policy: which key, which region, the clock
 * skew window (15 minutes, as S3), the pre-signed expiry (X-Amz-Date + X-Amz-Expires, at most
 * 7 days), and the payload-hash modes we accept.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import type { S3Settings } from './types.js';

/** A node:crypto SHA-256 (or HMAC-SHA-256 when given a key) in the shape SignatureV4 wants. */
class NodeSha256 implements Checksum {
  readonly #secret: Buffer | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : toBuffer(secret);
    this.#hash = this.#fresh();
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export type AuthResult =
  | { kind: 'anonymous' }
  | { kind: 'signed'; accessKeyId: string; presigned: boolean; payload: PayloadMode }
  | { kind: 'error'; status: number; code: string; message: string };

/** What the client said about the body: not signed, or a literal SHA-256 (hex) we must check. */
export type PayloadMode = { kind: 'unsigned' } | { kind: 'sha256'; hex: string };

export interface SignedRequest {
  method: string;
  /** The path exactly as it arrived (still percent-encoded). */
  rawPath: string;
  /** The query string as it arrived, without the "?". */
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
}

const SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES = 604_800;
const AUTH_QUERY = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
const AUTH_HEADER = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;
const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const err = (status: number, code: string, message: string): AuthResult => ({ kind: 'error', status, code, message });

/** Query parameters decoded one by one (not URLSearchParams: "+" is a plus sign here, not a space). */
export function parseQuery(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      continue;
    }
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function parseLongDate(value: string | undefined): Date | undefined {
  const m = value === undefined ? null : LONG_DATE.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const header = (headers: SignedRequest['headers'], name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(value: string): Scope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId = '', date = '', region = '', service = ''] = parts;
  return { accessKeyId, date, region, service };
}

/** The policy checks shared by both forms: known key, this region, service s3, date consistent. */
function checkScope(scope: Scope | undefined, longDate: string, settings: S3Settings, malformed: string): AuthResult | string {
  if (!scope) return err(400, malformed, 'The credential must be ACCESS_KEY/YYYYMMDD/REGION/s3/aws4_request.');
  const credential = settings.credentials.find((c) => c.accessKeyId === scope.accessKeyId);
  if (!credential) return err(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (scope.region !== settings.region) {
    return err(400, malformed, `The authorization is malformed; the region '${scope.region}' is wrong; expecting '${settings.region}'.`);
  }
  if (scope.service !== 's3') return err(400, malformed, `The credential scope names service '${scope.service}'; expecting 's3'.`);
  if (scope.date !== longDate.slice(0, 8)) return err(400, malformed, 'Invalid credential date. Date is not the same as X-Amz-Date.');
  return credential.secretAccessKey;
}

function signer(accessKeyId: string, secretAccessKey: string, region: string): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region,
    service: 's3',
    sha256: NodeSha256,
    // S3 signs the path as sent, without the second encoding other services use.
    uriEscapePath: false,
    applyChecksum: false,
  });
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hostParts(headers: SignedRequest['headers']): { hostname: string; port: number | undefined } {
  const host = header(headers, 'host') ?? '';
  const m = /^(.*?)(?::(\d+))?$/.exec(host);
  return { hostname: m?.[1] ?? host, port: m?.[2] === undefined ? undefined : Number(m[2]) };
}

function signedHeaderValues(request: SignedRequest, names: string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = header(request.headers, name);
    if (value === undefined) return undefined;
    out[name] = value;
  }
  return out;
}

function payloadMode(value: string | undefined): PayloadMode | AuthResult {
  if (value === undefined) return err(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256.');
  if (value === 'UNSIGNED-PAYLOAD') return { kind: 'unsigned' };
  if (/^[0-9a-f]{64}$/.test(value)) return { kind: 'sha256', hex: value };
  if (value.startsWith('STREAMING-')) {
    return err(
      400,
      'NotImplemented',
      `x-amz-content-sha256 ${value} (aws-chunked streaming) is not supported by this endpoint: send the body plainly, signed ` +
        'with UNSIGNED-PAYLOAD or its SHA-256, and give checksums as headers (AWS SDK: requestChecksumCalculation WHEN_REQUIRED).',
    );
  }
  return err(400, 'InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-…, or a SHA-256 in lowercase hex.');
}

export async function verifyRequest(request: SignedRequest, settings: S3Settings, now: number): Promise<AuthResult> {
  const authorization = header(request.headers, 'authorization');
  const query = parseQuery(request.rawQuery);
  const presigned = query['X-Amz-Signature'] !== undefined || query['X-Amz-Credential'] !== undefined;
  if (authorization !== undefined && presigned) {
    return err(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  }
  if (presigned) return verifyPresigned(request, query, settings, now);
  if (authorization === undefined) return { kind: 'anonymous' };
  return verifyHeader(request, authorization, query, settings, now);
}

async function verifyHeader(
  request: SignedRequest,
  authorization: string,
  query: Record<string, string | string[]>,
  settings: S3Settings,
  now: number,
): Promise<AuthResult> {
  if (!authorization.startsWith('AWS4-HMAC-SHA256')) {
    return err(400, 'InvalidArgument', 'Unsupported Authorization Type: only AWS4-HMAC-SHA256 (SigV4) is accepted.');
  }
  const m = AUTH_HEADER.exec(authorization);
  if (!m) return err(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; expected Credential, SignedHeaders and Signature.');
  const [, credentialText = '', signedList = '', signature = ''] = m;
  const longDate = header(request.headers, 'x-amz-date');
  const date = parseLongDate(longDate);
  if (longDate === undefined || !date) return err(403, 'AccessDenied', 'AWS authentication requires a valid x-amz-date header (YYYYMMDDTHHMMSSZ).');
  const secret = checkScope(parseCredential(credentialText), longDate, settings, 'AuthorizationHeaderMalformed');
  if (typeof secret !== 'string') return secret;
  const accessKeyId = credentialText.split('/')[0] ?? '';
  if (Math.abs(date.getTime() - now) > SKEW_MS) {
    return err(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }
  const payload = payloadMode(header(request.headers, 'x-amz-content-sha256'));
  if ('kind' in payload && payload.kind === 'error') return payload;
  const names = signedList.split(';');
  if (!names.includes('host')) return err(400, 'AuthorizationHeaderMalformed', 'SignedHeaders must include host.');
  const headers = signedHeaderValues(request, names);
  if (!headers) return err(403, 'SignatureDoesNotMatch', 'A header listed in SignedHeaders is missing from the request.');
  const signed = await signer(accessKeyId, secret, settings.region).sign(
    { method: request.method, protocol: 'http:', ...hostParts(request.headers), path: request.rawPath, query, headers },
    { signingDate: date, signableHeaders: new Set(names), signingRegion: settings.region, signingService: 's3' },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  if (!sameSignature(expected, signature)) {
    return err(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return { kind: 'signed', accessKeyId, presigned: false, payload: payload as PayloadMode };
}

async function verifyPresigned(
  request: SignedRequest,
  query: Record<string, string | string[]>,
  settings: S3Settings,
  now: number,
): Promise<AuthResult> {
  const q = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const missing = AUTH_QUERY.filter((name) => q(name) === undefined);
  if (missing.length > 0) {
    return err(400, 'AuthorizationQueryParametersError', `Query-string authentication requires ${missing.join(', ')}.`);
  }
  if (q('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    return err(400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256".');
  }
  const expiresText = q('X-Amz-Expires') ?? '';
  const expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : NaN;
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES) {
    return err(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be an integer from 1 to 604800 (seven days, in seconds).');
  }
  const longDate = q('X-Amz-Date') ?? '';
  const date = parseLongDate(longDate);
  if (!date) return err(400, 'AuthorizationQueryParametersError', 'X-Amz-Date must be in the ISO8601 long format YYYYMMDDTHHMMSSZ.');
  const credentialText = q('X-Amz-Credential') ?? '';
  const secret = checkScope(parseCredential(credentialText), longDate, settings, 'AuthorizationQueryParametersError');
  if (typeof secret !== 'string') return secret;
  const accessKeyId = credentialText.split('/')[0] ?? '';
  const names = (q('X-Amz-SignedHeaders') ?? '').split(';');
  if (!names.includes('host')) return err(400, 'AuthorizationQueryParametersError', 'X-Amz-SignedHeaders must include host.');
  const headers = signedHeaderValues(request, names);
  if (!headers) return err(403, 'SignatureDoesNotMatch', 'A header listed in X-Amz-SignedHeaders is missing from the request.');
  const rest = Object.fromEntries(Object.entries(query).filter(([name]) => !AUTH_QUERY.includes(name)));
  const presigned = await signer(accessKeyId, secret, settings.region).presign(
    // A body that is neither bytes nor a string makes SignatureV4 use UNSIGNED-PAYLOAD, as S3 does for every pre-signed URL.
    { method: request.method, protocol: 'http:', ...hostParts(request.headers), path: request.rawPath, query: rest, headers, body: {} },
    {
      signingDate: date,
      expiresIn: expires,
      signableHeaders: new Set(names),
      // Headers stay where they arrived: nothing is hoisted into the query a second time.
      unhoistableHeaders: new Set(names),
      signingRegion: settings.region,
      signingService: 's3',
    },
  );
  const expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
  if (!sameSignature(expected, q('X-Amz-Signature') ?? '')) {
    return err(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  if (now > date.getTime() + expires * 1000) return err(403, 'AccessDenied', 'Request has expired');
  if (date.getTime() - now > SKEW_MS) return err(403, 'AccessDenied', 'Request is not valid yet');
  return { kind: 'signed', accessKeyId, presigned: true, payload: { kind: 'unsigned' } };
}
