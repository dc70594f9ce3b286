/**
 * `node --import tsx bench/s3/run.ts [--size 1GiB | --sizes 1GiB,4GiB] [--concurrency 4] [--keep]`
 * (or `npm run bench:s3 -- …`, which builds dist/ first).
 *
 * The S3 link store's benchmark (docs/s3-link-store.md): on one generated file, in one run, our S3
 * store through the engine and `@aws-sdk/lib-storage`'s Upload, both to the emulator's S3 endpoint
 * in another process, next to the same-run hashing baselines (one SHA-256 pass; one SHA-256 per
 * part plus one over the whole file, which is the hashing the store must do; that hashing with the
 * bytes written to loopback sockets, the floor of any store sending over TCP). Prints one table and
 * the targets' verdicts. Exit status: 0 when every row was measured and stored the right bytes
 * (targets are reported, not enforced), 1 when something broke, 2 on a bad flag, 130 on Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT, stopAll } from '../lib/children.js';
import { measureHarnessOverhead, type HarnessOverhead } from '../lib/harness-overhead.js';
import { writeTestFile } from '../lib/make-file.js';
import type { RowResult } from '../lib/rows.js';
import { parseSizesAndConcurrency } from '../lib/args.js';
import { formatSize, GiB, MiB, parseSize } from '../lib/sizes.js';
import { fixed, renderTable, type Cell } from '../lib/table.js';
import { renderChecks, rssStabilityTarget, rssTarget, type TargetCheck } from '../lib/targets.js';
import { startS3Emulator, stopEmulators } from './emulator.js';
import { measureHash, measureImports, measureRawTcp, measureLibStorage, measureOurs, renderImports, type ImportStep, type S3RowContext } from './rows.js';

const USAGE = `node --import tsx bench/s3/run.ts [options]     (npm run bench:s3 -- [options] builds dist/ first)

  --size SIZE        file size (default 1GiB), e.g. 256MiB, 4GiB
  --sizes A,B,...    every row at each size, and our peak RSS compared across sizes (e.g. 1GiB,4GiB)
  --concurrency N    parts in flight for our store and lib-storage's queueSize (default 4)
  --part-size SIZE   part size for both uploads and the per-part hashing (default 8MiB, the store's default)
  --compare-undici   also our store with its parts on undici (the transport before node:http), after lib-storage
  --keep             keep the temp dir (test file, emulator data)
  --help             this text`;

/** Our client CPU may cost at most this many times the hashing it must do. */
const CPU_FACTOR = 1.15;

