/**
 * Contract-level helpers for talking to a Genesys Cloud emulator (or any server that speaks
 * ../shared/PROTOCOL.md) over plain HTTP. They know the wire format and nothing of the emulator's
 * internals, so any test may import them. They never throw on an HTTP error status: callers get
 * the status, headers and parsed body and assert what they expect. The `…OrThrow` variants are
 * for set-up steps that must succeed.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { EmulatorClient, EmulatorSettings, EmulatorState, FaultRule } from '../../src/emulator/types.js';
import { DEMO_CLIENT } from '../../src/emulator/types.js';

export type Headers = Record<string, string | string[] | undefined>;

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  /** The raw response body as bytes. */
  bytes: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: T;
}

/** The Genesys error body, PROTOCOL.md section 0. */
export interface GenesysError {
  message: string;
  code: string;
  status: number;
  contextId: string;
  details: Array<Record<string, unknown>>;
  errors: unknown[];
}

export interface InitiateRequest {
  fileName: string;
  contentType: string;
  totalSize: number;
}

export interface InitiateResponse {
  uploadId: string;
  presignedUrl: string;
  chunkSize: number;
  maxChunks: number;
  expiresAt: string;
}

export interface UploadStatus extends InitiateResponse {
  fileName: string;
  contentType: string;
  totalSize: number;
  state: 'open' | 'completed' | 'aborted';
  segments: Array<{ index: number; size: number; checksum: string }>;
  fileId?: string;
}

export interface CompleteResponse {
  fileId: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A JSON value to send (serialised here) … */
  json?: unknown;
  /** … or raw bytes / text sent as they are. */
  body?: Buffer | string;
  signal?: AbortSignal;
}

/** One HTTP exchange; the body is always consumed. */
export async function http<T = unknown>(url: string, options: HttpOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: Buffer | string | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  const res = await request(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers,
    body,
    signal: options.signal,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers as Headers, bytes, text, json: json as T };
}

/** A single header's value as a string (first value when repeated). */
export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

// ---------------------------------------------------------------------------------------------
// Section 1: OAuth client credentials

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`, 'utf8').toString('base64')}`;
}

export interface TokenRequestOptions {
  clientId?: string;
  secret?: string;
  /** Replaces the Authorization header entirely; `null` sends none. */
  authorization?: string | null;
  /** The form body; default `grant_type=client_credentials`. */
  body?: string;
}

/** POST {login}/oauth/token with full control over the pieces. */
export function requestToken(baseUrl: string, options: TokenRequestOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const authorization =
    options.authorization === undefined
      ? basicAuth(options.clientId ?? DEMO_CLIENT.id, options.secret ?? DEMO_CLIENT.secret)
      : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  return http(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers,
    body: options.body ?? 'grant_type=client_credentials',
  });
}

/** A bearer token for `client` (default: the demo client); throws unless the server answers 200. */
export async function getToken(baseUrl: string, client: Pick<EmulatorClient, 'id' | 'secret'> = DEMO_CLIENT): Promise<string> {
  const res = await requestToken(baseUrl, { clientId: client.id, secret: client.secret });
  const body = res.json as { access_token?: unknown } | undefined;
  if (res.status !== 200 || typeof body?.access_token !== 'string') {
    throw new Error(`token request for ${client.id} answered ${res.status}: ${res.text.slice(0, 200)}`);
  }
  return body.access_token;
}

// ---------------------------------------------------------------------------------------------
// {api} calls

/** A call to `{api}{path}` with an optional bearer token. */
export function api<T = unknown>(
  baseUrl: string,
  token: string | undefined,
  method: string,
  path: string,
  options: Omit<HttpOptions, 'method'> = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return http<T>(`${baseUrl}${path}`, { ...options, method, headers });
}

function unexpected(what: string, res: HttpResult): Error {
  return new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
}

export function initiate(baseUrl: string, token: string, body: unknown): Promise<HttpResult<InitiateResponse>> {
  return api<InitiateResponse>(baseUrl, token, 'POST', '/api/v2/files/uploads', { json: body });
}

