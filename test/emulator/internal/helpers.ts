/** Small helpers for the emulator's own internal tests: real HTTP against a real emulator. */
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { request } from 'undici';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../../src/emulator/index.js';

export async function emulator(t: TestContext, options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator(options);
  t.after(() => handle.close());
  return handle;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: string | Buffer | object; headers?: Record<string, string>; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body =
    options.body === undefined || typeof options.body === 'string' || Buffer.isBuffer(options.body)
      ? options.body
      : JSON.stringify(options.body);
  const res = await request(path.startsWith('http') ? path : base + path, { method: method as 'GET', headers, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, bytes, json };
}

export async function token(base: string, id = 'demo-client', secret = 'demo-secret'): Promise<string> {
  const res = await call(base, 'POST', '/oauth/token', {
    body: 'grant_type=client_credentials',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
  return res.json.access_token as string;
}

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export interface Upload {
  uploadId: string;
  presignedUrl: string;
  chunkSize: number;
  data: Buffer;
  contentType: string;
}

export async function initiate(base: string, tok: string, data: Buffer, contentType = 'application/octet-stream'): Promise<Upload> {
  const res = await call(base, 'POST', '/api/v2/files/uploads', {
    token: tok,
    body: { fileName: 'data.bin', contentType, totalSize: data.length },
  });
  if (res.status !== 201) throw new Error(`initiate: ${res.status} ${res.text}`);
  return { ...(res.json as { uploadId: string; presignedUrl: string; chunkSize: number }), data, contentType };
}

export function segmentOf(u: Upload, index: number): Buffer {
  return u.data.subarray(index * u.chunkSize, Math.min((index + 1) * u.chunkSize, u.data.length));
}

export function segmentCount(u: Upload): number {
  return Math.ceil(u.data.length / u.chunkSize);
}

export async function putSegment(u: Upload, index: number, url = u.presignedUrl, body = segmentOf(u, index)): Promise<Reply> {
  const start = index * u.chunkSize;
  return call('', 'PUT', url, {
    body,
    headers: {
      'content-type': u.contentType,
      'content-range': `bytes ${start}-${start + body.length - 1}/${u.data.length}`,
    },
  });
}

export function checksums(u: Upload): string[] {
  return Array.from({ length: segmentCount(u) }, (_, i) => `sha256:${sha256(segmentOf(u, i))}`);
}

export async function complete(base: string, tok: string, u: Upload, sums = checksums(u)): Promise<Reply> {
  return call(base, 'POST', `/api/v2/files/uploads/${u.uploadId}/complete`, {
    token: tok,
    body: { checksums: sums, contentType: u.contentType },
  });
}
