/**
 * `node --import tsx bench/serve/run.ts [--uploads 16] [--size 64MiB] [--no-checksums] [--one-gib] [--embedded]`
 *
 * The proxy service under load: N concurrent tus uploads into `genesys-upload serve` (its own
 * process), each relayed to the emulator (another process, or inside the service with
 * --embedded) and delivered in a message. Checks that every stored file is byte-identical to its
 * source (SHA-256), then prints the service's CPU per GiB against the single-pass SHA-256 CPU per
 * GiB measured on the same files in the same run, each upload's last intake byte → delivered
 * latency (median, max), the service's peak RSS and the aggregate throughput, with PASS/FAIL for
 * the targets. Not part of the tests.
 * Exit status: 0 measured and verified (targets are reported, not enforced), 1 something broke
 * or a file came out different, 2 bad flag, 130 Ctrl-C.
 */
import { setMaxListeners } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/types.js';
import { DEMO_DEPLOYMENT_ID } from '../../src/emulator/web-messaging/settings.js';
import { runWorker, startServer, stopAll, type RunningServer } from '../lib/children.js';
import { measureHarnessOverhead } from '../lib/harness-overhead.js';
import { writeTestFile } from '../lib/make-file.js';
import { formatSize, GiB, MiB } from '../lib/sizes.js';
import { parseServeBenchArgs, USAGE, type ServeBenchOptions } from './args.js';
import { waitForJobEnd, type JobView } from './job-events.js';
import { cpuSeconds, peakRssMiB, rssMiB } from '../lib/proc-stats.js';
import { renderChecks, renderServeTable, serveTargets, type ServeMeasurements } from './report.js';
import { startServiceProcess, stopServices, type ServiceProcess } from './service-process.js';
import { tusUpload } from './tus-client.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const START_TIMEOUT_MS = 60_000;
const DEMO = { id: 'demo-client', secret: 'demo-secret' } as const;
const LINK_STORE = 's3://genesys-uploads/bench/';

