/**
 * `send` on inputs and state directories that cannot work (issue 8 §4), as a user meets them: a
 * real CLI process against the emulator on 127.0.0.1:0.
 *
 * - A FIFO (a real one, mkfifo) or a device is refused with exit 2 before it is opened: opening a
 *   FIFO for reading would block forever.
 * - A state directory on a read-only file system, and a full disk under the journal, are reported
 *   as the first error with exit 2, naming the state directory and the real cause (EROFS, not
 *   ENOENT; SQLITE_FULL), never exit 1 with a stack trace.
 *
 * How the faults are made: real tmpfs mounts (`mount -t tmpfs -o size=…[,ro]`), which need root
 * and a kernel that lets this process mount (a container may not). Tests run as root, where a
 * chmod 0555 directory would not stop a write. When mounting is refused, the read-only case falls
 * back to chmod 0555 if we are not root (then it does stop writes: EACCES), and the full-disk
 * cases are skipped with the reason printed; there is no fault-injection seam in the journal.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, DEMO_CLIENT, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCli } from '../helpers/run-cli.js';

let emulator: EmulatorHandle;
let dir: string;
let file: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'send-storage-'));
  file = join(dir, 'data.bin');
  writeFileSync(file, randomBytes(3 * 1024 * 1024 + 5));
  emulator = await startEmulator({ chunkSize: 1024 * 1024, singleChunkMaxSize: 0 });
});

after(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { GENESYS_CLIENT_ID: DEMO_CLIENT.id, GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret, GENESYS_BASE_URL: emulator.url, ...extra };
}

/** Mounts a tmpfs at a new directory; undefined (and why) when this process may not mount. */
function tmpfs(t: TestContext, options: string): { path: string } | { refused: string } {
  const path = mkdtempSync(join(dir, 'mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    return { refused: String((error as { stderr?: Buffer }).stderr ?? error).trim() || 'mount failed' };
  }
  t.after(() => execFileSync('umount', ['-l', path], { stdio: 'ignore' }));
  return { path };
}

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /unexpected failure|please report it|\n\s+at /, `no stack trace:\n${stderr}`);
}

test('a FIFO is refused with exit 2 before it is opened (it would block forever)', async () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  for (const args of [[], ['--no-journal']]) {
    const started = Date.now();
    const { code, stderr, signal } = await runCli(['send', fifo, '--to', 'x', ...args], env()).done;
    assert.equal(signal, null);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /is a FIFO \(named pipe\), not a regular file/);
    assert.ok(Date.now() - started < 20_000);
  }
  assert.equal(emulator.state().counters.initiate?.requests ?? 0, 0, 'nothing was sent');
});

test('a character device is refused with exit 2 (and --json says so)', async () => {
  const { code, stdout, stderr } = await runCli(['send', '/dev/zero', '--to', 'x', '--json'], env()).done;
  assert.equal(code, 2, stderr);
  assert.match(stderr, /\/dev\/zero is a device, not a regular file/);
  const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(last.error.code, 'input.not_a_file');
});

test('a state dir on a read-only file system: exit 2 naming the dir and EROFS, not ENOENT', async (t) => {
  const mount = tmpfs(t, 'size=1m,ro');
  let base: string;
  let cause: RegExp;
  if ('path' in mount) {
    base = mount.path;
    cause = /EROFS: read-only file system/;
  } else {
    if (process.getuid?.() === 0) return t.skip(`cannot mount a read-only tmpfs here (${mount.refused}), and as root chmod does not stop writes`);
    base = mkdtempSync(join(dir, 'ro-'));
    chmodSync(base, 0o555);
    cause = /EACCES: permission denied/;
  }
  // Two levels missing: mkdir's `recursive` would say ENOENT here.
  const stateDir = join(base, 'deeper', 'state');
  const { code, stderr } = await runCli(['send', file, '--to', 'x', '--state-dir', stateDir], env()).done;
  assert.equal(code, 2, stderr);
  assertNoStack(stderr);
  assert.ok(stderr.includes(`The resume journal in ${stateDir} cannot be written`), stderr);
  assert.match(stderr, cause);
  assert.doesNotMatch(stderr, /ENOENT/);
  assert.match(stderr, /--state-dir .*--no-journal/);
});

test('an existing state dir whose file system turned read-only: exit 2 with EROFS and SQLITE_CANTOPEN', async (t) => {
  const mount = tmpfs(t, 'size=1m');
  if (!('path' in mount)) return t.skip(`cannot mount a tmpfs here (${mount.refused})`);
  const stateDir = join(mount.path, 'state');
  mkdirSync(stateDir);
  execFileSync('mount', ['-o', 'remount,ro', mount.path]);
  const { code, stderr } = await runCli(['send', file, '--to', 'x', '--state-dir', stateDir, '--json'], env()).done;
  assert.equal(code, 2, stderr);
  assertNoStack(stderr);
  assert.match(stderr, /EROFS: read-only file system; SQLITE_CANTOPEN/);
});

test('a full disk when the journal is created: exit 2 naming the dir and SQLITE_FULL', async (t) => {
  const mount = tmpfs(t, 'size=64k');
  if (!('path' in mount)) return t.skip(`cannot mount a small tmpfs here (${mount.refused})`);
  const stateDir = join(mount.path, 'state');
  const { code, stderr, stdout } = await runCli(['send', file, '--to', 'x', '--state-dir', stateDir, '--json'], env()).done;
  assert.equal(code, 2, stderr);
  assertNoStack(stderr);
  assert.ok(stderr.includes(`The resume journal in ${stateDir} cannot be written: the disk is full (SQLITE_FULL)`), stderr);
  assert.equal(JSON.parse(stdout.trim().split('\n').at(-1)!).error.code, 'journal.disk_full');
});

/** Fills the file system at `path` to the last byte. */
function fill(path: string): void {
  const fd = openSync(join(path, 'filler'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

test('a disk that fills up during the send: the first error is reported (exit 2, SQLITE_FULL), not a clean-up one', async (t) => {
  const mount = tmpfs(t, 'size=512k');
  if (!('path' in mount)) return t.skip(`cannot mount a small tmpfs here (${mount.refused})`);
  const stateDir = join(mount.path, 'state');
  // The first segment PUT stalls: the journal is open and the entry written; then the disk fills.
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 1500, count: 1 });
  t.after(() => emulator.clearFaults());
  const run = runCli(['send', file, '--to', 'x', '--state-dir', stateDir, '--concurrency', '1'], env());
  await run.waitForStderr(/./).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 700));
  fill(mount.path);
  const { code, stderr } = await run.done;
  assert.equal(code, 2, stderr);
  assertNoStack(stderr);
  assert.match(stderr, /the disk is full \(SQLITE_FULL\)/);
  assert.ok(stderr.includes(stateDir), stderr);
});
