/**
 * Helpers for the service tests: a service with its embedded emulator in temp dirs, raw tus
 * requests (full control over every header), and waiting on a job through its SSE stream.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startService, type ServiceHandle, type ServiceOptions } from '../../src/server/index.js';
import type { JobView } from '../../src/server/index.js';

export interface TestService {
  service: ServiceHandle;
  url: string;
  dir: string;
  /** The embedded emulator's base URL. */
  emulatorUrl: string;
  close(): Promise<void>;
}

export async function startTestService(overrides: Partial<ServiceOptions> = {}): Promise<TestService> {
  const dir = await mkdtemp(join(tmpdir(), 'gu-serve-test-'));
  try {
    const service = await startService({
      port: 0,
      spoolDir: join(dir, 'spool'),
      stateDir: join(dir, 'state'),
      emulator: { dataDir: join(dir, 'emulator') },
      logLevel: 'silent',
      // The suites create many uploads in a few seconds; the rate limit has its own test.
      createRatePerMinute: 100_000,
      ...overrides,
    });
    return {
      service,
      url: service.url,
      dir,
      emulatorUrl: service.emulator?.url ?? '',
      async close() {
        await service.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export async function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Res> {
  const res = await request(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers,
    body: options.body,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export function h(res: Res, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** tus Upload-Metadata: `key base64(value)` pairs. */
export function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

export const TUS = { 'tus-resumable': '1.0.0' } as const;

export function digest(algorithm: 'sha1' | 'sha256', data: Buffer): string {
  return createHash(algorithm).update(data).digest('base64');
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** POST /files/ → the upload's URL (absolute). Throws unless 201. */
export async function createUpload(
  base: string,
  size: number,
  metadata: Record<string, string> = { filename: 'file.pdf', to: '+15550100' },
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await http(`${base}/files/`, {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': encodeMetadata(metadata), ...headers },
  });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}`);
  return new URL(h(res, 'location') ?? '', `${base}/files/`).toString();
}

export function patch(uploadUrl: string, offset: number, body: Buffer, headers: Record<string, string> = {}): Promise<Res> {
  return http(uploadUrl, {
    method: 'PATCH',
    headers: { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...headers },
    body,
  });
}

export async function headOffset(uploadUrl: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await http(uploadUrl, { method: 'HEAD', headers: { ...TUS, ...headers } });
  if (res.status !== 200) throw new Error(`HEAD answered ${res.status}`);
  return Number(h(res, 'upload-offset'));
}

export function jobIdOf(uploadUrl: string): string {
  return uploadUrl.slice(uploadUrl.lastIndexOf('/') + 1);
}

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: JobView;
}

/**
 * Follows GET /api/jobs/:id/events until `until` holds for an event (or the stream ends).
 * Returns every event seen. Rejects if the stream ends first.
 */
export async function followJob(
  base: string,
  id: string,
  until: (job: JobView, event: SseEvent) => boolean,
  headers: Record<string, string> = {},
): Promise<SseEvent[]> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/jobs/${id}/events`, { headers, signal: controller.signal });
  if (res.status !== 200 || res.body === null) throw new Error(`events answered ${res.status}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || line === '') continue;
          const at = line.indexOf(':');
          fields.set(line.slice(0, at), line.slice(at + 1).trimStart());
        }
        if (!fields.has('data')) continue;
        const event: SseEvent = { event: fields.get('event') ?? 'message', id: fields.get('id'), data: JSON.parse(fields.get('data') ?? 'null') as JobView };
        events.push(event);
        if (until(event.data, event)) return events;
      }
    }
  } finally {
    controller.abort();
  }
  throw new Error(`the event stream of job ${id} ended before the condition held; last: ${JSON.stringify(events.at(-1)?.data)}`);
}

export const terminal = (job: JobView): boolean => job.state === 'delivered' || job.state === 'failed';

/** The stream's last event. */
export const ended = (_job: JobView, event: SseEvent): boolean => event.event === 'end';

export async function getJob(base: string, id: string, headers: Record<string, string> = {}): Promise<JobView> {
  const res = await http(`${base}/api/jobs/${id}`, { headers });
  if (res.status !== 200) throw new Error(`GET job answered ${res.status}: ${res.text}`);
  return res.json as JobView;
}

/** Uploads `data` in one PATCH and waits for the job to end; returns the final job. */
export async function uploadAndWait(base: string, data: Buffer, metadata?: Record<string, string>): Promise<JobView> {
  const uploadUrl = await createUpload(base, data.length, metadata);
  const res = await patch(uploadUrl, 0, data);
  if (res.status !== 204) throw new Error(`PATCH answered ${res.status}: ${res.text}`);
  const events = await followJob(base, jobIdOf(uploadUrl), terminal);
  return events.at(-1)!.data;
}

/** POST /files/ with `metadata` → the upload URL and the part size the service named (relay while receiving). */
export async function createStreamed(base: string, size: number, metadata: Record<string, string>): Promise<{ url: string; partSize: number }> {
  const res = await http(`${base}/files/`, {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(size), 'upload-metadata': encodeMetadata(metadata) },
  });
  assert.equal(res.status, 201, res.text);
  return { url: new URL(h(res, 'location') ?? '', `${base}/files/`).toString(), partSize: Number(h(res, 'genesys-upload-part-size')) };
}

/** Sends [from, to) of `data` in chunks of `chunk` bytes, each with its Upload-Checksum (sha256). */
export async function sendChecksummed(url: string, data: Buffer, from: number, to: number, chunk: number): Promise<void> {
  for (let offset = from; offset < to; offset += chunk) {
    const body = data.subarray(offset, Math.min(offset + chunk, to));
    const res = await patch(url, offset, body, { 'upload-checksum': `sha256 ${digest('sha256', body)}` });
    assert.equal(res.status, 204, res.text);
  }
}
