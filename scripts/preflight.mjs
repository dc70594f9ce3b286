// The test runner's preflight: what the selected test files need from the machine, checked before
// any test runs, so `npm test` on a fresh machine either provides it or fails at once with the one
// command that fixes it. Never a silent skip: a skipped browser test proves nothing.
//
// Today the only such need is a real Chromium for the end-to-end tests (driven by playwright-core).
// When it is missing and this machine can install Debian's package without asking anyone (root,
// or passwordless sudo, and apt-get), it is installed here, with apt's own progress on stderr.
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** A test file needs a browser when it drives one: it imports playwright-core or the e2e browser helper. */
const BROWSER_IMPORT = /from\s+['"](?:playwright-core|\.{1,2}\/(?:e2e\/)?browser\.js)['"]/;

export function needsBrowser(files, root) {
  return files.filter((file) => BROWSER_IMPORT.test(readFileSync(join(root, file), 'utf8')));
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `command -v NAME` without a shell: the first executable NAME in PATH, or undefined. */
export function which(name, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** CHROMIUM_PATH when it names an executable, else `chromium` (or `chromium-browser`) on PATH. */
export function findChromium(env) {
  if (env.CHROMIUM_PATH && isExecutable(env.CHROMIUM_PATH)) return env.CHROMIUM_PATH;
  return which('chromium', env) ?? which('chromium-browser', env);
}

const APT_INSTALL = ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium'];
const FIX_DEBIAN = 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium';

/**
 * How this process could run apt-get as root without a prompt: directly (uid 0) or through
 * `sudo -n` (passwordless sudo); else why not.
 */
function rootRunner(env, uid) {
  if (which('apt-get', env) === undefined) return { why: 'this is not a Debian/Ubuntu machine (no apt-get)' };
  if (uid === 0) return { runner: [] };
  const sudo = which('sudo', env);
  if (sudo === undefined) return { why: 'the tests do not run as root and there is no sudo' };
  const probe = spawnSync(sudo, ['-n', 'true'], { env, stdio: 'ignore', timeout: 10_000 });
  if (probe.status !== 0) return { why: 'the tests do not run as root and sudo asks for a password' };
  return { runner: [sudo, '-n'] };
}

function failure(reason, env) {
  const fix = which('apt-get', env) !== undefined
    ? `Install it with:\n\n    ${FIX_DEBIAN}\n\nthen run the tests again`
    : 'Install Chromium (or Google Chrome) and run the tests again with CHROMIUM_PATH=/path/to/its/executable';
  return {
    ok: false,
    message:
      `run-tests: ${reason}\n` +
      `The end-to-end tests drive a real Chromium, and none was found (no executable CHROMIUM_PATH, no \`chromium\` on PATH).\n` +
      `${fix} (or select other tests: npm test -- <substring>).`,
  };
}

/**
 * Checks (and where possible provides) what the selected files need. Returns {ok: true, env} with
 * the environment the tests should run with (CHROMIUM_PATH set to the browser found), or
 * {ok: false, message} to print before exiting 1. `log` receives progress lines.
 */
export function preflight({ files, root, env = process.env, uid = process.getuid?.() ?? -1, log = (line) => process.stderr.write(`${line}\n`) }) {
  const browserFiles = needsBrowser(files, root);
  if (browserFiles.length === 0) return { ok: true, env };
  let chromium = findChromium(env);
  if (chromium === undefined) {
    const { runner, why } = rootRunner(env, uid);
    if (runner === undefined) {
      return failure(`${browserFiles.join(', ')} need${browserFiles.length === 1 ? 's' : ''} Chromium, which is not installed, and it cannot be installed for you here: ${why}.`, env);
    }
    log(`run-tests: ${browserFiles.join(', ')} need${browserFiles.length === 1 ? 's' : ''} Chromium; installing Debian's chromium package (apt-get, non-interactive)…`);
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    // Through sudo, `env` carries DEBIAN_FRONTEND past sudo's environment reset.
    const prefix = runner.length === 0 ? [] : [...runner, 'env', 'DEBIAN_FRONTEND=noninteractive'];
    for (const args of [['apt-get', 'update'], APT_INSTALL]) {
      const [command, ...rest] = [...prefix, ...args];
      log(`run-tests: $ ${[...(runner.length === 0 ? [] : ['sudo']), ...args].join(' ')}`);
      const result = spawnSync(command, rest, { env: aptEnv, stdio: ['ignore', 2, 2] });
      if (result.status !== 0) {
        return failure(`installing Chromium failed (\`${args.join(' ')}\` exited ${result.status ?? result.signal ?? result.error?.message}).`, env);
      }
    }
    chromium = findChromium(env) ?? (isExecutable('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
    if (chromium === undefined) return failure('apt-get installed chromium, yet no `chromium` executable is on PATH.', env);
    log(`run-tests: installed ${chromium}`);
  }
  return { ok: true, env: { ...env, CHROMIUM_PATH: chromium } };
}
