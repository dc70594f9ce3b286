/**
 * The test runner's preflight (scripts/preflight.mjs, issue 8 §2): with browser tests selected and
 * no Chromium, it installs Debian's package when it can do so without a prompt, and otherwise fails
 * at once (exit 1, before any test runs) with the one command that fixes it. Never a silent skip.
 *
 * Real processes, nothing uninstalled: the runner runs with a PATH of fakes (no chromium; a `sudo`
 * that asks for a password or one that lets anything through; an `apt-get` that records its calls
 * and "installs" a stub chromium). When these tests run as root, the runner runs as `nobody`
 * (uid 65534), so "not root" is real, not simulated; it runs from a world-readable copy of
 * scripts/ with the real browser test file and a stand-in unit test, since nobody may not be able
 * to read the checkout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';

const repo = new URL('../..', import.meta.url).pathname;
const FIX = 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium';
const asRoot = process.getuid?.() === 0;

interface Fakes {
  bin: string;
  aptLog: string;
  /** A world-readable copy of the runner with two stand-in test files (the checkout may not be readable by nobody). */
  root: string;
}

/** A world-writable temp dir of fake executables (the runner may run as nobody). */
function fakes(t: TestContext, sudo: 'password' | 'passwordless' | 'none'): Fakes {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o777);
  const bin = join(dir, 'bin');
  const aptLog = join(dir, 'apt.log');
  const write = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  mkdirSync(bin);
  chmodSync(bin, 0o777);
  const root = join(dir, 'repo');
  for (const sub of ['scripts', 'test/e2e', 'test/unit']) mkdirSync(join(root, sub), { recursive: true });
  for (const script of ['run-tests.mjs', 'preflight.mjs']) copyFileSync(join(repo, 'scripts', script), join(root, 'scripts', script));
  // The runner decides by what a file imports, as it does for test/e2e/page.test.ts.
  writeFileSync(join(root, 'test/e2e/page.test.ts'), readFileSync(join(repo, 'test/e2e/page.test.ts'), 'utf8'));
  writeFileSync(join(root, 'test/unit/sanitize-file-name.test.ts'), "import { test } from 'node:test';\ntest('x', () => {});\n");
  spawnSync('chmod', ['-R', 'a+rX', root]);
  // apt-get: record the call (with DEBIAN_FRONTEND), and on install put a stub chromium on PATH.
  write(
    'apt-get',
    `echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> ${aptLog}\n` +
      `case "$*" in *install*chromium*) printf '#!/bin/sh\\necho Chromium 1.0\\n' > ${bin}/chromium; /bin/chmod 755 ${bin}/chromium;; esac`,
  );
  if (sudo === 'password') write('sudo', 'echo "sudo: a password is required" >&2; exit 1');
  if (sudo === 'passwordless') write('sudo', '[ "$1" = "-n" ] && shift; [ "$1" = "true" ] && exit 0; [ "$1" = "env" ] && shift; exec /usr/bin/env "$@"');
  return { bin, aptLog, root };
}

function runner(root: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 30_000,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

test('not root, sudo wants a password: exit 1 at once with the fixing command, no test run, nothing installed', (t) => {
  const { bin, aptLog, root } = fakes(t, 'password');
  const res = runner(root, ['e2e/page'], { PATH: bin });
  assert.equal(res.status, 1, res.stderr);
  assert.ok(res.stderr.includes(FIX), res.stderr);
  assert.match(res.stderr, /test\/e2e\/page\.test\.ts needs Chromium/);
  assert.match(res.stderr, /sudo asks for a password/);
  assert.doesNotMatch(res.stderr, /test files/, 'the test run never started');
  assert.equal(res.stdout, '', 'no TAP output: no test ran');
  assert.equal(existsSync(aptLog), false, 'apt-get was not called');
});

test('not root and no sudo at all: the same failure, naming the reason', (t) => {
  const { bin, root } = fakes(t, 'none');
  const res = runner(root, ['--preflight-only', 'e2e/page'], { PATH: bin });
  assert.equal(res.status, 1);
  assert.ok(res.stderr.includes(FIX), res.stderr);
  assert.match(res.stderr, /no sudo/);
});

test('no apt-get: fails with how to point CHROMIUM_PATH at a browser', (t) => {
  const { bin, root } = fakes(t, 'none');
  rmSync(join(bin, 'apt-get'));
  const res = runner(root, ['--preflight-only', 'e2e/page'], { PATH: bin });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /no apt-get/);
  assert.match(res.stderr, /CHROMIUM_PATH=/);
});

test('passwordless sudo: installs Debian chromium non-interactively, showing progress, then passes', (t) => {
  const { bin, aptLog, root } = fakes(t, 'passwordless');
  const res = runner(root, ['--preflight-only', 'e2e/page'], { PATH: bin });
  assert.equal(res.status, 0, res.stderr);
  assert.deepEqual(readFileSync(aptLog, 'utf8').trim().split('\n'), [
    'DEBIAN_FRONTEND=noninteractive update',
    'DEBIAN_FRONTEND=noninteractive install -y --no-install-recommends chromium',
  ]);
  assert.match(res.stderr, /installing Debian's chromium/);
  assert.match(res.stderr, /\$ sudo apt-get install -y --no-install-recommends chromium/);
  assert.match(res.stderr, new RegExp(`installed ${join(bin, 'chromium')}`));
  assert.match(res.stderr, /preflight passed/);
});

test('a failing apt-get is a failure, not a skip', (t) => {
  const { bin, root } = fakes(t, 'passwordless');
  writeFileSync(join(bin, 'apt-get'), '#!/bin/sh\necho "E: Unable to locate package chromium" >&2\nexit 100\n');
  const res = runner(root, ['--preflight-only', 'e2e/page'], { PATH: bin });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /installing Chromium failed \(`apt-get update` exited 100\)/);
  assert.ok(res.stderr.includes(FIX));
});

test('CHROMIUM_PATH naming an executable, or no browser test selected: nothing to do', (t) => {
  const { bin, aptLog, root } = fakes(t, 'password');
  const stub = join(bin, 'my-chrome');
  writeFileSync(stub, '#!/bin/sh\n');
  chmodSync(stub, 0o755);
  assert.equal(runner(root, ['--preflight-only', 'e2e/page'], { PATH: bin, CHROMIUM_PATH: stub }).status, 0);
  assert.equal(runner(root, ['--preflight-only', 'unit/sanitize'], { PATH: bin }).status, 0);
  assert.equal(existsSync(aptLog), false);
});
