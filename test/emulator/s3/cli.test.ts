/**
 * `genesys-upload emulator` with the S3 endpoint: stdout stays one URL line; the S3 URL is on
 * stderr (`s3: http://…`) and in the state view; --s3-port chooses its port.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEMO_S3_CREDENTIAL } from '../../../src/emulator/s3/index.js';
import { BUCKET, raw } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

test('the CLI prints the base URL alone on stdout, the S3 URL on stderr, and serves S3 on --s3-port', async (t) => {
  const s3Port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'emulator', '--port', '0', '--s3-port', String(s3Port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const deadline = Date.now() + 60_000;
  while (!/s3: (\S+)\n/.test(err) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const s3Url = /s3: (\S+)\n/.exec(err)?.[1];
  assert.equal(s3Url, `http://127.0.0.1:${s3Port}`, err);
  const lines = out.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, 'stdout is one line');
  const base = lines[0] ?? '';
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);

  const s3 = new S3Client({
    endpoint: s3Url, forcePathStyle: true, region: 'us-east-1', credentials: { ...DEMO_S3_CREDENTIAL },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'from-cli', Body: 'hello' }));
  const state = JSON.parse((await raw(`${base}/__emulator/state`, 'GET')).text);
  assert.equal(state.s3.url, s3Url);
  assert.deepEqual(state.s3.buckets[0].objects.map((o: { key: string }) => o.key), ['from-cli']);

  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  assert.equal((await exit)[0], 0);
  assert.ok(!err.includes(DEMO_S3_CREDENTIAL.secretAccessKey), 'no secret on stderr');
});
