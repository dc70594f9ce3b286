// The S3 bench's workers run compiled JavaScript on plain node (no tsx loader thread in their
// RSS), so they cannot import bench/lib/self-measure.ts; this is the same measurement in the same
// report format (one `BENCH-REPORT {json}` line on stdout), which bench/lib/children.ts reads.
const PREFIX = 'BENCH-REPORT ';
const MiB = 1024 * 1024;

export function workerInput() {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('this bench worker expects one JSON argument');
  return JSON.parse(raw);
}

/** Runs `operation` (→ {bytes, extra}), measures wall, user+system CPU and peak RSS around it. */
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
      maxRssMiB: process.resourceUsage().maxRSS / 1024, // KiB on Linux
      startRssMiB,
      bytes: outcome.bytes,
      // The user/system split tells hashing (user) from moving bytes through the kernel (system).
      extra: { ...outcome.extra, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6 },
    };
    process.stdout.write(PREFIX + JSON.stringify(report) + '\n');
  } catch (error) {
    const cause = error?.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    const message = error instanceof Error ? `${error.name}: ${error.message}${cause}` : String(error);
    process.stdout.write(PREFIX + JSON.stringify({ ok: false, error: message }) + '\n');
    process.exitCode = 1;
  }
}
