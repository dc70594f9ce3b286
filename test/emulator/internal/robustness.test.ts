/** Junk of every kind gets the contract's error, never a crash or a hang; the emulator keeps serving. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { call, complete, emulator, initiate, putSegment, token } from './helpers.js';
import { rawRequest } from './raw.js';

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await condition()) return;
    await new Promise((r) => setImmediate(r));
    if (i > 100) await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('junk input', () => {
  test('API: ids, JSON, numbers and paths', async (t) => {
    const emu = await emulator(t);
    const tok = await token(emu.url);
    const cases: Array<[string, string, unknown, number, string]> = [
      ['GET', '/api/v2/files/uploads/..%2F..%2Finstance-key', undefined, 404, 'not.found'],
      ['GET', '/api/v2/files/..%2Finstance-key/content', undefined, 404, 'not.found'],
      ['GET', '/api/v2/files/%E0%A4%A', undefined, 404, 'not.found'],
      ['GET', '/api/v2/conversations/messaging/messages/' + 'a'.repeat(5000), undefined, 404, 'not.found'],
      ['POST', '/api/v2/files/uploads', '{"fileName":', 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', '[1,2]', 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', '', 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', { fileName: 'a', contentType: 'text/plain', totalSize: 1e400 }, 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', '{"fileName":"a","contentType":"text/plain","totalSize":1e400}', 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', { fileName: 'a', contentType: 'text/plain', totalSize: '5' }, 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', { fileName: ['a'], contentType: 'text/plain', totalSize: 5 }, 400, 'bad.request'],
      ['POST', '/api/v2/files/uploads', 'x'.repeat(1024 * 1024 + 1), 413, 'too.large'],
      ['POST', '/api/v2/files/uploads/00000000-0000-0000-0000-000000000000/complete', { checksums: 'x', contentType: 'a/b' }, 400, 'bad.request'],
      ['POST', '/api/v2/conversations/messaging/messages', { guestId: 1 }, 400, 'bad.request'],
      ['DELETE', '/api/v2/files/uploads/%00', undefined, 404, 'not.found'],
      ['PATCH', '/api/v2/files/uploads', undefined, 405, 'method.not.allowed'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await call(emu.url, method, path, { token: tok, body: body as string });
      assert.equal(res.status, status, `${method} ${path.slice(0, 80)}: ${res.text.slice(0, 200)}`);
      assert.equal(res.json?.code, code);
      assert.equal(res.json?.contextId, res.headers['inin-correlation-id']);
    }
    assert.equal((await call(emu.url, 'GET', '/__emulator/state')).status, 200);
  });

  test('storage: absurd headers and paths', async (t) => {
    const emu = await emulator(t);
    const tok = await token(emu.url);
    const u = await initiate(emu.url, tok, randomBytes(20));
    const put = (headers: Record<string, string>, url = u.presignedUrl, body: Buffer = Buffer.alloc(20)) =>
      call('', 'PUT', url, { headers: { 'content-type': u.contentType, ...headers }, body });
    const expectations: Array<[Record<string, string>, number, string]> = [
      [{ 'content-range': 'bytes 0-19/99999999999999999999' }, 400, 'InvalidRange'],
      [{ 'content-range': 'bytes 0-19/*' }, 400, 'InvalidRange'],
      [{ 'content-range': '\u00ff\u00fe' }, 400, 'InvalidRange'],
      [{ 'content-range': 'bytes 0-19/20', 'x-amz-checksum-sha256': 'not base64!' }, 400, 'BadDigest'],
      [{ 'content-range': 'bytes 0-19/21' }, 413, 'EntityTooLarge'],
    ];
    for (const [headers, status, code] of expectations) {
      const res = await put(headers);
      assert.equal(res.status, status, JSON.stringify(headers));
      assert.match(res.text, new RegExp(`<Code>${code}</Code>`));
    }
    const path = new URL(u.presignedUrl);
    for (const bad of ['/storage/uploads/..%2F..%2Finstance-key', '/storage/uploads/../instance-key', '/storage/nothing']) {
      const res = await put({ 'content-range': 'bytes 0-19/20' }, `${emu.url}${bad}${path.search}`);
      assert.ok([403, 404].includes(res.status), `${bad}: ${res.status}`);
      assert.match(res.text, /^<\?xml/);
    }
    assert.equal(emu.state().uploads[0]?.segments.length, 0);
  });

  test('malformed HTTP gets a 400 and the server keeps serving', async (t) => {
    const emu = await emulator(t);
    for (const junk of ['GARBAGE\r\n\r\n', 'GET /%%% HTTP/1.1\r\nHost: x\r\n\r\n', `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20000)}\r\n\r\n`, 'GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n']) {
      const res = await rawRequest(emu.port, junk);
      assert.ok(res !== 'closed' && res.status >= 400 && res.status < 500, JSON.stringify(res).slice(0, 200));
    }
    assert.equal((await call(emu.url, 'GET', '/__emulator/config')).status, 200);
  });
});

describe('concurrency', () => {
  test('concurrent completes create one file; all answer the same 200', async (t) => {
    const emu = await emulator(t, { chunkSize: 7, singleChunkMaxSize: 0 });
    const tok = await token(emu.url);
    const u = await initiate(emu.url, tok, randomBytes(50));
    for (let i = 0; i < 8; i++) await putSegment(u, i);
    const answers = await Promise.all(Array.from({ length: 6 }, () => complete(emu.url, tok, u)));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(new Set(answers.map((a) => a.json.fileId)).size, 1);
    assert.equal(emu.state().files.length, 1);
  });

  test('a segment still arriving when the upload completes is refused and not stored', async (t) => {
    const emu = await emulator(t, { chunkSize: 10, singleChunkMaxSize: 0 });
    const tok = await token(emu.url);
    const u = await initiate(emu.url, tok, randomBytes(20));
    await putSegment(u, 0);
    await putSegment(u, 1);
    // Re-send segment 0 by hand: headers and half the body, then hold.
    const url = new URL(u.presignedUrl);
    const socket = connect(emu.port, '127.0.0.1');
    t.after(() => socket.destroy());
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
    });
    socket.write(
      `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${u.contentType}\r\n` +
        `Content-Range: bytes 0-9/20\r\nContent-Length: 10\r\nConnection: close\r\n\r\n12345`,
    );
    const dir = join(emu.dataDir, 'uploads', u.uploadId);
    await until(async () => (await readdir(dir)).some((n) => n.startsWith('tmp-')), 'the storage to start receiving');
    assert.equal((await complete(emu.url, tok, u)).status, 200);
    socket.write('67890');
    assert.match(await answer, /^HTTP\/1\.1 404[\s\S]*<Code>NoSuchUpload<\/Code>/);
    await until(async () => !(await readdir(dir)).some((n) => n.startsWith('tmp-')), 'the temp body to be removed');
    const content = await call(emu.url, 'GET', `/api/v2/files/${emu.state().files[0]?.id}/content`, { token: tok });
    assert.ok(content.bytes.equals(u.data));
  });

  test('close() ends a stalled request at once and leaves nothing running', { timeout: 30_000 }, async () => {
    const { startEmulator } = await import('../../../src/emulator/index.js');
    const emu = await startEmulator({ faults: [{ route: 'initiate', action: 'stall', stallMs: 3_600_000 }] });
    const tok = await token(emu.url);
    const pending = call(emu.url, 'POST', '/api/v2/files/uploads', { token: tok, body: { fileName: 'a', contentType: 'text/plain', totalSize: 1 } }).then(
      () => 'answered',
      () => 'failed',
    );
    await until(async () => (await call(emu.url, 'GET', '/__emulator/faults')).json.faults.length === 0, 'the stall to begin');
    await emu.close();
    assert.equal(await pending, 'failed');
  });
});
