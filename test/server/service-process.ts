/**
 * The service as a child process (`genesys-upload serve`), for the tests that kill it: its URL
 * once it listens, and its stderr (the JSON log) so far. `withServiceRig` holds what every such
 * test sets up and tears down the same way: a temp dir, an emulator in the test process (so that
 * it outlives the service), and the children started, killed at the end if still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../src/emulator/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  process: ChildProcess;
  url: string;
  stderr: () => string;
}

export async function startServiceProcess(args: string[], env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^(http:\/\/\S+)\n/.exec(stdout);
      if (line) resolve(line[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before printing its URL:\n${stderr}`)));
  });
  return { process: child, url, stderr: () => stderr };
}

/** SIGKILL, and wait until the process is gone. */
export async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await once(child.process, 'exit');
}

/** SIGTERM, and the exit code once the process stopped. */
export async function stopService(child: Child): Promise<number | null> {
  child.process.kill('SIGTERM');
  const [code] = (await once(child.process, 'exit')) as [number | null];
  return code;
}

export interface ServiceRig {
  dir: string;
  emulator: EmulatorHandle;
  /** Starts `serve` with these args and env; the child is killed at the end if still running. */
  start: (args: string[], env: Record<string, string>) => Promise<Child>;
}

/** Runs `body` with a temp dir (prefix `prefix`), an emulator whose data lives in it, and `start`. */
export async function withServiceRig(prefix: string, emulatorOptions: StartEmulatorOptions, body: (rig: ServiceRig) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const emulator = await startEmulator({ dataDir: join(dir, 'emulator'), ...emulatorOptions });
  const children: ChildProcess[] = [];
  const start = async (args: string[], env: Record<string, string>): Promise<Child> => {
    const child = await startServiceProcess(args, env);
    children.push(child.process);
    return child;
  };
  try {
    await body({ dir, emulator, start });
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
