/**
 * The worker side of a measurement: each bench worker runs one operation inside `measureSelf`,
 * which times it (wall clock, this process's user+system CPU) and reports, as one JSON line on
 * stdout, those numbers with the process's peak RSS. Measuring inside the process that does the
 * work keeps other processes (servers, the orchestrator) out of the figures.
 */
import { MiB } from './sizes.js';

/** Marks the result line so stray output on stdout cannot be mistaken for it. */
export const REPORT_PREFIX = 'BENCH-REPORT ';

export interface WorkerOutcome {
  /** Bytes the operation moved or read. */
  bytes: number;
  /** Anything else the orchestrator needs (a digest, the upload result...). */
  extra?: Record<string, unknown>;
}

export interface WorkerReport {
  ok: true;
  wallSeconds: number;
  /** User + system CPU spent during the operation only (module loading excluded). */
  cpuSeconds: number;
  /** Peak resident set over the process's whole life (includes Node and tsx themselves). */
  maxRssMiB: number;
  /** Resident set just before the operation started: what Node + tsx + imports cost. */
  startRssMiB: number;
  bytes: number;
  extra: Record<string, unknown>;
}

export interface WorkerFailure {
  ok: false;
  error: string;
}

/** Reads the worker's single JSON argument (what the orchestrator passed). */
export function readWorkerInput<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('this bench worker expects one JSON argument');
  return JSON.parse(raw) as T;
}

/** Runs `operation`, measures it, prints the report line; a failure prints `{ok:false}` and exits 1. */
export async function measureSelf(operation: () => Promise<WorkerOutcome>): Promise<void> {
  const startRssMiB = process.memoryUsage().rss / MiB;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  try {
    const outcome = await operation();
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const report: WorkerReport = {
      ok: true,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      // resourceUsage().maxRSS is in KiB on Linux.
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      startRssMiB,
      bytes: outcome.bytes,
      extra: outcome.extra ?? {},
    };
    process.stdout.write(REPORT_PREFIX + JSON.stringify(report) + '\n');
  } catch (error) {
    const failure: WorkerFailure = { ok: false, error: describeError(error) };
    process.stdout.write(REPORT_PREFIX + JSON.stringify(failure) + '\n');
    process.exitCode = 1;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
