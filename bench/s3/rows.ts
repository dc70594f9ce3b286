/**
 * The S3 bench's rows. Each worker is compiled JavaScript on plain node in its own process and
 * measures itself (bench/lib/measure.mjs); the emulator runs in yet another process and
 * its CPU during a row is the row's server column. Upload rows are checked against the emulator's
 * own view of the stored object (its size and the SHA-256 it computed from the bytes it holds).
 */
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/types.js';
import type { EmulatorState } from '../../src/emulator/types.js';
import { runWorker } from '../lib/children.js';
import type { WorkerReport } from '../lib/self-measure.js';
import { failed, fetchJson, workerTimeoutMs, type RowResult } from '../lib/rows.js';
import { MiB } from '../lib/sizes.js';
import type { S3Emulator } from './emulator.js';

export const BUCKET = 'genesys-uploads';

export interface S3RowContext {
  filePath: string;
  size: number;
  concurrency: number;
  partSize: number;
  /** The file's digest from the one-pass row; uploads are checked against it. */
  sha256?: string;
}

export async function measureHash(context: S3RowContext, mode: 'whole' | 'parts+whole'): Promise<RowResult> {
  const label = mode === 'whole' ? 'SHA-256, one pass' : 'SHA-256 per part + whole (2 passes)';
  try {
    const input = { filePath: context.filePath, partSize: context.partSize, mode };
    const report = await runWorker('bench/s3/workers/hash.mjs', input, workerTimeoutMs(context.size));
    if (report.bytes !== context.size) return { label, report, note: '', error: `read ${report.bytes} of ${context.size} bytes` };
    const note = mode === 'whole' ? `sha256 ${String(report.extra.sha256).slice(0, 12)}…` : `${String(report.extra.parts)} parts of ${context.partSize / MiB} MiB`;
    return { label, report, note: cpuSplit(report, context.size) + note };
  } catch (error) {
    return failed(label, error);
  }
}

/** The floor under any store sending over TCP: that hashing, and the bytes written to loopback sockets. */
export async function measureRawTcp(context: S3RowContext): Promise<RowResult> {
  const label = 'SHA-256 per part + whole, sent over raw TCP';
  try {
    const input = { filePath: context.filePath, partSize: context.partSize, concurrency: context.concurrency };
    const report = await runWorker('bench/s3/workers/raw-tcp.mjs', input, workerTimeoutMs(context.size));
    if (report.bytes !== context.size) return { label, report, note: '', error: `sent ${report.bytes} of ${context.size} bytes` };
    if (context.sha256 !== undefined && report.extra.sha256 !== context.sha256) return { label, report, note: '', error: 'a different SHA-256' };
    return { label, report, note: `${cpuSplit(report, context.size)}${context.concurrency} sockets, no HTTP, to a sink process` };
  } catch (error) {
    return failed(label, error);
  }
}

/** Why the object at `key` is not the file, or undefined when the emulator holds exactly it. */
async function storedProblem(emulator: S3Emulator, context: S3RowContext, key: (k: string) => boolean): Promise<string | undefined> {
  if (context.sha256 === undefined) return 'delivery not verified: the SHA-256 row failed';
  const state = await fetchJson<EmulatorState>(emulator.baseUrl, '/__emulator/state');
  const object = state.s3.buckets.find((bucket) => bucket.name === BUCKET)?.objects.find((o) => key(o.key));
  if (object === undefined) return 'DELIVERY MISMATCH: the emulator holds no such object';
  if (object.size !== context.size || object.sha256 !== context.sha256) {
    return `DELIVERY MISMATCH: the emulator stored ${object.size} bytes with sha256 ${object.sha256}`;
  }
  return undefined;
}

/** "user 1.23 + sys 0.45 CPU-s/GiB": hashing and JS are user time, moving bytes through the kernel is system time. */
export function cpuSplit(report: WorkerReport, size: number): string {
  const { userSeconds, systemSeconds } = report.extra as { userSeconds?: number; systemSeconds?: number };
  if (userSeconds === undefined || systemSeconds === undefined) return '';
  const gib = size / (1024 * MiB);
  return `user ${(userSeconds / gib).toFixed(2)} + sys ${(systemSeconds / gib).toFixed(2)} CPU-s/GiB; `;
}

/** Runs one upload worker, measuring the emulator's CPU across it. */
async function withEmulatorCpu<T>(emulator: S3Emulator, fn: () => Promise<T>): Promise<{ value: T; serverCpuSeconds?: number }> {
  const before = emulator.cpuSeconds();
  const value = await fn();
  const after = emulator.cpuSeconds();
  return { value, serverCpuSeconds: before === undefined || after === undefined ? undefined : after - before };
}

