/**
 * Child processes of the benchmark: workers that measure themselves and report one JSON line,
 * and servers that print their URL when ready. Every child is registered so that `stopAll` (run
 * on normal exit and on Ctrl-C) can end exactly the processes this benchmark started, by pid.
 * Every wait is bounded by a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './proc-stats.js';
import { REPORT_PREFIX, type WorkerFailure, type WorkerReport } from './self-measure.js';

/** The project root: `--import tsx` resolves from here, and so do the worker paths. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const live = new Set<ChildProcess>();

/** TypeScript sources run through tsx; compiled `.js` (our dist/ CLI) runs on plain node, as users run it. */
function spawnTsx(scriptAndArgs: string[]): ChildProcess {
  const loader = scriptAndArgs[0]?.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, ...scriptAndArgs], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Runs a worker script (path relative to the project root) with one JSON input; returns its report. */
export async function runWorker(script: string, input: unknown, timeoutMs: number): Promise<WorkerReport> {
  const child = spawnTsx([script, JSON.stringify(input)]);
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    const line = stdout.split('\n').find((candidate) => candidate.startsWith(REPORT_PREFIX));
    if (line === undefined) {
      const why = signal === 'SIGKILL' ? `killed after ${timeoutMs / 1000} s` : `exit ${code ?? signal}`;
      throw new Error(`${script} ended without a report (${why})`);
    }
    const report = JSON.parse(line.slice(REPORT_PREFIX.length)) as WorkerReport | WorkerFailure;
    if (!report.ok) throw new Error(`${script} failed: ${report.error}`);
    return report;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the compiled `genesys-upload` CLI with bench/workers/cli-usage.mjs preloaded, which reports
 * the process's own usage on stderr; returns that report with the CLI's last stdout line (its
 * --json result) as `extra.result`.
 */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<WorkerReport> {
  const child = spawn(process.execPath, ['--import', './bench/workers/cli-usage.mjs', 'dist/cli/main.js', ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', () => resolve());
    });
    const line = stderr.split('\n').find((candidate) => candidate.startsWith(REPORT_PREFIX));
    if (line === undefined) throw new Error(`the CLI ended without a usage report; stderr:\n${stderr.slice(-2000)}`);
    const report = JSON.parse(line.slice(REPORT_PREFIX.length)) as WorkerReport | WorkerFailure;
    if (!report.ok) throw new Error(`${report.error}; stderr:\n${stderr.slice(-2000)}`);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const result = (last.startsWith('{') ? JSON.parse(last) : {}) as { size?: number };
    return { ...report, bytes: result.size ?? 0, extra: { result } };
  } finally {
    clearTimeout(timer);
  }
}

export interface RunningServer {
  url: string;
  pid: number;
  /** User + system CPU seconds this server has used so far (from /proc), or undefined off Linux. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** Starts a server script with arguments and waits for the `http://host:port` line on its stdout. */
export async function startServer(args: string[], timeoutMs: number): Promise<RunningServer> {
  const child = spawnTsx(args);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${args.join(' ')}`);
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`${args[0]} printed no URL within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (text: string): void => {
      buffered += text;
      const match = /^(https?:\/\/\S+)\s*$/m.exec(buffered);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`${args[0]} exited (${code}) before printing its URL`));
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stdout so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  return { url, pid, cpuSeconds: () => cpuSeconds(pid), stop: () => stopChild(child) };
}

/** Ends one child: SIGTERM, then SIGKILL if it has not exited within 3 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/** Ends every child this benchmark started and has not yet seen exit. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map(stopChild));
}
