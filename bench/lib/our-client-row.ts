/**
 * The row under test: the emulator in its own process (with a temp data dir), our client's worker
 * in another. Delivery is verified twice: the client's result must carry the file's SHA-256 and
 * size, and the emulator's own state (GET /__emulator/state) must hold a file with that digest
 * and size, attached to a message.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorState } from '../../src/emulator/types.js';
import { PROJECT_ROOT, runCli } from './children.js';
import { failed, fetchJson, withServer, workerTimeoutMs, type RowContext, type RowResult } from './rows.js';
import { MiB } from './sizes.js';

/** What our client's worker puts in `extra.result` (a subset of sendFile's result). */
interface OurResult {
  fileId: string;
  sha256: string;
  size: number;
  chunks: number;
  chunkSize: number;
  retries: number;
}

/** The source files this row needs; while any is missing the row fails loudly. */
const OUR_CLIENT_SOURCES = ['dist/cli/main.js', 'dist/emulator/index.js'];

/** Returns why the delivery is wrong, or undefined when every check holds. */
function deliveryProblem(context: RowContext, result: OurResult, state: EmulatorState): string | undefined {
  const expected = context.sha256;
  if (expected === undefined) return 'delivery not verified: the SHA-256 row failed';
  if (result.size !== context.size) return `DELIVERY MISMATCH: result size ${result.size} != file size ${context.size}`;
  if (result.sha256 !== expected) return `DELIVERY MISMATCH: result sha256 ${result.sha256} != file's ${expected}`;
  const stored = state.files.find((file) => file.id === result.fileId);
  if (stored === undefined) return `DELIVERY MISMATCH: the emulator has no file ${result.fileId}`;
  if (stored.size !== context.size || stored.sha256 !== expected) {
    return `DELIVERY MISMATCH: the emulator stored ${stored.size} bytes with sha256 ${stored.sha256}`;
  }
  const attached = state.messages.some((message) => message.attachments.some((attachment) => attachment.id === result.fileId));
  if (!attached) return `DELIVERY MISMATCH: no message carries file ${result.fileId}`;
  return undefined;
}

export async function measureOurClient(context: RowContext): Promise<RowResult> {
  const label = `our client (concurrency ${context.concurrency})`;
  const missing = OUR_CLIENT_SOURCES.filter((source) => !existsSync(join(PROJECT_ROOT, source)));
  if (missing.length > 0) return failed(label, `NOT MEASURED: our client is not built yet (missing ${missing.join(', ')})`);
  const dataDir = join(context.scratchDir, `emulator-data-${context.size}`);
  await mkdir(dataDir, { recursive: true });
  try {
    // Both sides run compiled, as users run them (`npm run bench` builds dist/ first).
    const emulatorArgs = ['dist/cli/main.js', 'emulator', '--port', '0', '--data-dir', dataDir];
    const { value, serverCpuSeconds } = await withServer(emulatorArgs, async (server) => {
      const cliArgs = ['send', context.filePath, '--to', '+15550100', '--text', 'Benchmark file.', '--json', '--quiet', '--concurrency', String(context.concurrency)];
      const env = { GENESYS_BASE_URL: server.url, GENESYS_CLIENT_ID: 'demo-client', GENESYS_CLIENT_SECRET: 'demo-secret', HOME: context.scratchDir };
      // Process start-up (loading node and our modules) is not part of moving the file: measure an
      // idle run of the same command and take its CPU and wall time off, as the other rows do.
      const idle = await runCli(['send', '--help'], env, 60_000);
      const whole = await runCli(cliArgs, env, workerTimeoutMs(context.size));
      const report = {
        ...whole,
        cpuSeconds: Math.max(0, whole.cpuSeconds - idle.cpuSeconds),
        wallSeconds: Math.max(0.001, whole.wallSeconds - idle.wallSeconds),
      };
      return { report, state: await fetchJson<EmulatorState>(server.url, '/__emulator/state') };
    });
    const { report, state } = value;
    const result = report.extra.result as OurResult;
    const segmentPuts = state.counters.segment?.requests;
    const row: RowResult = {
      label,
      report,
      serverCpuSeconds,
      chunkSize: result.chunkSize,
      note:
        `${result.chunks} chunks of ${(result.chunkSize / MiB).toFixed(2)} MiB, ${segmentPuts ?? '?'} segment PUTs, ` +
        `${result.retries} retries`,
    };
    const problem = deliveryProblem(context, result, state);
    if (problem === undefined) row.note += ', verified in the emulator';
    else row.error = problem;
    return row;
  } catch (error) {
    return failed(label, error);
  } finally {
    if (!context.keep) await rm(dataDir, { recursive: true, force: true });
  }
}