const credentials = { accessKeyId: DEMO_S3_CREDENTIAL.accessKeyId, secretAccessKey: DEMO_S3_CREDENTIAL.secretAccessKey };

export async function measureOurs(context: S3RowContext, emulator: S3Emulator, transport: 'http' | 'undici' = 'http'): Promise<RowResult> {
  const label = `our S3 store (concurrency ${context.concurrency})${transport === 'undici' ? ', undici PUTs (before)' : ''}`;
  try {
    const input = { filePath: context.filePath, endpoint: emulator.s3Url, bucket: BUCKET, ...credentials, concurrency: context.concurrency, partSize: context.partSize, transport };
    const { value: report, serverCpuSeconds } = await withEmulatorCpu(emulator, () => runWorker('bench/s3/workers/ours.mjs', input, workerTimeoutMs(context.size)));
    const extra = report.extra as { sha256: string; verified: boolean; chunks: number; chunkSize: number; retries: number };
    const row: RowResult = {
      label,
      report,
      serverCpuSeconds,
      chunkSize: extra.chunkSize,
      note: `${cpuSplit(report, context.size)}${extra.chunks} parts of ${(extra.chunkSize / MiB).toFixed(2)} MiB, ${extra.retries} retries, composite ${extra.verified ? 'verified' : 'NOT verified'}`,
    };
    if (extra.sha256 !== context.sha256) row.error = `DELIVERY MISMATCH: result sha256 ${extra.sha256}`;
    else if (!extra.verified) row.error = 'the store did not verify the composite checksum';
    else {
      const problem = await storedProblem(emulator, context, (key) => key.startsWith('bench/') && key !== 'bench/lib-storage.bin');
      if (problem !== undefined) row.error = problem;
      else row.note += ', object checked in the emulator';
    }
    return row;
  } catch (error) {
    return failed(label, error);
  }
}

export async function measureLibStorage(context: S3RowContext, emulator: S3Emulator): Promise<RowResult> {
  const label = `lib-storage Upload (queue ${context.concurrency})`;
  try {
    const input = {
      filePath: context.filePath,
      endpoint: emulator.s3Url,
      bucket: BUCKET,
      ...credentials,
      size: context.size,
      queueSize: context.concurrency,
      partSize: context.partSize,
    };
    const { value: report, serverCpuSeconds } = await withEmulatorCpu(emulator, () => runWorker('bench/s3/workers/lib-storage.mjs', input, workerTimeoutMs(context.size)));
    const row: RowResult = {
      label,
      report,
      serverCpuSeconds,
      chunkSize: context.partSize,
      note: `${cpuSplit(report, context.size)}${String(report.extra.parts)} parts of ${context.partSize / MiB} MiB, ChecksumAlgorithm SHA256`,
    };
    const problem = await storedProblem(emulator, context, (key) => key === 'bench/lib-storage.bin');
    if (problem !== undefined) row.error = problem;
    else row.note += ', object checked in the emulator';
    return row;
  } catch (error) {
    return failed(label, error);
  }
}

export interface ImportStep {
  step: string;
  rssMiB: number;
  heapMiB: number;
}

/** RSS after each module the store's process loads before a byte moves (bench/s3/workers/imports.mjs). */
export async function measureImports(emulator: S3Emulator): Promise<ImportStep[] | string> {
  try {
    const report = await runWorker('bench/s3/workers/imports.mjs', { endpoint: emulator.s3Url, bucket: BUCKET, ...credentials }, 60_000);
    return report.extra.steps as ImportStep[];
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** "plain node 41.0 MiB, + the engine 4.0, + undici 15.1, … = 73.5 MiB before the first byte". */
export function renderImports(steps: ImportStep[] | string | undefined): string {
  if (steps === undefined) return '';
  if (typeof steps === 'string') return `Memory before the first byte: not measured (${steps})`;
  const [first, ...rest] = steps;
  if (first === undefined) return '';
  const deltas = rest.map((s, i) => `+ ${s.step} ${(s.rssMiB - (steps[i]?.rssMiB ?? 0)).toFixed(1)}`);
  const last = steps[steps.length - 1] ?? first;
  return `Memory before the first byte (our store's process, RSS MiB): ${first.step} ${first.rssMiB.toFixed(1)}, ${deltas.join(', ')} = ${last.rssMiB.toFixed(1)} MiB`;
}
