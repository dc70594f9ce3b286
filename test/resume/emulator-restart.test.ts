/**
 * The emulator (a CLI child process with --data-dir) is killed with SIGKILL in the middle of an
 * upload and started again on the same port and data directory. The running `send` never notices
 * more than refused connections: its retry policy rides them out, and the file and the message
 * arrive once. The port comes from a first start with --port 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorState } from '../../src/emulator/index.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until, type CliRun } from './helpers/cli.js';

const MiB = 1024 * 1024;

async function startEmulatorChild(port: number, dataDir: string): Promise<{ run: CliRun; url: string }> {
  const run = runCli(['emulator', '--port', String(port), '--data-dir', dataDir, '--chunk-size', '1MiB', '--single-chunk-max', '0'], {});
  await until(() => run.stdout().includes('\n') || run.child.exitCode !== null, 'the emulator to listen');
  const url = run.stdout().trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, run.stderr());
  return { run, url };
}

async function state(url: string): Promise<EmulatorState> {
  return (await (await fetch(`${url}/__emulator/state`)).json()) as EmulatorState;
}

test('an emulator killed and restarted (same port, same data dir) mid-upload: the running send rides it out', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'emulator-restart-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const first = await startEmulatorChild(0, dataDir);
  t.after(() => first.run.kill9());
  const url = first.url;
  const port = Number(new URL(url).port);

  const file = join(dir, 'payload.bin');
  const sha256 = await writeBigFile(file, 40 * MiB);
  const send = runCli(['send', file, '--to', '+15550100', '--concurrency', '2', '--max-rps', '25', '--json'], {
    HOME: dir,
    GENESYS_CLIENT_ID: 'demo-client',
    GENESYS_CLIENT_SECRET: 'demo-secret',
    GENESYS_BASE_URL: url,
    GENESYS_UPLOAD_STATE_DIR: join(dir, 'state'),
  });
  t.after(() => send.kill9());

  await until(async () => ((await state(url)).uploads[0]?.segments.length ?? 0) >= 10, '10 segments stored');
  await first.run.kill9();
  const second = await startEmulatorChild(port, dataDir);
  t.after(() => second.run.kill9());
  assert.equal(second.url, url);

  const done = await send.done;
  assert.equal(done.code, 0, done.stderr);
  assert.match(done.stderr, /retrying .*(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed)/i, 'it did hit the outage');
  const result = JSON.parse(done.stdout.trim().split('\n').at(-1)!) as { sha256: string; fileId: string; messageId: string; resumed: boolean; retries: number };
  assert.equal(result.sha256, sha256);
  assert.equal(result.resumed, false, 'one run, carried through by retries');
  assert.ok(result.retries > 0);
  const after = await state(url);
  assert.equal(after.files.length, 1);
  assert.equal(after.files[0]?.sha256, sha256);
  assert.equal(after.messages.length, 1);
  assert.equal(after.messages[0]?.id, result.messageId);
  assert.equal(after.uploads.length, 1);
});
