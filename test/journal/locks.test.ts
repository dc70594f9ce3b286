/**
 * One process per job: the lock row in the journal, checked against real processes — a live
 * holder is refused (with its pid), a holder killed with SIGKILL is stale and taken over — and a
 * journal written by a process killed mid-write is consistent when reopened.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openJournal } from '../../src/journal/index.js';
import { isProcessAlive, processStartTime } from '../../src/journal/process-alive.js';
import { KEY, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./helpers/journal-child.ts', import.meta.url));

function startChild(stateDir: string, mode: 'hold' | 'write'): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, stateDir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`journal child exited with ${code} before printing`)));
  });
  return { child, line };
}

async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

test('the lock: one holder per job in this process; released, it can be taken again', async (t) => {
  const journal = openJournal({ stateDir: await tempDir(t) });
  t.after(() => journal.close());
  const first = journal.lock(KEY);
  assert.ok(first.acquired);
  const second = journal.lock(KEY);
  assert.equal(second.acquired, false);
  if (!second.acquired) {
    assert.equal(second.holder.pid, process.pid);
    assert.equal(second.holder.hostname, hostname());
  }
  assert.ok(journal.lock({ ...KEY, filePath: '/other' }).acquired, 'another job is not blocked');
  first.release();
  const third = journal.lock(KEY);
  assert.ok(third.acquired);
  assert.equal(third.replaced, undefined);
  third.release();
});

test('a live holder in another process is refused; once it is killed (-9) its lock is stale and taken over', async (t) => {
  const dir = await tempDir(t);
  const { child, line } = startChild(dir, 'hold');
  t.after(() => killHard(child));
  const [word, entryId] = (await line).split(' ');
  assert.equal(word, 'locked');
  const journal = openJournal({ stateDir: dir });
  t.after(() => journal.close());
  const refused = journal.lock(KEY);
  assert.equal(refused.acquired, false);
  if (!refused.acquired) assert.equal(refused.holder.pid, child.pid);
  assert.equal(journal.get(entryId!)?.lockedBy?.pid, child.pid, 'uploads shows which process works on it');

  await killHard(child);
  assert.equal(journal.get(entryId!)?.lockedBy, undefined);
  const taken = journal.lock(KEY);
  assert.ok(taken.acquired);
  if (taken.acquired) assert.equal(taken.replaced?.pid, child.pid);
});

test('a process killed while recording segments leaves a consistent journal: a gapless prefix, integrity ok', async (t) => {
  const dir = await tempDir(t);
  const { child, line } = startChild(dir, 'write');
  t.after(() => killHard(child));
  const entryId = (await line).split(' ')[1]!;
  const reader = new Database(`${dir}/journal.db`, { readonly: true });
  t.after(() => reader.close());
  reader.pragma('busy_timeout = 5000');
  const count = reader.prepare('SELECT COUNT(*) AS n FROM segments WHERE entry_id = ?');
  // Wait for the condition "thousands of segments recorded", then kill in the middle of writing.
  for (;;) {
    const { n } = count.get(entryId) as { n: number };
    if (n >= 3000) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await killHard(child);
  reader.close();

  const db = new Database(`${dir}/journal.db`);
  t.after(() => db.close());
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const { n, max } = db.prepare('SELECT COUNT(*) AS n, MAX(idx) AS max FROM segments WHERE entry_id = ?').get(entryId) as { n: number; max: number };
  assert.ok(n >= 3000);
  assert.equal(max, n - 1, 'every confirmed segment up to the last commit is there, none half-written');
  const journal = openJournal({ stateDir: dir });
  t.after(() => journal.close());
  assert.equal(journal.get(entryId)?.segmentsStored, n);
  assert.equal(journal.lock(KEY).acquired, true, 'the dead writer does not block the job');
});

test('isProcessAlive: this process yes; a reaped child no; a pid whose start time differs (reused) no', async () => {
  assert.equal(isProcessAlive(process.pid, processStartTime()), true);
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  assert.equal(isProcessAlive(child.pid!), false);
  const start = processStartTime();
  if (start !== undefined) assert.equal(isProcessAlive(process.pid, `${start}1`), false);
});
