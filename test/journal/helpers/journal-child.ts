/**
 * A separate process that uses the journal, for lock and crash tests: it takes the job lock, and
 * with "write" records segments of one entry one transaction at a time, forever. It prints
 * "locked <entryId>" once it holds the lock. The test kills it (SIGKILL) at a moment it chooses.
 */
import { openJournal } from '../../../src/journal/index.js';
import { KEY, newEntry } from '../helpers.js';

const [stateDir = '', mode = 'hold'] = process.argv.slice(2);
const journal = openJournal({ stateDir });
const lock = journal.lock(KEY);
if (!lock.acquired) {
  process.stdout.write(`refused ${lock.holder.pid}\n`);
  process.exit(3);
}
const entry = journal.create(newEntry({ chunks: 1_000_000, maxChunks: 1_000_000 }));
lock.point(entry.id);
process.stdout.write(`locked ${entry.id}\n`);
if (mode === 'write') {
  const checksum = `sha256:${'e'.repeat(64)}`;
  let index = 0;
  const batch = (): void => {
    for (let i = 0; i < 50; i++) journal.recordSegment(entry.id, index++, 1000, checksum);
    setImmediate(batch);
  };
  batch();
} else {
  setInterval(() => undefined, 60_000);
}
