// The worker side of a measurement, in plain JavaScript so that every bench worker can use it:
// those run by tsx (through self-measure.ts) and the S3 bench's compiled ones on plain node (no
// tsx loader thread in their RSS). Each worker runs one operation inside `measureSelf`, which times
// it (wall clock, this process's user and system CPU) and reports, as one JSON line on stdout,
// those numbers with the process's peak RSS. Measuring inside the process that does the work keeps
// other processes (servers, the orchestrator) out of the figures. Types: measure.d.mts.
const MiB = 1024 * 1024;

/** Marks the result line so stray output on stdout cannot be mistaken for it. */
export const REPORT_PREFIX = 'BENCH-REPORT ';

/** Reads the worker's single JSON argument (what the orchestrator passed). */
export function readWorkerInput() {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('this bench worker expects one JSON argument');
  return JSON.parse(raw);
}

/** Runs `operation`, measures it, prints the report line; a failure prints `{ok:false}` and exits 1. */
export async function measureSelf(operation) {
  const startRssMiB = process.memoryUsage().rss / MiB;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  try {
    const outcome = await operation();
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const report = {
      ok: true,
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      // resourceUsage().maxRSS is in KiB on Linux.
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      startRssMiB,
      bytes: outcome.bytes,
      // The user/system split tells hashing (user) from moving bytes through the kernel (system).
      extra: { ...outcome.extra, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6 },
    };
    process.stdout.write(REPORT_PREFIX + JSON.stringify(report) + '\n');
  } catch (error) {
    process.stdout.write(REPORT_PREFIX + JSON.stringify({ ok: false, error: describeError(error) }) + '\n');
    process.exitCode = 1;
  }
}

function describeError(error) {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
