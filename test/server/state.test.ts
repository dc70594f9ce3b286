/**
 * Issue 8 §3.8–3.12: private state files, the page's Content-Security-Policy, /readyz's cache of
 * a failed token check, one instance per state dir (and `error` cleared on delivery), and the
 * default type list.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_ALLOWED_TYPES, startService } from '../../src/server/index.js';
import { createUpload, followJob, getJob, h, http, jobIdOf, patch, startTestService } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const mode = async (path: string) => (await stat(path)).mode & 0o777;

test('state and spool are private: dirs 0700, database (+ -wal, -shm), lock and spool files 0600', async () => {
  const previous = process.umask(0o022);
  const t = await startTestService();
  try {
    const uploadUrl = await createUpload(t.url, 20);
    assert.equal((await patch(uploadUrl, 0, Buffer.alloc(10))).status, 204);
    const id = jobIdOf(uploadUrl);
    const state = join(t.dir, 'state');
    const spool = join(t.dir, 'spool');
    for (const dir of [state, spool, join(spool, 'intake'), join(spool, 'partial')]) assert.equal(await mode(dir), 0o700, dir);
    for (const file of ['jobs.sqlite3', 'jobs.sqlite3-wal', 'jobs.sqlite3-shm', 'serve.lock'].map((name) => join(state, name))) {
      assert.equal(await mode(file), 0o600, file);
    }
    for (const file of [join(spool, 'intake', id), join(spool, 'intake', `${id}.json`)]) assert.equal(await mode(file), 0o600, file);
  } finally {
    await t.close();
    process.umask(previous);
  }
});

test("the page has a strict CSP with frame-ancestors 'none' (configurable)", async () => {
  const t = await startTestService();
  try {
    for (const path of ['/', '/app.js', '/vendor/tus.min.js']) {
      const res = await http(`${t.url}${path}`);
      assert.equal(res.status, 200, path);
      const csp = h(res, 'content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(h(res, 'x-frame-options'), 'DENY');
    }
  } finally {
    await t.close();
  }
  const embedded = await startTestService({ frameAncestors: 'https://portal.example.com' });
  try {
    const res = await http(`${embedded.url}/`);
    assert.match(h(res, 'content-security-policy') ?? '', /frame-ancestors https:\/\/portal\.example\.com/);
    assert.equal(h(res, 'x-frame-options'), undefined);
  } finally {
    await embedded.close();
  }
});

test('/readyz remembers a failed token check for 30 s: 20 probes, one token request', async () => {
  let now = Date.now();
  const t = await startTestService({ clock: { now: () => now } });
  try {
    const emulator = t.service.emulator!;
    emulator.configure({ clients: [{ id: 'someone-else', secret: 'other-secret-value', permissions: ['files:upload'] }] });
    const tokenRequests = () => emulator.state().counters.token?.requests ?? 0;
    const before = tokenRequests();
    for (let i = 0; i < 20; i += 1) assert.equal((await http(`${t.url}/readyz`)).status, 503);
    assert.equal(tokenRequests() - before, 1);
    now += 31_000;
    assert.equal((await http(`${t.url}/readyz`)).status, 503);
    assert.equal(tokenRequests() - before, 2);
  } finally {
    await t.close();
  }
});

test('a second service on the same state dir refuses to start, naming the pid; a stale lock is taken over', async () => {
  const t = await startTestService();
  try {
    const again = startService({ port: 0, stateDir: join(t.dir, 'state'), spoolDir: join(t.dir, 'spool2'), emulator: { dataDir: join(t.dir, 'e2') }, logLevel: 'silent' });
    await assert.rejects(again, (error: Error & { code?: string }) => error.code === 'config.state_dir_in_use' && error.message.includes(`pid ${process.pid}`));
  } finally {
    await t.close();
  }
  // A lock left by a process that is gone (kill -9) does not stop the next start.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const t2 = await startTestService();
  const stateDir = join(t2.dir, 'state');
  await t2.service.close();
  await writeFile(join(stateDir, 'serve.lock'), `${gone.stdout}\n`);
  const restarted = await startService({ port: 0, stateDir, spoolDir: join(t2.dir, 'spool'), emulator: { dataDir: join(t2.dir, 'emulator') }, logLevel: 'silent' });
  await restarted.close();
  await t2.close();
});

test('a job marked failed by another process while it relays ends delivered with no error', async () => {
  const t = await startTestService();
  try {
    t.service.emulator!.addFault({ route: 'message', action: 'stall', stallMs: 1500, count: 1 });
    const data = randomBytes(5000);
    const uploadUrl = await createUpload(t.url, data.length);
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const id = jobIdOf(uploadUrl);
    await followJob(t.url, id, (job) => job.state === 'relaying');
    // What a second instance on the same dir once did: fail the job under the running relay.
    const script = `
      const db = new (require('better-sqlite3'))(process.argv[1]);
      db.prepare("UPDATE jobs SET state='failed', error_kind='transient', error_code='network.reset', error_message='from elsewhere' WHERE id=?").run(process.argv[2]);
      db.close();
    `;
    const child = spawn(process.execPath, ['-e', script, join(t.dir, 'state', 'jobs.sqlite3'), id], { cwd: ROOT, stdio: 'inherit' });
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    // (Its event stream would end at once: the row already says failed.)
    let end = await getJob(t.url, id);
    for (let i = 0; i < 100 && end.state !== 'delivered'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      end = await getJob(t.url, id);
    }
    assert.equal(end.state, 'delivered');
    assert.equal(end.error, null);
    assert.ok(end.messageId);
  } finally {
    await t.close();
  }
});

test('the default types are common document, image, audio and video types, as the README says', async () => {
  assert.ok(!DEFAULT_ALLOWED_TYPES.includes('application/octet-stream'));
  for (const type of DEFAULT_ALLOWED_TYPES) {
    assert.match(type, /^(image|audio|video|text)\/|^application\/(pdf|rtf|msword|vnd\.(ms-|openxmlformats-officedocument|oasis\.opendocument))/, type);
  }
  const t = await startTestService();
  try {
    const config = (await http(`${t.url}/api/config`)).json as { allowedTypes: string[] };
    assert.deepEqual(config.allowedTypes, [...DEFAULT_ALLOWED_TYPES]);
  } finally {
    await t.close();
  }
});