export async function initiateOrThrow(baseUrl: string, token: string, body: InitiateRequest): Promise<InitiateResponse> {
  const res = await initiate(baseUrl, token, body);
  if (res.status !== 201) throw unexpected('initiate', res);
  return res.json;
}

export function uploadStatus(baseUrl: string, token: string, uploadId: string, signal?: AbortSignal): Promise<HttpResult<UploadStatus>> {
  return api<UploadStatus>(baseUrl, token, 'GET', `/api/v2/files/uploads/${encodeURIComponent(uploadId)}`, { signal });
}

export async function uploadStatusOrThrow(baseUrl: string, token: string, uploadId: string): Promise<UploadStatus> {
  const res = await uploadStatus(baseUrl, token, uploadId);
  if (res.status !== 200) throw unexpected('upload status', res);
  return res.json;
}

export function abortUpload(baseUrl: string, token: string, uploadId: string): Promise<HttpResult> {
  return api(baseUrl, token, 'DELETE', `/api/v2/files/uploads/${encodeURIComponent(uploadId)}`);
}

export function complete(baseUrl: string, token: string, uploadId: string, body: unknown): Promise<HttpResult<CompleteResponse>> {
  return api<CompleteResponse>(baseUrl, token, 'POST', `/api/v2/files/uploads/${encodeURIComponent(uploadId)}/complete`, {
    json: body,
  });
}

export async function completeOrThrow(
  baseUrl: string,
  token: string,
  uploadId: string,
  checksums: string[],
  contentType: string,
): Promise<CompleteResponse> {
  const res = await complete(baseUrl, token, uploadId, { checksums, contentType });
  if (res.status !== 200) throw unexpected('complete', res);
  return res.json;
}

// ---------------------------------------------------------------------------------------------
// Section 3: segments

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Base64(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('base64');
}

/** The checksum notation of sections 4 and 5: `sha256:<lowercase hex>`. */
export function segmentChecksum(data: Buffer): string {
  return `sha256:${sha256Hex(data)}`;
}

/** Segment `index`'s byte range, `end` inclusive (PROTOCOL.md section 3). */
export function segmentRange(index: number, chunkSize: number, totalSize: number): { start: number; end: number } {
  const start = index * chunkSize;
  return { start, end: Math.min(start + chunkSize, totalSize) - 1 };
}

export function segmentCount(chunkSize: number, totalSize: number): number {
  return Math.ceil(totalSize / chunkSize);
}

export interface PutSegmentOptions {
  data: Buffer;
  start: number;
  totalSize: number;
  contentType: string;
  /** true: send `x-amz-checksum-sha256` of `data`; a string: send that value. */
  checksum?: boolean | string;
  /** Extra or overriding headers (e.g. a wrong Content-Range). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface S3Error {
  code: string;
  message: string;
  requestId: string;
}

export interface SegmentResult extends HttpResult {
  /** Parsed S3 error, when the body is one. */
  s3Error: S3Error | undefined;
}

/** PUT one segment to a pre-signed URL, never with an Authorization header. */
export async function putSegment(presignedUrl: string, options: PutSegmentOptions): Promise<SegmentResult> {
  const end = options.start + options.data.length - 1;
  const headers: Record<string, string> = {
    'content-range': `bytes ${options.start}-${end}/${options.totalSize}`,
    'content-type': options.contentType,
  };
  if (options.checksum === true) headers['x-amz-checksum-sha256'] = sha256Base64(options.data);
  else if (typeof options.checksum === 'string') headers['x-amz-checksum-sha256'] = options.checksum;
  Object.assign(headers, options.headers);
  const res = await http(presignedUrl, { method: 'PUT', headers, body: options.data, signal: options.signal });
  return { ...res, s3Error: parseS3Error(res.text) };
}

/** Reads `<Error><Code/><Message/><RequestId/></Error>`; undefined when the text is not one. */
export function parseS3Error(text: string): S3Error | undefined {
  const tag = (name: string): string | undefined => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
  const code = tag('Code');
  if (!/<Error>/.test(text) || code === undefined) return undefined;
  return { code, message: tag('Message') ?? '', requestId: tag('RequestId') ?? '' };
}

