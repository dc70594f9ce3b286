/**
 * The emulator in its own process for the S3 bench: the compiled CLI (`dist/cli/main.js emulator
 * --port 0 --s3-port 0 --data-dir …`) on plain node. Its base URL is the one line on stdout; the
 * S3 endpoint's URL is the `s3: http://…` line on stderr (docs/emulator-s3.md), so both streams
 * are read until both are known.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT, stopChild } from '../lib/children.js';
import { cpuSeconds } from '../lib/proc-stats.js';

export interface S3Emulator {
  baseUrl: string;
  s3Url: string;
  pid: number;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** Every emulator this bench started and has not seen exit: stopped by pid on exit and Ctrl-C. */
const running = new Set<ChildProcess>();

export async function stopEmulators(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

export async function startS3Emulator(dataDir: string, timeoutMs = 60_000): Promise<S3Emulator> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'emulator', '--port', '0', '--s3-port', '0', '--data-dir', dataDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the emulator');
  let stdout = '';
  let stderr = '';
  const urls = await new Promise<{ baseUrl: string; s3Url: string }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the emulator printed no URLs within ${timeoutMs / 1000} s`)), timeoutMs);
    const check = (): void => {
      const baseUrl = /^(https?:\/\/\S+)\s*$/m.exec(stdout)?.[1];
      const s3Url = /^s3: (https?:\/\/\S+)\s*$/m.exec(stderr)?.[1];
      if (baseUrl !== undefined && s3Url !== undefined) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ baseUrl, s3Url });
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`the emulator exited (${code}) before printing its URLs: ${stderr.slice(-500)}`));
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      check();
    });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text.slice(0, 10_000); // only the start matters; keep a chatty log from growing
      check();
    });
    child.once('exit', onExit);
  });
  // Keep draining both streams so the emulator never blocks on a full pipe.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return { ...urls, pid, cpuSeconds: () => cpuSeconds(pid), stop: () => stopChild(child) };
}
