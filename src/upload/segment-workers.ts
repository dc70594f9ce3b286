/**
 * N workers pull segments from one source and store them (the lib-storage pattern): a segment is
 * read only when a worker is free to send it, so at most N buffers are in use. The first failure
 * stops the other workers at once (through the shared abort controller), everything settles, and
 * then that first failure is thrown — no request keeps running in the background.
 */
import type { Segment } from './segment-reader.js';

export interface WorkerRun {
  concurrency: number;
  /** The next segment to send, or undefined when there is none left. */
  source: (signal: AbortSignal) => Promise<Segment | undefined>;
  store: (segment: Segment) => Promise<void>;
  /** Called after a segment is stored, before its buffer goes back to the pool. */
  onStored: (segment: Segment) => void;
  /** Aborting it stops every worker; the engine aborts it on the first failure. */
  controller: AbortController;
  /** Records the failure (the first one wins) and stops everything. */
  fail: (error: unknown) => void;
}

export async function runSegmentWorkers(run: WorkerRun): Promise<void> {
  const { signal } = run.controller;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal.aborted) return;
      const segment = await run.source(signal);
      if (segment === undefined) return;
      try {
        await run.store(segment);
        run.onStored(segment);
      } finally {
        segment.release();
      }
    }
  };
  const workers = Array.from({ length: run.concurrency }, () =>
    worker().catch((error: unknown) => {
      run.fail(error);
    }),
  );
  await Promise.all(workers);
}
