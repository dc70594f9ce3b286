/**
 * Retention: a finished job's row (recipients, message text) and a failed job's spooled file are
 * kept for `retentionMs` after the job finished (default 7 days: time to look, and to retry a
 * failed job), then removed by the periodic sweep. Delivered jobs' files are removed at delivery.
 */
import type { Logger } from 'pino';
import type { JobStore } from './job-store.js';

const BATCH = 500;

export async function sweepRetention(
  store: JobStore,
  options: { retentionMs: number; now: () => number; removeSpool(id: string): Promise<void>; logger: Logger },
): Promise<number> {
  const cutoff = options.now() - options.retentionMs;
  let removed = 0;
  for (;;) {
    const jobs = store.finishedBefore(cutoff, BATCH);
    for (const job of jobs) {
      await options.removeSpool(job.id);
      store.delete(job.id);
      removed += 1;
    }
    if (jobs.length < BATCH) break;
  }
  if (removed > 0) options.logger.info({ step: 'retention', removed, retentionMs: options.retentionMs }, 'finished jobs past their retention removed');
  return removed;
}
