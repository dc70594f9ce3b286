/**
 * `genesys-upload emulator`: prints exactly one line `http://HOST:PORT` on stdout when ready,
 * serves the contract there, and exits 0 on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { requestToken } from '../../helpers/emulator-client.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/** Spawns the CLI and resolves with the URL from its first stdout line. */
async function spawnEmulator(t: TestContext, args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'emulator', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the emulator exited (${String(code)}) before printing its URL: ${err.slice(0, 500)}`);
  });
  const first = once(lines, 'line').then(([line]) => line as string);
  const url = await Promise.race([first, exited]);
  lines.close();
  return { child, url, stdout: () => out, stderr: () => err };
}

async function stop(running: Running): Promise<number | null> {
  const exit = once(running.child, 'exit');
  running.child.kill('SIGTERM');
  const [code] = (await exit) as [number | null];
  return code;
}

describe('CLI: genesys-upload emulator', () => {
  test('--port 0 prints one URL line, serves tokens, and exits 0 on SIGTERM', async (t) => {
    const running = await spawnEmulator(t, ['--port', '0']);
    assert.match(running.url, /^http:\/\/[^\s/:]+:\d+$/, `the first stdout line is the URL: ${running.url}`);
    const port = Number(new URL(running.url).port);
    assert.ok(port > 0, 'a real port was chosen');
    const res = await requestToken(running.url);
    assert.equal(res.status, 200, res.text);
    assert.equal(await stop(running), 0, `exit status 0; stderr: ${running.stderr().slice(0, 500)}`);
    assert.equal(running.stdout(), `${running.url}\n`, 'exactly one line on stdout');
  });

  test('--host and --config FILE are honoured', async (t) => {
    // Reading: --config takes a JSON file with (a subset of) the emulator's settings.
    const dir = await mkdtemp(join(tmpdir(), 'conformance-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'emulator.json');
    await writeFile(config, JSON.stringify({ clients: [{ id: 'cli-client', secret: 'cli-secret', permissions: ['files:upload'] }], tokenTtlSeconds: 600 }));
    const running = await spawnEmulator(t, ['--host', '127.0.0.1', '--port', '0', '--config', config, '--data-dir', join(dir, 'data')]);
    assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await requestToken(running.url, { clientId: 'cli-client', secret: 'cli-secret' });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.json as { expires_in: number }).expires_in, 600);
    assert.equal((await requestToken(running.url)).status, 401, 'the configured clients replace the demo client');
    assert.equal(await stop(running), 0);
  });
});