interface Options {
  sizes: number[];
  concurrency: number;
  partSize: number;
  keep: boolean;
  compareUndici: boolean;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string' },
      sizes: { type: 'string' },
      concurrency: { type: 'string' },
      'part-size': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'compare-undici': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const { sizes, concurrency } = parseSizesAndConcurrency(values, { size: GiB, concurrency: 4 });
  const partSize = values['part-size'] === undefined ? 8 * MiB : parseSize(values['part-size']);
  if (partSize < 5 * MiB) throw new RangeError('--part-size must be at least 5MiB (S3 minimum)');
  return { sizes, concurrency, partSize, keep: values.keep ?? false, compareUndici: values['compare-undici'] ?? false };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

let parsed: Options | undefined;
try {
  parsed = parseOptions(process.argv.slice(2));
} catch (error) {
  log(`bench:s3: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed === undefined) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const opts: Options = parsed;
if (!existsSync(join(PROJECT_ROOT, 'dist/destinations/s3/index.js'))) {
  log('bench:s3: dist/ is not built: run `npx tsc -p tsconfig.json` first (npm run bench:s3 does)');
  process.exit(1);
}

const tempDir = await mkdtemp(join(tmpdir(), 'genesys-bench-s3-'));
const interrupted = new AbortController();

async function cleanUp(): Promise<void> {
  await Promise.all([stopAll(), stopEmulators()]);
  if (opts.keep) log(`kept ${tempDir}`);
  else await rm(tempDir, { recursive: true, force: true });
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    log(`\nbench:s3: ${signal}, stopping children and removing temp files`);
    interrupted.abort();
    void cleanUp().finally(() => process.exit(code));
  });
}

interface SizeRun {
  size: number;
  label: string;
  /** one pass, two passes, raw TCP, ours, lib-storage */
  rows: RowResult[];
  checks: TargetCheck[];
  /** Our store process's memory before the first byte, module by module. */
  imports: ImportStep[] | string;
}

const perGiB = (row: RowResult | undefined, size: number): number | undefined =>
  row?.report !== undefined && row.error === undefined ? row.report.cpuSeconds / (size / GiB) : undefined;

function cpuCheck(ours?: number, hashing?: number): TargetCheck {
  const name = `our CPU-s/GiB <= ${CPU_FACTOR} x the two-pass hashing's`;
  if (ours === undefined || hashing === undefined) return { verdict: 'N/A', name, detail: 'not measured' };
  const limit = CPU_FACTOR * hashing;
  return { verdict: ours <= limit ? 'PASS' : 'FAIL', name, detail: `${ours.toFixed(2)} vs limit ${limit.toFixed(2)} (ratio ${(ours / hashing).toFixed(2)} x)` };
}

/** How far our store is above the raw-TCP floor (hashing + sockets, no HTTP or S3). */
function floor(run: SizeRun): string {
  const [, twoPass, rawTcp, ours] = run.rows;
  const hashing = perGiB(twoPass, run.size);
  const raw = perGiB(rawTcp, run.size);
  const a = perGiB(ours, run.size);
  if (hashing === undefined || raw === undefined || a === undefined) return '  raw-TCP floor: not measured';
  return `  raw-TCP floor ${raw.toFixed(2)} CPU-s/GiB (${(raw / hashing).toFixed(2)} x the hashing); ours is ${(a - raw).toFixed(2)} above it (HTTP, S3, signing, control calls)`;
}

function comparison(run: SizeRun): string {
  const [, , , ours, lib] = run.rows;
  const a = perGiB(ours, run.size);
  const b = perGiB(lib, run.size);
  if (a === undefined || b === undefined || ours?.report === undefined || lib?.report === undefined) return '  lib-storage vs ours: not measured';
  return `  lib-storage vs ours: CPU ${(b / a).toFixed(2)} x, peak RSS ${(lib.report.maxRssMiB / ours.report.maxRssMiB).toFixed(2)} x, wall ${(lib.report.wallSeconds / ours.report.wallSeconds).toFixed(2)} x`;
}

async function runSize(size: number): Promise<SizeRun> {
  const label = formatSize(size);
  const filePath = join(tempDir, `bench-${size}.bin`);
  log(`[${label}] writing the test file`);
  await writeTestFile(filePath, size, interrupted.signal);
  const context: S3RowContext = { filePath, size, concurrency: opts.concurrency, partSize: opts.partSize };
  const rows: RowResult[] = [];
  log(`[${label}] SHA-256, one pass`);
  rows.push(await measureHash(context, 'whole'));
  context.sha256 = rows[0]?.report?.extra.sha256 as string | undefined;
  log(`[${label}] SHA-256 per part + whole`);
  rows.push(await measureHash(context, 'parts+whole'));
  log(`[${label}] SHA-256 per part + whole, sent over raw TCP`);
  rows.push(await measureRawTcp(context));
  interrupted.signal.throwIfAborted();
  const dataDir = join(tempDir, `emulator-${size}`);
  await mkdir(dataDir, { recursive: true });
  const emulator = await startS3Emulator(dataDir);
  let imports: ImportStep[] | string = 'not run';
  try {
    log(`[${label}] our S3 store -> ${emulator.s3Url}`);
    rows.push(await measureOurs(context, emulator));
    interrupted.signal.throwIfAborted();
    log(`[${label}] lib-storage -> ${emulator.s3Url}`);
    rows.push(await measureLibStorage(context, emulator));
    if (opts.compareUndici) {
      log(`[${label}] our S3 store, undici PUTs -> ${emulator.s3Url}`);
      rows.push(await measureOurs(context, emulator, 'undici'));
    }
    imports = await measureImports(emulator);
  } finally {
    await emulator.stop();
  }
  interrupted.signal.throwIfAborted();
  for (const row of rows) if (row.error !== undefined) log(`[${label}] ${row.label}: BROKEN: ${row.error}`);
  if (!opts.keep) await rm(filePath, { force: true });
  const [, twoPass, rawTcp, ours] = rows;
  const oursOk = ours?.error === undefined ? ours : undefined;
  const checks = [cpuCheck(perGiB(ours, size), perGiB(twoPass, size)), rssTarget(oursOk?.report?.maxRssMiB, opts.concurrency, oursOk?.chunkSize)];
  return { size, label, rows, checks, imports };
}

function cells(run: SizeRun, row: RowResult): Cell[] {
  const r = row.report;
  return [
    run.label,
    row.label,
    r ? fixed(run.size / MiB / r.wallSeconds, 1) : undefined,
    r ? fixed(r.wallSeconds, 2) : undefined,
    r ? fixed(r.cpuSeconds / (run.size / GiB), 2) : undefined,
    r ? fixed(r.maxRssMiB, 1) : undefined,
    r ? fixed(r.startRssMiB, 1) : undefined,
    row.serverCpuSeconds === undefined ? undefined : fixed(row.serverCpuSeconds / (run.size / GiB), 2),
    row.error ? `BROKEN: ${row.error}` : row.note,
  ];
}

function printReport(runs: SizeRun[], stability: TargetCheck, overhead?: HarnessOverhead): void {
  const headers = ['size', 'row', 'MiB/s', 'wall s', 'CPU-s/GiB', 'peak RSS MiB', 'start RSS MiB', 'emulator CPU-s/GiB', 'notes'];
  const out = [
    '',
    `Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, concurrency ${opts.concurrency}, part size ${opts.partSize / MiB} MiB, ` +
      `load average at the end ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
    '',
    renderTable(headers, runs.flatMap((run) => run.rows.map((row) => cells(run, row)))),
    '',
    'Every row is compiled JavaScript on plain node in its own process; CPU and wall time cover the operation only (imports excluded). ' +
      (overhead ? `An idle plain node peaks at ${overhead.plainNodeMiB.toFixed(1)} MiB RSS.` : ''),
    '',
    ...runs.flatMap((run) => [`Targets (${run.label}):`, renderChecks(run.checks), floor(run), comparison(run)]),
    renderImports(runs[0]?.imports),
    'Across sizes:',
    renderChecks([stability]),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
}

let exitCode = 0;
try {
  const overhead = await measureHarnessOverhead().catch(() => undefined);
  const runs: SizeRun[] = [];
  for (const size of opts.sizes) runs.push(await runSize(size));
  const peaks = runs.flatMap((run) => {
    const ours = run.rows[3];
    return ours?.report && !ours.error ? [{ label: run.label, peakMiB: ours.report.maxRssMiB }] : [];
  });
  printReport(runs, rssStabilityTarget(peaks.length === runs.length ? peaks : peaks.slice(0, 1)), overhead);
  if (runs.some((run) => run.rows.some((row) => row.error !== undefined))) {
    log('bench:s3: some rows are BROKEN (see notes): exit 1');
    exitCode = 1;
  }
} catch (error) {
  if (!interrupted.signal.aborted) {
    log(`bench:s3: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    exitCode = 1;
  }
} finally {
  if (!interrupted.signal.aborted) await cleanUp();
}
if (!interrupted.signal.aborted) process.exitCode = exitCode;
