/**
 * Issue 4's crash test: `send` of one 200 MiB file killed with SIGKILL at 23 moments — during the
 * upload at seeded-random points chosen from the emulator's state (N segments stored, or a resumed
 * run's first status call), and at every step between the last segment and the message: complete
 * stalled, complete done on the server but its answer lost, the guest call stalled, the message
 * call stalled — then `send` again until it finishes. Afterwards: one file, byte-identical, one
 * message; each segment stored exactly once; and what was re-sent per crash, from the emulator's
 * request log, is at most concurrency × chunkSize.
 *
 * The message-stalled kill is the window where the answer is lost (the intent is journalled, the
 * POST is out): the next `send` asks the guest's messages first, finds none (the stalled POST
 * never reached the handler) and sends the one message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mulberry32 } from '../../src/emulator/prng.js';
import { openJournal } from '../../src/journal/index.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until, type CliRun } from './helpers/cli.js';
import { assertFilesApiDelivery, finalResult, killBed } from './helpers/kill9.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const CHUNK = 5 * MiB;
const CHUNKS = SIZE / CHUNK;
const CONCURRENCY = 4;
const SEED = 4;

type Kill =
  | { kind: 'initiated' }
  | { kind: 'stored'; target: number }
  | { kind: 'resume-start' }
  | { kind: 'stall'; route: 'complete' | 'guest' | 'message' }
  | { kind: 'complete-lost' };

/** 16 kills at seeded-random stored counts, 2 at the start of a resumed run, interleaved. */
function killPlan(): Kill[] {
  const random = mulberry32(SEED);
  const targets = new Set<number>();
  // Up to CHUNKS - 8: kills land in flight, and a few segments stay for the later kills.
  while (targets.size < 16) targets.add(1 + Math.floor(random() * (CHUNKS - 8)));
  const stored: Kill[] = [...targets].sort((a, b) => a - b).map((target) => ({ kind: 'stored', target }));
  stored.splice(5, 0, { kind: 'resume-start' });
  stored.splice(11, 0, { kind: 'resume-start' });
  return [
    { kind: 'initiated' },
    ...stored,
    { kind: 'stall', route: 'complete' },
    { kind: 'complete-lost' },
    { kind: 'stall', route: 'guest' },
    { kind: 'stall', route: 'message' },
  ];
}

interface Window {
  kill: Kill;
  from: number;
  to: number;
}

