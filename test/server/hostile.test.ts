/**
 * Issue 8 §3.3, 3.5, 3.6, 3.7: hostile requests. A foreign Host name (DNS rebinding) gets 421; a
 * non-loopback bind without keys is refused unless --allow-open; a query string cannot steer tus
 * to another upload; a creation's metadata is checked before its body is read, checksummed chunks
 * of one upload are spooled one at a time, a too-long creation body leaves no job; slow bodies,
 * idle sockets and connection floods are cut off.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { test } from 'node:test';
import { startService } from '../../src/server/index.js';
import { createUpload, digest, encodeMetadata, headOffset, http, jobIdOf, patch, startTestService, TUS } from './helpers.js';

const META = encodeMetadata({ filename: 'a.pdf', to: '+15550100' });

/** A raw request whose body the test writes (or not) itself. */
function openRequest(url: string, method: string, headers: Record<string, string>) {
  const req = httpRequest(url, { method, headers });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  req.flushHeaders();
  return { req, response };
}

function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Looks again every 10 ms until `condition` holds (an assertion inside it fails at once); 10 s at most. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('Host check: loopback names, the bound address and public hosts only (421 otherwise)', async () => {
  const t = await startTestService({ publicHosts: ['uploads.example.com'] });
  try {
    const port = new URL(t.url).port;
    const get = (host: string) => http(`${t.url}/api/config`, { headers: { host } });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `uploads.example.com`, `UPLOADS.example.com:443`]) {
      assert.equal((await get(host)).status, 200, host);
    }
    for (const host of [`evil.example:${port}`, 'attacker.localhost.evil.example', '127.0.0.1.nip.io', 'uploads.example.com.evil', 'a b']) {
      assert.equal((await get(host)).status, 421, host);
    }
    // A rebinding page cannot create an upload either.
    const created = await http(`${t.url}/files/`, { method: 'POST', headers: { ...TUS, host: 'evil.example', 'upload-length': '5', 'upload-metadata': META } });
    assert.equal(created.status, 421);
  } finally {
    await t.close();
  }
});

