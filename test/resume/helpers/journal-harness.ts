/** In-process resume tests: the engine harness plus a journal in a temp dir, and emulator tallies. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartEmulatorOptions } from '../../../src/emulator/index.js';
import { openJournal, type Journal } from '../../../src/journal/index.js';
import { withHarness, type Harness } from '../../engine/harness.js';

export async function withJournal(emulatorOptions: StartEmulatorOptions, fn: (h: Harness, journal: Journal) => Promise<void>): Promise<void> {
  const stateDir = await mkdtemp(join(tmpdir(), 'resume-state-'));
  const journal = openJournal({ stateDir });
  try {
    await withHarness(emulatorOptions, (h) => fn(h, journal));
  } finally {
    journal.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Successful PUTs (200/206) per segment index of one upload, from the emulator's request log. */
export function storedPuts(h: Harness, uploadId: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const entry of h.emulator.state().requestLog) {
    if (entry.route !== 'segment' || entry.uploadId !== uploadId || (entry.status !== 200 && entry.status !== 206)) continue;
    const index = entry.segmentIndex ?? -1;
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/** Requests the emulator saw on a route so far. */
export function requests(h: Harness, route: 'segment' | 'initiate' | 'complete' | 'guest' | 'message' | 'status'): number {
  return h.emulator.state().counters[route]?.requests ?? 0;
}
