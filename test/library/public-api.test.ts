/**
 * The library as the README shows it: the client from the package's root, the journal and the
 * emulator from their subpath entries (package.json "exports"), one journalled send against the
 * emulator, the delivered bytes checked. And what importing the root loads: the client only, never
 * SQLite, fastify or the emulator (recorded by a module-resolution hook in a child process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createGenesysClient, resolveConfig, sendFile, UploadError, type UploadEvent } from '../../src/index.js';
import * as root from '../../src/index.js';
import { openJournal } from '../../src/journal/index.js';
import { DEMO_CLIENT, startEmulator } from '../../src/emulator/index.js';

const repo = new URL('../..', import.meta.url).pathname;

/** The URLs Node resolves while a fresh process imports `entry` (relative to the repository). */
async function loadedBy(entry: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'loads-'));
  try {
    const log = join(dir, 'loads.txt');
    await writeFile(log, '');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--import', './test/library/load-recorder.mjs', '--input-type=module', '-e', `await import(${JSON.stringify(entry)});`],
      { cwd: repo, env: { ...process.env, LOAD_LOG: log }, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    return readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('importing the package root loads the client only: no SQLite, fastify, tus or emulator', async () => {
  const loads = await loadedBy('./src/index.ts');
  assert.ok(loads.some((u) => u.endsWith('/src/relay/send-file.ts')), 'the recorder saw the client load');
  const forbidden = [
    /\/node_modules\/better-sqlite3\//,
    /\/node_modules\/fastify\//,
    /\/node_modules\/@tus\//,
    /\/node_modules\/pino\//,
    /\/node_modules\/prom-client\//,
    /\/src\/emulator\//,
    /\/src\/server\//,
    /\/src\/journal\/journal\.ts$/,
  ];
  for (const pattern of forbidden) assert.deepEqual(loads.filter((u) => pattern.test(u)), [], `the root loads nothing matching ${pattern}`);
  // And the subpath entries do load them: the recorder would see it.
  const service = await loadedBy('./src/server/index.ts');
  assert.ok(service.some((u) => /\/node_modules\/fastify\//.test(u)), 'the service entry loads fastify');
  assert.ok(service.some((u) => /\/node_modules\/better-sqlite3\//.test(u)), 'the service entry loads SQLite');
});

test('the root exports no service, emulator or journal function; package.json maps the subpaths', () => {
  for (const name of ['startService', 'startEmulator', 'openJournal', 'DEMO_CLIENT', 'defaultStateDir']) {
    assert.equal(name in root, false, `${name} is not exported by the root`);
  }
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, { default: string; types: string }> };
  const entries: Record<string, string> = { '.': 'index', './journal': 'journal/index', './service': 'server/index', './emulator': 'emulator/index' };
  for (const [subpath, file] of Object.entries(entries)) {
    assert.equal(pkg.exports[subpath]?.default, `./dist/${file}.js`, subpath);
    assert.equal(pkg.exports[subpath]?.types, `./dist/${file}.d.ts`, subpath);
    assert.ok(readFileSync(join(repo, 'src', `${file}.ts`), 'utf8').length > 0, `src/${file}.ts exists`);
  }
});

test('the public entry points send a file with a journal, as the README shows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'public-api-'));
  const emulator = await startEmulator({ chunkSize: 1024 * 1024, singleChunkMaxSize: 0 });
  const journal = openJournal({ stateDir: join(dir, 'state') });
  const client = createGenesysClient(
    resolveConfig({ env: {}, flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url } }),
  );
  try {
    const bytes = randomBytes(2 * 1024 * 1024 + 5);
    const path = join(dir, 'claim.zip');
    await writeFile(path, bytes);
    const events: UploadEvent['type'][] = [];
    const result = await sendFile(client, { filePath: path, to: ['+15550100'], text: 'Your documents', journal, onEvent: (e) => events.push(e.type) });
    assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(result.chunks, 3);
    assert.equal(emulator.state().files.find((f) => f.id === result.fileId)?.sha256, result.sha256);
    assert.ok(events.includes('initiated') && events.includes('completed') && events.includes('delivered'));
    assert.equal(journal.list()[0]?.state, 'delivered');

    // The same send again prints the earlier result: nothing is uploaded or delivered twice.
    const again = await sendFile(client, { filePath: path, to: ['+15550100'], text: 'Your documents', journal });
    assert.equal(again.messageId, result.messageId);
    assert.equal(emulator.state().messages.length, 1);

    await assert.rejects(sendFile(client, { filePath: join(dir, 'missing.bin'), to: ['x'] }), (error: unknown) => {
      assert.ok(error instanceof UploadError);
      assert.equal(error.kind, 'usage');
      return true;
    });
  } finally {
    await client.close();
    journal.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
});