/** Splits `data` into the contract's segments and PUTs them all in order; returns their checksums. */
export async function putAllSegments(
  init: Pick<InitiateResponse, 'presignedUrl' | 'chunkSize'>,
  data: Buffer,
  contentType: string,
): Promise<string[]> {
  const checksums: string[] = [];
  for (let i = 0; i < segmentCount(init.chunkSize, data.length); i += 1) {
    const { start, end } = segmentRange(i, init.chunkSize, data.length);
    const segment = data.subarray(start, end + 1);
    const res = await putSegment(init.presignedUrl, { data: segment, start, totalSize: data.length, contentType, checksum: true });
    if (res.status !== 200 && res.status !== 206) throw unexpected(`segment ${i}`, res);
    checksums.push(segmentChecksum(segment));
  }
  return checksums;
}

/** Initiate, send every segment, complete: the happy path in one call. */
export async function uploadFile(
  baseUrl: string,
  token: string,
  file: { fileName: string; contentType: string; data: Buffer },
): Promise<{ init: InitiateResponse; checksums: string[]; completed: CompleteResponse }> {
  const init = await initiateOrThrow(baseUrl, token, {
    fileName: file.fileName,
    contentType: file.contentType,
    totalSize: file.data.length,
  });
  const checksums = await putAllSegments(init, file.data, file.contentType);
  const completed = await completeOrThrow(baseUrl, token, init.uploadId, checksums, file.contentType);
  return { init, checksums, completed };
}

// ---------------------------------------------------------------------------------------------
// Section 7: guests and messages

export async function createGuestOrThrow(baseUrl: string, token: string, language = 'en-US'): Promise<{ id: string; token: string }> {
  const res = await api<{ id: string; token: string }>(baseUrl, token, 'POST', '/api/v2/conversations/messaging/guests', {
    json: { language },
  });
  if (res.status !== 201) throw unexpected('create guest', res);
  return res.json;
}

export function sendMessage(baseUrl: string, token: string, body: unknown): Promise<HttpResult<{ id: string }>> {
  return api<{ id: string }>(baseUrl, token, 'POST', '/api/v2/conversations/messaging/messages', { json: body });
}

// ---------------------------------------------------------------------------------------------
// Section 9: the emulator's admin routes

export const emulatorAdmin = {
  async state(baseUrl: string): Promise<EmulatorState> {
    const res = await http<EmulatorState>(`${baseUrl}/__emulator/state`);
    if (res.status !== 200) throw unexpected('GET /__emulator/state', res);
    return res.json;
  },
  config(baseUrl: string): Promise<HttpResult<EmulatorSettings>> {
    return http<EmulatorSettings>(`${baseUrl}/__emulator/config`);
  },
  patchConfig(baseUrl: string, patch: unknown): Promise<HttpResult<EmulatorSettings>> {
    return http<EmulatorSettings>(`${baseUrl}/__emulator/config`, { method: 'PATCH', json: patch });
  },
  addFaults(baseUrl: string, rules: FaultRule | FaultRule[]): Promise<HttpResult<{ ids: string[] }>> {
    return http<{ ids: string[] }>(`${baseUrl}/__emulator/faults`, { method: 'POST', json: rules });
  },
  /** The rules still in force (`count` = applications left). */
  listFaults(baseUrl: string): Promise<HttpResult<{ faults: FaultRule[] }>> {
    return http<{ faults: FaultRule[] }>(`${baseUrl}/__emulator/faults`);
  },
  clearFaults(baseUrl: string, id?: string): Promise<HttpResult> {
    const suffix = id === undefined ? '' : `/${encodeURIComponent(id)}`;
    return http(`${baseUrl}/__emulator/faults${suffix}`, { method: 'DELETE' });
  },
  advanceClock(baseUrl: string, advanceMs: number): Promise<HttpResult<{ now: number }>> {
    return http<{ now: number }>(`${baseUrl}/__emulator/clock`, { method: 'POST', json: { advanceMs } });
  },
};
