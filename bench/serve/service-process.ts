/**
 * The service under test, in its own process: `genesys-upload serve` (src/cli/main.ts through tsx),
 * stdout read for its URL line, its JSON log on stderr written to a file (so a failed run can show
 * its tail, and the embedded emulator's URL can be read from it). Stopped by pid, SIGTERM first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { PROJECT_ROOT, stopChild } from '../lib/children.js';

export interface ServiceProcess {
  url: string;
  pid: number;
  logPath: string;
  /** The embedded emulator's URL, from the service's log line (with --emulator). */
  emulatorUrl(): string | undefined;
  /** The last lines of the service's log, for an error report. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();

export async function startServiceProcess(
  args: string[],
  options: { logPath: string; timeoutMs: number; env?: Record<string, string> },
): Promise<ServiceProcess> {
  const { logPath, timeoutMs } = options;
  const logFd = openSync(logPath, 'a');
  // BENCH_SERVICE_NODE_ARGS: extra node flags for the service alone (e.g. --cpu-prof, not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/main.ts', 'serve', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', logFd],
  });
  closeSync(logFd);
  started.add(child);
  child.once('exit', () => started.delete(child));
  const pid = child.pid;
  const logTail = (lines = 20): string => {
    try {
      return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  if (pid === undefined) throw new Error('could not start the service');
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- service log ---\n${logTail()}`));
    };
    const timer = setTimeout(() => fail(new Error(`the service printed no URL within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (text: string): void => {
      buffered += text;
      const match = /^(https?:\/\/\S+)\s*$/m.exec(buffered);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(match[1]);
    };
    const onExit = (code: number | null): void => fail(new Error(`the service exited (${code}) before printing its URL`));
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
  // BENCH_SERVICE_STDOUT: a file for what the service prints after its URL (e.g. --trace-gc lines).
  const stdoutPath = process.env.BENCH_SERVICE_STDOUT;
  if (stdoutPath !== undefined && stdoutPath !== '') child.stdout?.on('data', (text: string) => appendFileSync(stdoutPath, text));
  child.stdout?.resume();
  return {
    url,
    pid,
    logPath,
    emulatorUrl() {
      const match = /"emulator":"(https?:\/\/[^"]+)"/.exec(readFileSync(logPath, 'utf8'));
      return match?.[1];
    },
    logTail,
    stop: () => stopChild(child),
  };
}

/** Stops every service this module started that is still running. */
export async function stopServices(): Promise<void> {
  await Promise.all([...started].map(stopChild));
}
