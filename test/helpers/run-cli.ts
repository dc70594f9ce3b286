/**
 * Runs the real `genesys-upload` CLI (src/cli/main.ts through tsx) in a child process, as a user
 * would, and collects its output. `waitForStderr` lets a test act at a moment the CLI announces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  child: ChildProcess;
  /** Resolves when stderr has printed a line matching `pattern`. */
  waitForStderr(pattern: RegExp): Promise<string>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}): CliRun {
  // Each run gets its own resume journal: runs never resume each other, and nothing is written
  // to the real HOME (a test that wants a shared journal passes GENESYS_UPLOAD_STATE_DIR).
  const stateDir = mkdtempSync(join(tmpdir(), 'cli-state-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GENESYS_UPLOAD_STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...waiters]) {
      const m = stderr.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      rmSync(stateDir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitForStderr(pattern) {
      const m = stderr.match(pattern);
      if (m) return Promise.resolve(m[0]);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void done.then(() => reject(new Error(`CLI exited before printing ${pattern}; stderr:\n${stderr}`)));
      });
    },
  };
}