test('kill -9 at 23 moments across a 200 MiB send: one file, byte-identical, one message, bounded re-sends', async (t) => {
  const { dir, emulator, env } = await killBed(t, 'kill9-', { allowedContentTypes: ['application/octet-stream'] });
  const file = join(dir, 'big.bin');
  const sha256 = await writeBigFile(file, SIZE);
  const stateDir = env.GENESYS_UPLOAD_STATE_DIR!;
  const send = (...extra: string[]): CliRun => runCli(['send', file, '--to', '+15550100', '--concurrency', String(CONCURRENCY), ...extra], env);
  const upload = () => emulator.state().uploads.at(-1);
  const storedCount = (): number => upload()?.segments.length ?? 0;
  const counter = (route: 'initiate' | 'status'): number => emulator.state().counters[route]?.requests ?? 0;
  const faultsLeft = async (): Promise<number> => ((await (await fetch(`${emulator.url}/__emulator/faults`)).json()) as { faults: unknown[] }).faults.length;

  const windows: Window[] = [];
  for (const kill of killPlan()) {
    const from = Date.now();
    let run: CliRun;
    switch (kill.kind) {
      case 'initiated': {
        run = send();
        await until(() => counter('initiate') > 0, 'the initiate call');
        break;
      }
      case 'stored': {
        // Segments in flight at the last kill may have landed after it: aim past them.
        const target = Math.min(Math.max(kill.target, storedCount() + 1), CHUNKS - 1);
        run = send();
        await until(() => storedCount() >= target, `${target} segments stored`);
        break;
      }
      case 'resume-start': {
        const before = counter('status');
        run = send();
        await until(() => counter('status') > before, 'the resumed run asking for the status');
        break;
      }
      case 'stall': {
        emulator.addFault({ route: kill.route, action: 'stall', stallMs: 120_000 });
        run = send();
        // The rule is used up once the request is inside the emulator, held by the stall.
        await until(async () => (await faultsLeft()) === 0, `a ${kill.route} request held by the stall`);
        break;
      }
      case 'complete-lost': {
        emulator.addFault({ route: 'complete', action: 'lose-response', count: 1000 });
        run = send();
        await until(() => upload()?.state === 'completed', 'the server completing the upload');
        break;
      }
    }
    await run.kill9();
    emulator.clearFaults();
    windows.push({ kill, from, to: Date.now() });
  }
  assert.ok(windows.length >= 20);
  assert.equal(emulator.state().messages.length, 0, 'the stalled message POST never reached the handler');

  // The message was in flight when the process died: the next run asks, finds none, sends it.
  const result = await finalResult<{ messageId: string; fileId: string; sha256: string; resumed: boolean; bytesSent: number }>(send('--json'));
  assert.equal(result.resumed, true);
  assert.equal(result.bytesSent, 0, 'delivery only');
  const again = await send().done;
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.trim(), result.messageId, 'the earlier result');
  assert.match(again.stderr, /Already delivered/);

  assert.equal(result.sha256, sha256);
  assert.equal(emulator.state().files.length, 1, 'one delivered file');
  await assertFilesApiDelivery(emulator, result, sha256);
  const state = emulator.state();

  // Per segment of the delivered upload: the runs that PUT it. A PUT whose body had fully arrived
  // is stored even when the kill came before the answer (logged with status 0): the server's status
  // shows it and no later run sends it again. So what crash k cost is the set of segments PUT in
  // run k and PUT again by a later run: the ones whose body the kill cut off.
  const completed = state.uploads.find((u) => u.fileId === result.fileId)!;
  const puts = state.requestLog.filter((e) => e.route === 'segment' && e.uploadId === completed.uploadId);
  const runOf = (at: number): number => {
    const k = windows.findIndex((w) => at >= w.from && at <= w.to);
    return k === -1 ? windows.length : k;
  };
  const runsOf = new Map<number, number[]>();
  const successes = new Map<number, number>();
  for (const e of puts) {
    const index = e.segmentIndex!;
    runsOf.set(index, [...(runsOf.get(index) ?? []), runOf(e.at)]);
    if (e.status === 200 || e.status === 206) successes.set(index, (successes.get(index) ?? 0) + 1);
  }
  assert.equal(runsOf.size, CHUNKS, 'every segment was sent');
  assert.ok([...successes.values()].every((n) => n === 1), 'no segment was answered as stored twice');
  const resent = windows.map((_, k) => [...runsOf.values()].filter((runs) => runs.includes(k) && runs.some((r) => r > k)).length * CHUNK);
  const bound = CONCURRENCY * CHUNK;
  for (const [k, bytes] of resent.entries()) assert.ok(bytes <= bound, `crash ${k} (${windows[k]!.kill.kind}) re-sent ${bytes} bytes > ${bound}`);
  const wasted = (state.counters.segment?.bytesIn ?? 0) - SIZE;
  const max = Math.max(...resent);
  const mean = resent.reduce((a, b) => a + b, 0) / resent.length;
  t.diagnostic(
    `kills ${windows.length}; re-sent per crash: max ${(max / MiB).toFixed(1)} MiB, mean ${(mean / MiB).toFixed(2)} MiB ` +
      `(bound ${bound / MiB} MiB); partial bytes received and dropped in total ${(wasted / MiB).toFixed(1)} MiB`,
  );

  const journal = openJournal({ stateDir });
  t.after(() => journal.close());
  const delivered = journal.list().filter((e) => e.state === 'delivered');
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.messageId, result.messageId);
});
