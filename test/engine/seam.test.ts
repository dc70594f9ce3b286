/**
 * The engine over the seam with a destination it has never heard of: a minimal store whose
 * session PUTs whole parts to a small storage on 127.0.0.1 with headers of its own. The engine
 * must send exactly the session's headers plus Content-Length (no Content-Range it was not given,
 * never an Authorization header even when a session asks for one), refresh through the session on
 * an expired URL, re-send what complete lists, and report the session's stored file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher } from '../../src/http/dispatcher.js';
import { systemClock, systemRandom } from '../../src/http/clock.js';
import { putPart, type PartTransport } from '../../src/upload/put-part.js';
import { runUpload } from '../../src/upload/run-upload.js';
import type { JsonValue, PartRequest, PartToPut, RemoteSession, StepContext, Store, StoredFile, StoredPart } from '../../src/destinations/destination.js';
import type { UploadEvent } from '../../src/upload/events.js';

const PART = 64 * 1024;

test('any RemoteSession: exact headers, refresh on expiry, re-send on complete, the stored file', async (t) => {
  const puts: Array<{ path: string; headers: IncomingHttpHeaders; size: number }> = [];
  const objects = new Map<string, Buffer>();
  let expireNext = true;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      puts.push({ path: url.pathname, headers: req.headers, size: body.length });
      if (url.searchParams.get('v') === '0' && expireNext) {
        expireNext = false;
        res.writeHead(403, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      }
      objects.set(url.pathname, body);
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dispatcher = createDispatcher();
  t.after(() => dispatcher.close());
  const transport: PartTransport = { putPart: (request) => putPart(dispatcher, request, () => Date.now()), clock: systemClock, random: systemRandom };

  let version = 0;
  let completes = 0;
  const session: RemoteSession = {
    id: 'object-1',
    fileName: 'a.pdf',
    contentType: 'application/pdf',
    resumed: false,
    plan: { totalSize: 3 * PART + 5, chunkSize: PART, maxChunks: 100, chunks: 4 },
    held: new Map(),
    state: (): JsonValue => ({ key: 'object-1' }),
    partRequest: (part: PartToPut): PartRequest => ({
      url: `${origin}/bucket/object-1/${part.index}?v=${version}`,
      headers: { 'x-amz-checksum-sha256': part.checksumBase64, 'Content-Type': 'application/pdf', Authorization: 'Bearer must-not-leave' },
      version,
    }),
    refresh: async (seen: number) => {
      if (version === seen) version++;
    },
    accept: (part: PartToPut, etag: string | undefined): StoredPart => ({ index: part.index, size: part.length, checksum: part.checksum, etag }),
    complete: async (parts: StoredPart[], whole: { sha256: string; size: number }, _step: StepContext) => {
      completes++;
      if (completes === 1) return { resend: [2] };
      assert.equal(parts.length, 4);
      assert.ok(parts.every((p) => p.etag !== undefined));
      const stored: StoredFile = { ref: { key: 'object-1' }, fileName: 'a.pdf', contentType: 'application/pdf', size: whole.size, sha256: whole.sha256, verified: false };
      return { stored };
    },
    abort: async () => undefined,
  };
  const store: Store = {
    name: 'test-store',
    open: async () => session,
    resume: async () => undefined,
    discard: async () => undefined,
  };

  const dir = await mkdtemp(join(tmpdir(), 'seam-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = randomBytes(3 * PART + 5);
  const path = join(dir, 'a.pdf');
  await writeFile(path, data);
  const events: UploadEvent[] = [];
  const result = await runUpload(store, transport, { filePath: path, concurrency: 2, onEvent: (e) => events.push(e), retry: { baseDelayMs: 1, maxDelayMs: 5 } });

  assert.equal(result.stored.sha256, createHash('sha256').update(data).digest('hex'));
  assert.deepEqual(result.stored.ref, { key: 'object-1' });
  assert.equal(result.sessionId, 'object-1');
  assert.equal(completes, 2);
  for (let i = 0; i < 4; i++) assert.deepEqual(objects.get(`/bucket/object-1/${i}`), data.subarray(i * PART, Math.min((i + 1) * PART, data.length)));
  assert.equal(puts.filter((p) => p.path.endsWith('/2')).length, 2, 'part 2 re-sent after complete listed it');
  assert.equal(puts.filter((p) => p.headers['x-amz-checksum-sha256'] !== undefined).length, puts.length);
  for (const put of puts) {
    const names = Object.keys(put.headers).filter((n) => n !== 'host' && n !== 'connection').sort();
    assert.deepEqual(names, ['content-length', 'content-type', 'x-amz-checksum-sha256'], 'exactly the session headers plus Content-Length');
    assert.equal(put.headers['content-length'], String(put.size));
  }
  assert.equal(puts.length, 6, 'four parts, one refused as expired and sent again, one re-sent after complete');
  assert.equal(version, 1, 'one refresh, shared');
  assert.equal(events.filter((e) => e.type === 'completing').length, 2);
});
