/**
 * A minimal S3-compatible sink for the `@aws-sdk/lib-storage` baseline, with path-style URLs
 * (`/{bucket}/{key}`): CreateMultipartUpload, UploadPart (body read and dropped), Complete,
 * Abort, and a plain PutObject for small files. It checks no signature and stores nothing; it
 * only counts bytes per part so the orchestrator can verify delivery (`GET /__bench/stats`),
 * and records how the SDK signed payloads (x-amz-content-sha256) so the table can say whether
 * the SDK hashed the bytes. Prints its URL as one line on stdout when listening (loopback only).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** uploadId → (partNumber → bytes received); a re-sent part replaces the earlier one. */
const openUploads = new Map<string, Map<number, number>>();
const stats = {
  completedUploads: 0,
  completedBytes: 0,
  parts: 0,
  putObjects: 0,
  putObjectBytes: 0,
  aborts: 0,
  /** Counts of x-amz-content-sha256 kinds seen on bodies: "UNSIGNED-PAYLOAD", "sha256", "none"... */
  payloadSigning: {} as Record<string, number>,
};

function xml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/xml' });
  response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function s3Error(response: ServerResponse, status: number, code: string, message: string): void {
  xml(response, status, `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`);
}

function notePayloadSigning(request: IncomingMessage): void {
  const header = request.headers['x-amz-content-sha256'];
  const kind = header === undefined ? 'none' : /^[0-9a-f]{64}$/.test(header as string) ? 'sha256' : String(header);
  stats.payloadSigning[kind] = (stats.payloadSigning[kind] ?? 0) + 1;
}

/** Reads and drops a body, resolving with its length. */
function drain(request: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    request.on('end', () => resolve(bytes));
    request.on('error', reject);
  });
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const [bucket = '', ...keyParts] = url.pathname.slice(1).split('/');
  const key = keyParts.join('/');
  const uploadId = url.searchParams.get('uploadId');
  const partNumber = url.searchParams.get('partNumber');

  if (request.method === 'GET' && url.pathname === '/__bench/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(stats));
    return;
  }
  if (request.method === 'POST' && url.searchParams.has('uploads')) {
    await drain(request);
    const id = randomUUID();
    openUploads.set(id, new Map());
    xml(response, 200, `<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    return;
  }
  if (uploadId !== null) {
    const parts = openUploads.get(uploadId);
    if (parts === undefined) {
      await drain(request);
      s3Error(response, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      return;
    }
    if (request.method === 'PUT' && partNumber !== null) {
      notePayloadSigning(request);
      const bytes = await drain(request);
      parts.set(Number(partNumber), bytes);
      stats.parts += 1;
      // A real ETag is the part's MD5; a unique opaque value is enough for the SDK.
      response.writeHead(200, { etag: `"${uploadId.slice(0, 8)}-${partNumber}"` });
      response.end();
      return;
    }
    if (request.method === 'POST') {
      await drain(request);
      openUploads.delete(uploadId);
      let total = 0;
      for (const bytes of parts.values()) total += bytes;
      stats.completedUploads += 1;
      stats.completedBytes += total;
      xml(response, 200, `<CompleteMultipartUploadResult xmlns="${XMLNS}"><Location>http://127.0.0.1/${bucket}/${key}</Location><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"${uploadId.slice(0, 8)}-${parts.size}"</ETag></CompleteMultipartUploadResult>`);
      return;
    }
    if (request.method === 'DELETE') {
      openUploads.delete(uploadId);
      stats.aborts += 1;
      response.writeHead(204);
      response.end();
      return;
    }
  }
  if (request.method === 'PUT' && key !== '') {
    notePayloadSigning(request);
    stats.putObjectBytes += await drain(request);
    stats.putObjects += 1;
    response.writeHead(200, { etag: `"${randomUUID()}"` });
    response.end();
    return;
  }
  await drain(request);
  s3Error(response, 400, 'InvalidRequest', 'This discard endpoint does not serve that request.');
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => response.destroy());
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
