/**
 * Runs the CLI in a child process for resume tests, through the real entry point: the built
 * dist/cli/main.js when it is at least as new as every source file (it starts in ~0.2 s), else
 * src/cli/main.ts through tsx (~0.6 s more per start).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = join(dir, d.name);
    if (d.isDirectory()) return sources(full);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** True when dist/ holds a build newer than every file under src/. */
export function distIsFresh(): boolean {
  try {
    return sources(join(ROOT, 'src')).every((file) => {
      const built = join(ROOT, 'dist', relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
      return statSync(built).mtimeMs >= statSync(file).mtimeMs;
    });
  } catch {
    return false;
  }
}

let fresh: boolean | undefined;

/** argv (after the node binary) that runs the CLI with `args`. */
export function cliArgs(args: string[]): string[] {
  fresh ??= distIsFresh();
  return fresh ? [join(ROOT, 'dist/cli/main.js'), ...args] : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args];
}

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr has printed a line matching `pattern`. */
  waitForStderr(pattern: RegExp): Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** SIGKILL, then wait until the process is gone. */
  kill9(): Promise<void>;
}

export function runCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, cliArgs(args), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const w of [...waiters]) {
      if (w.pattern.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stdout: out, stderr: err }));
  return {
    child,
    done,
    stdout: () => out,
    stderr: () => err,
    waitForStderr(pattern) {
      if (pattern.test(err)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`the CLI exited before printing ${pattern}; stderr:\n${err}`)));
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await done;
    },
  };
}

/** Resolves once `condition` holds, checking on every turn of the event loop's timers. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
