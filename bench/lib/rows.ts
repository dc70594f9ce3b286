/**
 * One function per table row: each starts what the row needs (a server in its own process), runs
 * the row's worker in another process, checks that every byte was delivered, and returns the
 * row. A row that breaks returns `error` instead of throwing, so the other rows still print.
 */
import { runWorker, startServer, type RunningServer } from './children.js';
import type { WorkerReport } from './self-measure.js';
import { MiB } from './sizes.js';

export interface RowContext {
  filePath: string;
  size: number;
  concurrency: number;
  /** Where per-row scratch data (the emulator's data dir) goes. */
  scratchDir: string;
  keep: boolean;
  /** The file's digest from the SHA-256 row; delivery checks compare against it. */
  sha256?: string;
}

export interface RowResult {
  label: string;
  report?: WorkerReport;
  /** CPU the row's server process used during the run (the emulator, a discard server). */
  serverCpuSeconds?: number;
  note: string;
  /** Set when the row could not be measured or delivered wrong bytes: the run exits 1. */
  error?: string;
  /** Our client's chunk size, for the RSS target. */
  chunkSize?: number;
}

/** Per-worker time limit: generous, but a hung worker cannot stall the run forever. */
export function workerTimeoutMs(size: number): number {
  return 120_000 + (size / (5 * MiB)) * 1000;
}

const SERVER_START_TIMEOUT_MS = 60_000;

export function failed(label: string, error: unknown): RowResult {
  return { label, note: '', error: error instanceof Error ? error.message : String(error) };
}

/** Runs `fn` against a freshly started server, measuring the server's CPU across it; always stops it. */
export async function withServer<T>(
  args: string[],
  fn: (server: RunningServer) => Promise<T>,
): Promise<{ value: T; serverCpuSeconds?: number }> {
  const server = await startServer(args, SERVER_START_TIMEOUT_MS);
  try {
    const before = server.cpuSeconds();
    const value = await fn(server);
    const after = server.cpuSeconds();
    return { value, serverCpuSeconds: before === undefined || after === undefined ? undefined : after - before };
  } finally {
    await server.stop();
  }
}

export async function fetchJson<T>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as T;
}

export async function measureSha256(context: RowContext): Promise<RowResult> {
  const label = 'SHA-256, 1 process';
  try {
    const report = await runWorker('bench/workers/sha256.ts', { filePath: context.filePath }, workerTimeoutMs(context.size));
    if (report.bytes !== context.size) return { label, report, note: '', error: `read ${report.bytes} of ${context.size} bytes` };
    return { label, report, note: `sha256 ${String(report.extra.sha256).slice(0, 12)}…` };
  } catch (error) {
    return failed(label, error);
  }
}

export async function measureRawPut(context: RowContext): Promise<RowResult> {
  const label = 'raw PUT (undici, 1 request)';
  try {
    const { value, serverCpuSeconds } = await withServer(['bench/workers/discard-server.ts'], async (server) => {
      const input = { filePath: context.filePath, url: server.url, size: context.size };
      const report = await runWorker('bench/workers/raw-put.ts', input, workerTimeoutMs(context.size));
      return { report, stats: await fetchJson<{ bytesReceived: number }>(server.url, '/__bench/stats') };
    });
    const { report, stats } = value;
    const row: RowResult = { label, report, serverCpuSeconds, note: 'no hashing, no chunking' };
    if (stats.bytesReceived !== context.size) row.error = `server received ${stats.bytesReceived} of ${context.size} bytes`;
    return row;
  } catch (error) {
    return failed(label, error);
  }
}

interface S3Stats {
  completedBytes: number;
  putObjectBytes: number;
  parts: number;
  payloadSigning: Record<string, number>;
}

export async function measureLibStorage(context: RowContext): Promise<RowResult> {
  const label = `lib-storage Upload (queue ${context.concurrency})`;
  try {
    const { value, serverCpuSeconds } = await withServer(['bench/workers/s3-discard-server.ts'], async (server) => {
      const input = { filePath: context.filePath, url: server.url, size: context.size, queueSize: context.concurrency };
      const report = await runWorker('bench/workers/lib-storage.ts', input, workerTimeoutMs(context.size));
      return { report, stats: await fetchJson<S3Stats>(server.url, '/__bench/stats') };
    });
    const { report, stats } = value;
    const signing = Object.entries(stats.payloadSigning).map(([kind, count]) => `${kind} x${count}`).join(', ');
    const row: RowResult = { label, report, serverCpuSeconds, note: `${stats.parts} parts of 5 MiB; payload: ${signing}` };
    const received = stats.completedBytes + stats.putObjectBytes;
    if (received !== context.size) row.error = `server received ${received} of ${context.size} bytes`;
    return row;
  } catch (error) {
    return failed(label, error);
  }
}