let options: ServeBenchOptions | undefined;
try {
  options = parseServeBenchArgs(process.argv.slice(2));
} catch (error) {
  log(`bench/serve: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === undefined) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const opts: ServeBenchOptions = options;
const tempDir = await mkdtemp(join(tmpdir(), 'genesys-bench-serve-'));
const interrupted = new AbortController();
// Every upload and event stream listens on this one signal: 2 x --uploads listeners is expected.
setMaxListeners(0, interrupted.signal);
const dispatcher = new Agent({ keepAliveTimeout: 10_000 });

async function cleanUp(): Promise<void> {
  await stopServices();
  await stopAll();
  await dispatcher.close().catch(() => undefined);
  if (opts.keep) log(`kept ${tempDir}`);
  else await rm(tempDir, { recursive: true, force: true });
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    log(`\nbench/serve: ${signal}, stopping children and removing temp files`);
    interrupted.abort();
    void cleanUp().finally(() => process.exit(code));
  });
}

interface Source {
  path: string;
  name: string;
  sha256: string;
}

/** Writes the files, then hashes them all in one process: the digests and the single-pass rate. */
async function prepareSources(): Promise<{ sources: Source[]; sha256MiBps: number; sha256CpuPerGiB: number }> {
  const files: Array<{ path: string; name: string }> = [];
  for (let index = 0; index < opts.uploads; index += 1) {
    const name = `upload-${String(index).padStart(3, '0')}.bin`;
    const path = join(tempDir, 'files', name);
    await writeTestFile(path, opts.size, interrupted.signal);
    files.push({ path, name });
  }
  const report = await runWorker('bench/serve/sha256-files.ts', { filePaths: files.map((file) => file.path) }, 600_000);
  const digests = report.extra.sha256s as string[];
  const sources = files.map((file, index) => ({ ...file, sha256: String(digests[index]) }));
  return { sources, sha256MiBps: report.bytes / MiB / report.wallSeconds, sha256CpuPerGiB: report.cpuSeconds / (report.bytes / GiB) };
}

async function startTarget(): Promise<{ service: ServiceProcess; emulator?: RunningServer; emulatorUrl: string }> {
  const common = [
    '--port', '0',
    '--spool-dir', join(tempDir, 'spool'),
    '--state-dir', join(tempDir, 'state'),
    // The bench sends random bytes as application/octet-stream, which the default list leaves out.
    '--allowed-types', 'application/octet-stream',
    ...(opts.size > 5 * GiB ? ['--max-size', String(opts.size)] : []),
    ...(opts.maxJobs === undefined ? [] : ['--max-jobs', String(opts.maxJobs)]),
    ...(opts.concurrency === undefined ? [] : ['--concurrency', String(opts.concurrency)]),
    ...(opts.relayWhileReceiving ? [] : ['--no-relay-while-receiving']),
  ];
  const logPath = join(tempDir, 'service.log');
  if (opts.embedded) {
    const service = await startServiceProcess([...common, '--emulator'], { logPath, timeoutMs: START_TIMEOUT_MS });
    const emulatorUrl = service.emulatorUrl();
    if (emulatorUrl === undefined) throw new Error('the service did not log its embedded emulator URL');
    return { service, emulatorUrl };
  }
  const emulator = await startServer(['src/cli/main.ts', 'emulator', '--port', '0', '--data-dir', join(tempDir, 'emulator')], START_TIMEOUT_MS);
  if (opts.delivery === 'link') {
    // Every file to the emulator's S3 endpoint, a link message to a new guest: relayed while receiving.
    const service = await startServiceProcess(
      [...common, '--via', 'web-messaging', '--ws-url', `${emulator.url.replace(/^http/, 'ws')}/v1`, '--deployment-id', DEMO_DEPLOYMENT_ID, '--delivery', 'link', '--link-store', LINK_STORE],
      { logPath, timeoutMs: START_TIMEOUT_MS, env: await linkStoreEnv(emulator.url) },
    );
    return { service, emulator, emulatorUrl: emulator.url };
  }
  const service = await startServiceProcess([...common, '--base-url', emulator.url, '--client-id', DEMO.id], {
    logPath,
    timeoutMs: START_TIMEOUT_MS,
    env: { GENESYS_CLIENT_SECRET: DEMO.secret },
  });
  return { service, emulator, emulatorUrl: emulator.url };
}

interface EmulatorState {
  files: Array<{ id: string; size: number; sha256: string }>;
  messages: Array<{ attachments: Array<{ id: string }> }>;
  webMessaging: { conversations: Array<{ messages: Array<{ id: string; text?: string }> }> };
  s3: { url: string; buckets: Array<{ objects: Array<{ key: string; size: number; sha256: string }> }> };
}

async function emulatorState(emulatorUrl: string): Promise<EmulatorState> {
  const response = await fetch(new URL('/__emulator/state', emulatorUrl));
  return (await response.json()) as EmulatorState;
}

/** The link store's settings for `serve`: the emulator's S3 endpoint and its demo credential. */
async function linkStoreEnv(emulatorUrl: string): Promise<Record<string, string>> {
  const { s3 } = await emulatorState(emulatorUrl);
  return {
    GENESYS_UPLOAD_S3_ENDPOINT: s3.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: DEMO_S3_CREDENTIAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_S3_CREDENTIAL.secretAccessKey,
  };
}

/** A link job: one S3 object with the source's bytes, and the job's message in a guest's conversation. */
function verifyLink(source: Source, job: JobView, state: EmulatorState): string[] {
  const problems: string[] = [];
  const objects = state.s3.buckets.flatMap((bucket) => bucket.objects).filter((object) => object.key.endsWith(`/${source.name}`));
  if (objects.length !== 1) problems.push(`${source.name}: ${objects.length} S3 objects, expected 1`);
  else if (objects[0]!.sha256 !== source.sha256 || objects[0]!.size !== opts.size) problems.push(`${source.name}: the S3 object differs (sha256 ${objects[0]!.sha256}, ${objects[0]!.size} bytes)`);
  if (!state.webMessaging.conversations.some((c) => c.messages.some((m) => m.id === job.messageId))) problems.push(`${source.name}: no message ${job.messageId}`);
  return problems;
}

/** Every job delivered, with the source's digest, and the emulator holding that file in a message (or in S3, linked from one). */
async function verify(sources: Source[], jobs: JobView[], emulatorUrl: string): Promise<string[]> {
  const state = await emulatorState(emulatorUrl);
  const problems: string[] = [];
  sources.forEach((source, index) => {
    const job = jobs[index];
    if (job?.state !== 'delivered') {
      problems.push(`${source.name}: job ${job?.id} ${job?.state}${job?.error ? `: ${job.error.code} ${job.error.message}` : ''}`);
      return;
    }
    if (opts.delivery === 'link') {
      if (job.sha256 !== source.sha256) problems.push(`${source.name}: the service reports sha256 ${job.sha256}, the source is ${source.sha256}`);
      problems.push(...verifyLink(source, job, state));
      return;
    }
    const file = state.files.find((candidate) => candidate.id === job.fileId);
    if (job.sha256 !== source.sha256) problems.push(`${source.name}: the service reports sha256 ${job.sha256}, the source is ${source.sha256}`);
    if (file === undefined) problems.push(`${source.name}: the emulator has no file ${job.fileId}`);
    else if (file.sha256 !== source.sha256 || file.size !== opts.size) problems.push(`${source.name}: the stored file differs (sha256 ${file.sha256}, ${file.size} bytes)`);
    if (!state.messages.some((message) => message.attachments.some((attachment) => attachment.id === job.fileId))) {
      problems.push(`${source.name}: no message carries file ${job.fileId}`);
    }
  });
  return problems;
}

async function main(): Promise<number> {
  await mkdir(join(tempDir, 'files'), { recursive: true });
  log(`bench/serve: ${opts.uploads} x ${formatSize(opts.size)}; writing and hashing the files in ${tempDir}`);
  const { sources, sha256MiBps, sha256CpuPerGiB } = await prepareSources();
  const overhead = await measureHarnessOverhead().catch(() => undefined);
  const { service, emulator, emulatorUrl } = await startTarget();
  const destination = opts.delivery === 'link' ? 'a link message (Web Messaging) to the S3 endpoint' : 'the Files API';
  log(`bench/serve: service ${service.url} (pid ${service.pid}), emulator ${emulatorUrl}${opts.embedded ? ' (embedded)' : ''}; delivery: ${destination}`);

  const serviceStartRssMiB = rssMiB(service.pid);
  const serviceCpuBefore = cpuSeconds(service.pid);
  const emulatorCpuBefore = emulator?.cpuSeconds();
  const clientCpuBefore = process.cpuUsage();
  const startedAt = Date.now();
  let intakeDoneAt = startedAt;
  const latencies: number[] = [];
  // The chunk size the uploads used: the service's part size when it named one.
  let usedChunkSize = opts.chunkSize;
  const jobs = await Promise.all(
    sources.map(async (source) => {
      const { jobId, lastByteAt, chunkSize } = await tusUpload({
        baseUrl: service.url,
        filePath: source.path,
        size: opts.size,
        metadata:
          opts.delivery === 'link'
            ? { filename: source.name, filetype: 'application/octet-stream', text: 'bench' }
            : { filename: source.name, filetype: 'application/octet-stream', to: '+15550100', text: 'bench', language: 'en-US' },
        chunkSize: opts.chunkSize,
        checksums: opts.checksums,
        dispatcher,
        signal: interrupted.signal,
      });
      usedChunkSize = chunkSize;
      intakeDoneAt = Math.max(intakeDoneAt, Date.now());
      const job = await waitForJobEnd(service.url, jobId, { dispatcher, signal: interrupted.signal });
      // The service's finishedAt and our lastByteAt read the same machine's clock (ms).
      const deliveredAt = job.finishedAt === null ? Date.now() : Date.parse(job.finishedAt);
      latencies.push((deliveredAt - lastByteAt) / 1000);
      return job;
    }),
  );
  const endedAt = Math.max(...jobs.map((job) => (job.finishedAt === null ? Date.now() : Date.parse(job.finishedAt))));
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const serviceCpuAfter = cpuSeconds(service.pid);
  const emulatorCpuAfter = emulator?.cpuSeconds();
  const servicePeakRssMiB = peakRssMiB(service.pid);

  const problems = await verify(sources, jobs, emulatorUrl);
  const measurements: ServeMeasurements = {
    uploads: opts.uploads,
    size: opts.size,
    chunkSize: usedChunkSize,
    checksums: opts.checksums,
    embedded: opts.embedded,
    oneGiB: opts.oneGiB,
    lastByteToDeliveredSeconds: latencies,
    wallSeconds: (endedAt - startedAt) / 1000,
    intakeSeconds: (intakeDoneAt - startedAt) / 1000,
    sha256MiBps,
    sha256CpuPerGiB,
    serviceCpuSeconds: serviceCpuBefore === undefined || serviceCpuAfter === undefined ? undefined : serviceCpuAfter - serviceCpuBefore,
    serviceStartRssMiB,
    servicePeakRssMiB,
    emulatorCpuSeconds: emulatorCpuBefore === undefined || emulatorCpuAfter === undefined ? undefined : emulatorCpuAfter - emulatorCpuBefore,
    clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
    tsxExtraMiB: overhead?.tsxExtraMiB,
    cores: availableParallelism(),
  };
  process.stdout.write(`\nDelivery: ${destination}.\n${renderServeTable(measurements)}\n\nTargets:\n${renderChecks(serveTargets(measurements))}\n`);
  if (problems.length > 0) {
    process.stdout.write(`\nBROKEN: ${problems.length} problem(s):\n${problems.map((line) => `  ${line}`).join('\n')}\n`);
    log(`--- service log (tail) ---\n${service.logTail()}`);
    return 1;
  }
  process.stdout.write(`\nAll ${jobs.length} files delivered and byte-identical (SHA-256 checked against the sources and the emulator's stored files).\n`);
  return 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  log(`bench/serve: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp();
}
process.exit(exitCode);