test('a non-loopback address without API keys is refused unless --allow-open, which warns', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gu-open-'));
  try {
    await assert.rejects(
      startService({ host: '0.0.0.0', port: 0, stateDir: join(dir, 's'), spoolDir: join(dir, 'p'), emulator: { dataDir: join(dir, 'e') }, logLevel: 'silent' }),
      (error: Error & { code?: string }) => error.code === 'config.open_service',
    );
    // --allow-open starts, with a warning in the log (the CLI also prints one on stderr).
    const log = new PassThrough();
    let logged = '';
    log.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    const open = await startService({
      host: '0.0.0.0',
      port: 0,
      allowOpen: true,
      stateDir: join(dir, 's'),
      spoolDir: join(dir, 'p'),
      emulator: { dataDir: join(dir, 'e') },
      logLevel: 'warn',
      logStream: log,
    });
    await open.close();
    assert.match(logged, /"level":40.*WITHOUT API keys/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('PATCH /files/A?x=/B writes to A, never to B', async () => {
  const t = await startTestService();
  try {
    const a = await createUpload(t.url, 10);
    const b = await createUpload(t.url, 10);
    const res = await patch(`${a}?x=/${jobIdOf(b)}`, 0, Buffer.alloc(10, 7));
    assert.equal(res.status, 204);
    assert.equal(await headOffset(b), 0);
    assert.equal(await headOffset(a), 10);
  } finally {
    await t.close();
  }
});

test('creation with upload: metadata refused before the body is read; a body longer than Upload-Length leaves no job', async () => {
  const t = await startTestService();
  try {
    const body = Buffer.alloc(1024 * 1024, 1);
    // Bad metadata (no recipients), checksummed, body announced but never sent: answered at once.
    const bad = openRequest(`${t.url}/files/`, 'POST', {
      ...TUS,
      'upload-length': String(body.length),
      'upload-metadata': encodeMetadata({ filename: 'a.pdf' }),
      'upload-checksum': `sha256 ${digest('sha256', body)}`,
      'content-type': 'application/offset+octet-stream',
      'content-length': String(body.length),
    });
    const answer = await Promise.race([bad.response, sleep(3000).then(() => undefined)]);
    bad.req.destroy();
    assert.equal(answer?.statusCode, 400);
    assert.deepEqual(await readdir(join(t.dir, 'spool', 'partial')), []);

    // A body longer than Upload-Length: 413 and no job, whether the length is announced or not.
    const tooLong = await http(`${t.url}/files/`, {
      method: 'POST',
      headers: { ...TUS, 'upload-length': '10', 'upload-metadata': META, 'content-type': 'application/offset+octet-stream' },
      body: Buffer.alloc(20),
    });
    assert.equal(tooLong.status, 413);
    const chunked = openRequest(`${t.url}/files/`, 'POST', { ...TUS, 'upload-length': '10', 'upload-metadata': META, 'content-type': 'application/offset+octet-stream' });
    chunked.req.end(Buffer.alloc(20));
    assert.equal((await chunked.response).statusCode, 413);
    const jobs = (await http(`${t.url}/api/jobs`)).json as { jobs: unknown[] };
    assert.deepEqual(jobs.jobs, []);
    assert.deepEqual((await readdir(join(t.dir, 'spool', 'intake'))).filter((name) => !name.startsWith('.')), []);
  } finally {
    await t.close();
  }
});

test('two checksummed PATCHes of one upload: one spools at a time; the newer takes over', async () => {
  const t = await startTestService();
  try {
    const data = Buffer.alloc(200_000, 3);
    const uploadUrl = await createUpload(t.url, data.length);
    const headers = {
      ...TUS,
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '0',
      'upload-checksum': `sha256 ${digest('sha256', data)}`,
      'content-length': String(data.length),
    };
    const first = openRequest(uploadUrl, 'PATCH', headers);
    const firstOutcome = first.response.then((res) => res.statusCode, () => 'reset');
    first.req.on('error', () => undefined);
    first.req.write(data.subarray(0, 100_000));
    let firstSettled = false;
    void firstOutcome.then(() => (firstSettled = true));
    const spooling = async (): Promise<number> => {
      const count = (await readdir(join(t.dir, 'spool', 'partial'))).length;
      assert.ok(count <= 1, `${count} chunks of one upload spooled at once`);
      return count;
    };
    await until(async () => (await spooling()) === 1, 'the first chunk to be spooling');
    assert.equal(firstSettled, false, 'the first chunk is still being spooled');
    const second = openRequest(uploadUrl, 'PATCH', headers);
    second.req.write(data.subarray(0, 100_000));
    // The older chunk is dropped when the newer request comes (it is answered), and the newer one
    // spools: never two spooled at once, checked at every look until both have happened.
    await until(async () => (await spooling()) === 1 && firstSettled, 'the newer request to take over');
    assert.ok(([409, 'reset'] as unknown[]).includes(await firstOutcome), String(await firstOutcome));
    second.req.end(data.subarray(100_000));
    assert.equal((await second.response).statusCode, 204);
    assert.equal(await headOffset(uploadUrl), data.length);
  } finally {
    await t.close();
  }
});

test('slow bodies, idle sockets and connection floods are cut off', async () => {
  const t = await startTestService({ minBodyRate: 1000, bodyRateWindowMs: 300, idleTimeoutMs: 600, maxConnections: 5 });
  try {
    // A PATCH trickling one byte every 100 ms (10 B/s) is cut off after a window or two.
    const uploadUrl = await createUpload(t.url, 1000);
    const slow = openRequest(uploadUrl, 'PATCH', { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': '1000' });
    slow.response.catch(() => undefined);
    const socket = await new Promise<Socket>((resolve) => slow.req.once('socket', resolve));
    const trickle = setInterval(() => slow.req.write(Buffer.alloc(1)), 100);
    try {
      assert.ok(await closedWithin(socket, 2000), 'the trickling request was not cut off');
    } finally {
      clearInterval(trickle);
      slow.req.destroy();
    }

    // An idle socket is dropped after the idle timeout.
    const port = Number(new URL(t.url).port);
    const idle = connect(port, '127.0.0.1');
    await once(idle, 'connect');
    assert.ok(await closedWithin(idle, 2000), 'the idle socket was kept');

    // At most 5 connections: the others are closed at once.
    const flood = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        await once(s, 'connect');
        return s;
      }),
    );
    const closed = await Promise.all(flood.map((s) => closedWithin(s, 300)));
    assert.ok(closed.filter(Boolean).length >= 5, `closed: ${closed.filter(Boolean).length} of 10`);
    for (const s of flood) s.destroy();
    // The service notices the closed sockets in its own time: it must answer once it has.
    await until(async () => (await http(`${t.url}/healthz`).catch(() => undefined))?.status === 200, 'the service to answer after the flood');
  } finally {
    await t.close();
  }
});
