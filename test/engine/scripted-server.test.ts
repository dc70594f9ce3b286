/**
 * Answers the emulator cannot give (it is faithful to PROTOCOL.md): a 201 whose maxChunks is too
 * small for the file, a storage that returns a wrong ETag, a complete that reports missing
 * segments, a complete whose SHA-256 differs. A small scripted server on 127.0.0.1 plays Genesys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { createGenesysClient, uploadFile } from '../../src/relay/index.js';
import { IntegrityError, RejectedError } from '../../src/errors/index.js';
import { FAST_RETRY } from './harness.js';

interface Script {
  chunkSize: number;
  maxChunks: number;
  /** ETag for a stored segment; default: its real SHA-256. */
  etag?: (index: number, sha: string) => string;
  /** Answer to the n-th complete (1-based); default: 200 with the real whole-file hash. */
  complete?: (n: number) => [number, unknown] | undefined;
}

interface Seen {
  puts: Array<{ index: number; authorization: string | undefined }>;
  deletes: number;
  completes: number;
}

async function withScriptedServer(script: Script, size: number, fn: (run: () => ReturnType<typeof uploadFile>, seen: Seen) => Promise<void>): Promise<void> {
  const seen: Seen = { puts: [], deletes: 0, completes: 0 };
  const stored = new Map<number, Buffer>();
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  let origin = '';
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/oauth/token') return json(res, 200, { access_token: 't', token_type: 'bearer', expires_in: 3600 });
      if (req.method === 'POST' && url.pathname === '/api/v2/files/uploads') {
        return json(res, 201, { uploadId: 'u1', presignedUrl: `${origin}/storage/u1?sig=secret`, chunkSize: script.chunkSize, maxChunks: script.maxChunks, expiresAt: '2099-01-01T00:00:00Z' });
      }
      if (req.method === 'PUT' && url.pathname === '/storage/u1') {
        const start = Number(/bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1]);
        const index = start / script.chunkSize;
        seen.puts.push({ index, authorization: req.headers.authorization });
        stored.set(index, body);
        const sha = createHash('sha256').update(body).digest('hex');
        res.writeHead(206, { etag: `"${script.etag?.(index, sha) ?? sha}"` });
        return res.end();
      }
      if (req.method === 'DELETE') {
        seen.deletes++;
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'POST' && url.pathname.endsWith('/complete')) {
        seen.completes++;
        const scripted = script.complete?.(seen.completes);
        if (scripted) return json(res, scripted[0], scripted[1]);
        const whole = createHash('sha256');
        for (let i = 0; i < stored.size; i++) whole.update(stored.get(i) ?? Buffer.alloc(0));
        return json(res, 200, { fileId: 'f1', name: 'x', size, contentType: 'application/octet-stream', sha256: whole.digest('hex') });
      }
      json(res, 404, { message: 'no', code: 'not.found', status: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'scripted-'));
  const path = join(dir, 'f.bin');
  await writeFile(path, randomBytes(size));
  const client = createGenesysClient(resolveConfig({ env: {}, flags: { clientId: 'c', clientSecret: 's', baseUrl: origin } }), { retry: FAST_RETRY });
  try {
    await fn(() => uploadFile(client, { filePath: path }), seen);
  } finally {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}

test('a 201 whose maxChunks cannot hold the file: RejectedError before any PUT, remote upload aborted', async () => {
  await withScriptedServer({ chunkSize: 100, maxChunks: 2 }, 201, async (run, seen) => {
    await assert.rejects(run(), (e: unknown) => e instanceof RejectedError && e.code === 'rejected.too_many_chunks' && /3 chunks/.test(e.message));
    assert.equal(seen.puts.length, 0);
    assert.equal(seen.deletes, 1);
  });
});

test('an ETag that never matches our digest: bounded re-sends, then IntegrityError', async () => {
  await withScriptedServer({ chunkSize: 100, maxChunks: 10, etag: (i, sha) => (i === 1 ? '0'.repeat(64) : sha) }, 300, async (run, seen) => {
    await assert.rejects(run(), (e: unknown) => e instanceof IntegrityError && e.code === 'integrity.segment_damaged');
    assert.equal(seen.puts.filter((p) => p.index === 1).length, 4, 'first send + 3 re-sends');
    assert.ok(seen.puts.every((p) => p.authorization === undefined), 'no Authorization header on storage requests');
    assert.equal(seen.completes, 0);
  });
});

test('upload.incomplete: the listed segments are sent again and complete is repeated', async () => {
  const complete = (n: number): [number, unknown] | undefined =>
    n === 1 ? [409, { message: 'missing', code: 'upload.incomplete', status: 409, details: [{ index: 2 }] }] : undefined;
  await withScriptedServer({ chunkSize: 100, maxChunks: 10, complete }, 350, async (run, seen) => {
    const result = await run();
    assert.equal(result.chunks, 4);
    assert.equal(seen.completes, 2);
    assert.deepEqual(seen.puts.map((p) => p.index).sort(), [0, 1, 2, 2, 3]);
  });
});

test("a complete whose SHA-256 is not ours: IntegrityError (the server's file is not our file)", async () => {
  const complete = (): [number, unknown] => [200, { fileId: 'f1', name: 'x', size: 300, contentType: 'application/octet-stream', sha256: 'f'.repeat(64) }];
  await withScriptedServer({ chunkSize: 100, maxChunks: 10, complete }, 300, async (run, seen) => {
    await assert.rejects(run(), (e: unknown) => e instanceof IntegrityError && e.code === 'integrity.sha256_mismatch');
    assert.equal(seen.deletes, 0, 'a completed upload is not aborted');
  });
});
