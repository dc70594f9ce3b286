/**
 * A minimal tus 1.0 client for the benchmark, on undici: create the upload (POST), then send the
 * file in chunks (PATCH), streamed from disk, optionally with `Upload-Checksum: sha256` per chunk
 * (what the browser page sends). Raw requests rather than tus-js-client keep the client's own
 * cost small and visible, so the numbers are about the service.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';

export interface TusUploadInput {
  /** The service's origin, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  filePath: string;
  size: number;
  metadata: Record<string, string>;
  chunkSize: number;
  checksums: boolean;
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
}

export interface TusUploadResult {
  /** The job id: the last path segment of the upload's Location. */
  jobId: string;
  uploadUrl: string;
  /** Epoch ms when the last PATCH's 204 arrived: the service had the upload's last byte. */
  lastByteAt: number;
  /** The chunk size used: the service's part size when it named one. */
  chunkSize: number;
}

const TUS = { 'tus-resumable': '1.0.0' } as const;

function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}

async function expectStatus(response: Dispatcher.ResponseData, wanted: number, what: string): Promise<void> {
  if (response.statusCode === wanted) {
    await response.body.dump();
    return;
  }
  const text = (await response.body.text()).slice(0, 300);
  throw new Error(`${what}: HTTP ${response.statusCode} (expected ${wanted}) ${text}`);
}

export async function tusUpload(input: TusUploadInput): Promise<TusUploadResult> {
  const common = { dispatcher: input.dispatcher, signal: input.signal } as const;
  const created = await request(new URL('/files/', input.baseUrl), {
    ...common,
    method: 'POST',
    headers: {
      ...TUS,
      ...input.headers,
      'upload-length': String(input.size),
      'upload-metadata': encodeMetadata(input.metadata),
    },
  });
  const location = created.headers.location;
  // Relaying while receiving, the service names its destination's part size: chunks follow it (as the page does).
  const partSize = Number(created.headers['genesys-upload-part-size']);
  const chunkSize = Number.isSafeInteger(partSize) && partSize > 0 ? partSize : input.chunkSize;
  await expectStatus(created, 201, 'tus creation');
  if (typeof location !== 'string') throw new Error('tus creation: no Location header');
  const uploadUrl = new URL(location, input.baseUrl).href;
  const jobId = decodeURIComponent(new URL(uploadUrl).pathname.replace(/\/+$/, '').split('/').pop() ?? '');

  const file = input.checksums ? await open(input.filePath, 'r') : undefined;
  let lastByteAt = Date.now();
  try {
    for (let offset = 0; offset < input.size; offset += chunkSize) {
      const length = Math.min(chunkSize, input.size - offset);
      const headers: Record<string, string> = {
        ...TUS,
        ...input.headers,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(length),
      };
      let body: Buffer | Readable;
      if (file !== undefined) {
        // Checksummed: the chunk must be read whole to hash it before its headers are sent.
        const chunk = Buffer.allocUnsafe(length);
        const { bytesRead } = await file.read(chunk, 0, length, offset);
        if (bytesRead !== length) throw new Error(`${input.filePath}: short read at ${offset}`);
        headers['upload-checksum'] = `sha256 ${createHash('sha256').update(chunk).digest('base64')}`;
        body = chunk;
      } else {
        body = createReadStream(input.filePath, { start: offset, end: offset + length - 1, highWaterMark: 1024 * 1024 });
      }
      const response = await request(uploadUrl, { ...common, method: 'PATCH', headers, body });
      lastByteAt = Date.now();
      const newOffset = Number(response.headers['upload-offset']);
      await expectStatus(response, 204, `tus PATCH at ${offset}`);
      if (newOffset !== offset + length) throw new Error(`tus PATCH at ${offset}: service says offset ${newOffset}, expected ${offset + length}`);
    }
  } finally {
    await file?.close();
  }
  return { jobId, uploadUrl, lastByteAt, chunkSize };
}
