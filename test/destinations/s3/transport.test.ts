/**
 * The S3 part transport on node:http, against a plain local server: exactly the session's headers
 * plus Content-Length and never an Authorization header, the ETag of a 2xx, S3's XML error and
 * Retry-After otherwise, a reset or an abort thrown (the engine retries or stops; an abort while
 * the answer's body arrives is still the abort), keep-alive sockets reused from part to part, the
 * answer timeout counted from the socket (not from the queue of the shared agent), and undici
 * never loaded by the transport.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createS3Transport } from '../../../src/destinations/s3/index.js';
import { isAbortError } from '../../../src/http/network-errors.js';
import { headersTimeoutFor } from '../../../src/upload/put-part.js';

interface Seen {
  headers: IncomingMessage['headers'];
  bytes: number;
}

async function server(t: TestContext, answer: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<{ url: string; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ headers: req.headers, bytes: body.length });
      answer(req, res, body);
    });
  });
  http.on('connection', () => connections++);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  t.after(() => new Promise<void>((resolve) => http.close(() => resolve())));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/bucket/key?partNumber=1`, seen, connections: () => connections };
}

function transport(t: TestContext) {
  const tr = createS3Transport();
  t.after(() => tr.close());
  return tr;
}

test('a part PUT: the session headers plus Content-Length, never Authorization; the ETag of the answer; sockets reused', async (t) => {
  const peer = await server(t, (_req, res) => res.writeHead(200, { ETag: '"ABCDEF0123"' }).end());
  const tr = transport(t);
  const body = Buffer.alloc(3 * 1024 * 1024, 7);
  for (let i = 0; i < 2; i++) {
    const answer = await tr.putPart({ url: peer.url, headers: { 'x-amz-checksum-sha256': 'c2hh', Authorization: 'Bearer secret', Host: 'evil' }, body });
    assert.deepEqual(answer, { ok: true, status: 200, etag: 'abcdef0123' });
  }
  assert.equal(peer.seen.length, 2);
  for (const s of peer.seen) {
    assert.equal(s.bytes, body.length);
    assert.equal(s.headers['content-length'], String(body.length));
    assert.equal(s.headers['x-amz-checksum-sha256'], 'c2hh');
    assert.equal(s.headers.authorization, undefined, 'no bearer token ever reaches a storage host');
    assert.match(String(s.headers.host), /^127\.0\.0\.1:/);
  }
  assert.equal(peer.connections(), 1, 'the keep-alive socket is reused');
});

test("an error answer: S3's code and message, and Retry-After", async (t) => {
  const peer = await server(t, (_req, res) =>
    res.writeHead(503, { 'content-type': 'application/xml', 'retry-after': '3' }).end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'),
  );
  const answer = await transport(t).putPart({ url: peer.url, headers: {}, body: Buffer.from('x') });
  assert.equal(answer.ok, false);
  if (answer.ok) return;
  assert.equal(answer.status, 503);
  assert.equal(answer.error.code, 'SlowDown');
  assert.equal(answer.retryAfterMs, 3000);
});

test('a connection reset before the answer is thrown (a network failure), and so is an abort', async (t) => {
  const peer = await server(t, (req) => req.socket.destroy());
  const tr = transport(t);
  await assert.rejects(tr.putPart({ url: peer.url, headers: {}, body: Buffer.alloc(1024) }), (error: unknown) => typeof (error as { code?: unknown }).code === 'string');
  const hold = await server(t, () => {});
  const controller = new AbortController();
  const put = tr.putPart({ url: hold.url, headers: {}, body: Buffer.alloc(1024), signal: controller.signal });
  setImmediate(() => controller.abort());
  await assert.rejects(put, (error: unknown) => isAbortError(error));
});

test('an abort while the answer body arrives is thrown as the abort (its reason the cause), not as a reset to retry', async (t) => {
  const controller = new AbortController();
  const reason = new Error('stopped by the user');
  const peer = await server(t, (_req, res) => {
    res.writeHead(200, { ETag: '"abc"', 'content-length': String(64 * 1024 * 1024) });
    // 16 MiB handed on (more than the loopback buffers hold): the client is reading the body.
    res.write(Buffer.alloc(16 * 1024 * 1024));
    res.once('drain', () => controller.abort(reason));
  });
  const put = transport(t).putPart({ url: peer.url, headers: {}, body: Buffer.alloc(1024), signal: controller.signal });
  await assert.rejects(put, (error: unknown) => isAbortError(error) && (error as { cause?: unknown }).cause === reason);
});

test('the answer timeout counts from the socket: a PUT queued behind another on the one connection is not timed out', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const held: ServerResponse[] = [];
  const waiting: (() => void)[] = [];
  const arrival = (): Promise<void> => new Promise((resolve) => waiting.push(resolve));
  const peer = await server(t, (_req, res) => {
    held.push(res);
    waiting.shift()?.();
  });
  const tr = createS3Transport({ connections: 1 });
  t.after(() => tr.close());
  const body = Buffer.alloc(1024);
  const limit = headersTimeoutFor(body.length);
  const put = () => tr.putPart({ url: peer.url, headers: {}, body });

  const firstArrived = arrival();
  const first = put();
  const second = put(); // queued: one connection
  await firstArrived;
  const secondArrived = arrival();
  t.mock.timers.tick(limit - 1);
  held[0]?.writeHead(200, { ETag: '"1"' }).end();
  assert.deepEqual(await first, { ok: true, status: 200, etag: '1' });
  await secondArrived;
  t.mock.timers.tick(limit - 1); // longer than the limit since it was asked for, not since it got the socket
  held[1]?.writeHead(200, { ETag: '"2"' }).end();
  assert.deepEqual(await second, { ok: true, status: 200, etag: '2' });

  const thirdArrived = arrival();
  const third = put();
  await thirdArrived;
  t.mock.timers.tick(limit);
  await assert.rejects(third, { code: 'ETIMEDOUT' });
});

test('the transport does not load undici (a process that only sends to S3 never does)', async () => {
  const transportFile = fileURLToPath(new URL('../../../src/destinations/s3/transport.ts', import.meta.url));
  const probe = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { createS3Transport } = await import(${JSON.stringify(transportFile)});
createS3Transport().close();
console.log(JSON.stringify(Object.keys(require.cache).some((path) => path.replaceAll('\\\\', '/').includes('/undici/'))));
`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { timeout: 60_000 });
  assert.equal(stdout.trim().split('\n').pop(), 'false');
});
