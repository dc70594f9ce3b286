/**
 * How much resident memory the harness itself costs: an idle plain `node` and an idle
 * `node --import tsx` worker. tsx runs its module hooks on a separate loader thread (a second V8
 * isolate), which adds tens of MiB to every row's peak RSS; the difference is printed so the RSS
 * target can also be read net of it (the shipped CLI runs compiled JS without tsx).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT, runWorker } from './children.js';

export interface HarnessOverhead {
  plainNodeMiB: number;
  tsxNodeMiB: number;
  /** tsxNodeMiB − plainNodeMiB: what running under tsx adds to a peak RSS. */
  tsxExtraMiB: number;
}

const PROBE = 'process.stdout.write(String(process.resourceUsage().maxRSS / 1024))';

export async function measureHarnessOverhead(): Promise<HarnessOverhead> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', PROBE], { cwd: PROJECT_ROOT, timeout: 30_000 });
  const plainNodeMiB = Number(stdout);
  const tsxNodeMiB = (await runWorker('bench/workers/idle.ts', {}, 60_000)).maxRssMiB;
  return { plainNodeMiB, tsxNodeMiB, tsxExtraMiB: tsxNodeMiB - plainNodeMiB };
}
