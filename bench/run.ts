/**
 * `npm run bench [-- --size 1GiB | --sizes 1GiB,4GiB] [--concurrency 4] [--keep] [--json]`
 *
 * Measures our upload client end to end against the local emulator, next to three baselines on
 * the same file: single-process SHA-256, one raw streamed PUT, and `@aws-sdk/lib-storage` to an
 * S3-compatible sink. Every measured thing and every server runs in its own child process and
 * measures itself. Prints one table and the targets' verdicts. Exit status: 0 when every row was
 * measured and delivered the right bytes (targets are reported, not enforced), 1 when something
 * broke, 2 on a bad flag, 130 on Ctrl-C.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBenchArgs, USAGE, type BenchOptions } from './lib/args.js';
import { PROJECT_ROOT, stopAll } from './lib/children.js';
import { measureHarnessOverhead, type HarnessOverhead } from './lib/harness-overhead.js';
import { writeTestFile } from './lib/make-file.js';
import { measureOurClient } from './lib/our-client-row.js';
import { measureLibStorage, measureRawPut, measureSha256, type RowContext, type RowResult } from './lib/rows.js';
import { formatSize, GiB, MiB } from './lib/sizes.js';
import { fixed, renderTable, type Cell } from './lib/table.js';
import {
  cpuTarget,
  renderChecks,
  rssStabilityTarget,
  rssTarget,
  throughputTarget,
  type CpuCeiling,
  type TargetCheck,
} from './lib/targets.js';

interface SizeRun {
  size: number;
  label: string;
  rows: RowResult[];
  checks: TargetCheck[];
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

let options: BenchOptions | undefined;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  log(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === undefined) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const opts: BenchOptions = options;

const tempDir = await mkdtemp(join(tmpdir(), 'genesys-bench-'));
const interrupted = new AbortController();

async function cleanUp(): Promise<void> {
  await stopAll();
  if (opts.keep) log(`kept ${tempDir}`);
  else await rm(tempDir, { recursive: true, force: true });
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    log(`\nbench: ${signal}, stopping children and removing temp files`);
    interrupted.abort();
    void cleanUp().finally(() => process.exit(code));
  });
}

function rowCells(sizeLabel: string, row: RowResult, size: number): Cell[] {
  const report = row.report;
  const gib = size / GiB;
  return [
    sizeLabel,
    row.label,
    report ? fixed(size / MiB / report.wallSeconds, 1) : undefined,
    report ? fixed(report.wallSeconds, 2) : undefined,
    report ? fixed(report.cpuSeconds / gib, 2) : undefined,
    report ? fixed(report.maxRssMiB, 1) : undefined,
    report ? fixed(report.startRssMiB, 1) : undefined,
    row.serverCpuSeconds === undefined ? undefined : fixed(row.serverCpuSeconds / gib, 2),
    row.error ? `BROKEN: ${row.error}` : row.note,
  ];
}

function ceilingOf(row: RowResult | undefined, gib: number): CpuCeiling | undefined {
  if (row?.report === undefined || row.serverCpuSeconds === undefined) return undefined;
  return { clientCpuPerGiB: row.report.cpuSeconds / gib, serverCpuPerGiB: row.serverCpuSeconds / gib, cores: cpus().length };
}

function checksFor(run: SizeRun, overhead?: HarnessOverhead): TargetCheck[] {
  const [sha, , , ours] = run.rows;
  const gib = run.size / GiB;
  const perGiB = (row?: RowResult): number | undefined => (row?.report && !row.error ? row.report.cpuSeconds / gib : undefined);
  const rate = (row?: RowResult): number | undefined => (row?.report && !row.error ? run.size / MiB / row.report.wallSeconds : undefined);
  const oursOk = ours?.report && !ours.error ? ours : undefined;
  return [
    cpuTarget(perGiB(ours), perGiB(sha)),
    throughputTarget(rate(ours), rate(sha), ceilingOf(oursOk, gib)),
    rssTarget(oursOk?.report?.maxRssMiB, opts.concurrency, oursOk?.chunkSize),
  ];
}

async function runSize(size: number, overhead?: HarnessOverhead): Promise<SizeRun> {
  const label = formatSize(size);
  const filePath = join(tempDir, `bench-${size}.bin`);
  log(`[${label}] writing the test file`);
  await writeTestFile(filePath, size, interrupted.signal);
  const context: RowContext = { filePath, size, concurrency: opts.concurrency, scratchDir: tempDir, keep: opts.keep };
  const rows: RowResult[] = [];
  const steps: Array<[string, (context: RowContext) => Promise<RowResult>]> = [
    ['SHA-256 baseline', measureSha256],
    ['raw PUT baseline', measureRawPut],
    ['lib-storage baseline', measureLibStorage],
    ['our client', measureOurClient],
  ];
  for (const [name, measure] of steps) {
    interrupted.signal.throwIfAborted();
    log(`[${label}] ${name}`);
    const row = await measure(context);
    interrupted.signal.throwIfAborted(); // a row cut short by Ctrl-C is not a result
    if (row.error) log(`[${label}] ${name}: BROKEN: ${row.error}`);
    rows.push(row);
    if (measure === measureSha256) context.sha256 = row.report?.extra.sha256 as string | undefined;
  }
  if (!opts.keep) await rm(filePath, { force: true });
  const run: SizeRun = { size, label, rows, checks: [] };
  run.checks = checksFor(run, overhead);
  return run;
}

function printReport(runs: SizeRun[], stability: TargetCheck, overhead?: HarnessOverhead): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const headers = ['size', 'row', 'MiB/s', 'wall s', 'CPU-s/GiB', 'peak RSS MiB', 'start RSS MiB', 'server CPU-s/GiB', 'notes'];
  const cells = runs.flatMap((run) => run.rows.map((row) => rowCells(run.label, row, run.size)));
  const out = [
    '',
    `Node ${process.version}, ${cpus().length} x ${cpu}, concurrency ${opts.concurrency}, ` +
      `load average at the end ${loadavg().map((load) => load.toFixed(2)).join(' ')} (other work on the machine skews MiB/s)`,
    '',
    renderTable(headers, cells),
    '',
    overhead
      ? `Harness: our client is the compiled CLI (dist/) on plain node, as shipped; its CPU excludes process start-up (measured by an idle run). ` +
        `The baselines run under node --import tsx. Idle peak RSS: plain node ${overhead.plainNodeMiB.toFixed(1)} MiB, ` +
        `node + tsx ${overhead.tsxNodeMiB.toFixed(1)} MiB (tsx adds ${overhead.tsxExtraMiB.toFixed(1)} MiB).`
      : 'Harness: idle RSS probe failed.',
    '',
    ...runs.flatMap((run) => [`Targets (${run.label}):`, renderChecks(run.checks)]),
    `Across sizes:`,
    renderChecks([stability]),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
}

async function writeJson(runs: SizeRun[], stability: TargetCheck, overhead?: HarnessOverhead): Promise<string> {
  const outDir = join(PROJECT_ROOT, 'bench', 'out');
  await mkdir(outDir, { recursive: true });
  // Results are per machine and per run: keep them out of version control.
  await writeFile(join(outDir, '.gitignore'), '*\n');
  const path = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const body = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, concurrency: opts.concurrency, overhead, runs, stability };
  await writeFile(path, JSON.stringify(body, null, 2) + '\n');
  return path;
}

let exitCode = 0;
try {
  const overhead = await measureHarnessOverhead().catch((error: unknown) => {
    log(`bench: idle RSS probe failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  const runs: SizeRun[] = [];
  for (const size of opts.sizes) runs.push(await runSize(size, overhead));
  const peaks = runs.flatMap((run) => {
    const ours = run.rows[3];
    return ours?.report && !ours.error ? [{ label: run.label, peakMiB: ours.report.maxRssMiB }] : [];
  });
  const stability = rssStabilityTarget(peaks.length === runs.length ? peaks : peaks.slice(0, 1));
  printReport(runs, stability, overhead);
  if (opts.json) log(`wrote ${await writeJson(runs, stability, overhead)}`);
  if (runs.some((run) => run.rows.some((row) => row.error !== undefined))) {
    log('bench: some rows are BROKEN (see notes): exit 1');
    exitCode = 1;
  }
} catch (error) {
  if (!interrupted.signal.aborted) {
    log(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    exitCode = 1;
  }
} finally {
  if (!interrupted.signal.aborted) await cleanUp();
}
if (!interrupted.signal.aborted) process.exitCode = exitCode;
