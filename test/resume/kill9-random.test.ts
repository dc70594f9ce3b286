/**
 * Issue 8's exactly-once test: `send` of one 200 MiB file killed with SIGKILL 20 times at seeded
 * random moments, then run once more; afterwards the emulator holds exactly one message, and its
 * file's bytes are the source's. The moments: random points of the upload (a number of stored
 * segments, or a time after a start), and random picks among the delivery's windows — complete's answer lost, the
 * guest POST stalled or its answer lost, the message POST stalled, the message created but its
 * answer lost while the process asks the guest's messages (stalled: the kill lands in the asking).
 * A later run finds such an entry "sending" and asks before it sends; nothing is ever uncertain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mulberry32 } from '../../src/emulator/prng.js';
import type { FaultRule } from '../../src/emulator/types.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until, type CliRun } from './helpers/cli.js';
import { assertFilesApiDelivery, finalResult, killBed } from './helpers/kill9.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;
const SEED = 20_261_201;
const KILLS = 20;

type Moment =
  | { kind: 'time'; afterMs: number }
  | { kind: 'stored'; segments: number }
  | { kind: 'fault'; name: string; faults: FaultRule[]; held: Held };

/** When the run is inside the window: the fault rules used up, the upload completed, a message created. */
type Held = 'rules-used' | 'completed' | 'message-created';

const MESSAGE_HELD: FaultRule = { route: 'message', action: 'stall', stallMs: 120_000 };

/**
 * Delivery windows a kill can land in, each made reachable by fault rules. All but the last also
 * hold the message POST (a stall the kill ends), so no message exists before the last window,
 * where it is created and its answer lost, and the kill follows at a random few milliseconds:
 * while the process asks the guest's messages, or just after it recorded what it found.
 */
const WINDOWS: Array<Extract<Moment, { kind: 'fault' }>> = [
  {
    kind: 'fault',
    name: 'complete answer lost',
    faults: [{ route: 'complete', action: 'lose-response', count: 1000 }, { route: 'guest', action: 'stall', stallMs: 120_000 }, MESSAGE_HELD],
    held: 'completed',
  },
  { kind: 'fault', name: 'guest stalled', faults: [{ route: 'guest', action: 'stall', stallMs: 120_000 }, MESSAGE_HELD], held: 'rules-used' },
  { kind: 'fault', name: 'guest answer lost', faults: [{ route: 'guest', action: 'lose-response' }, MESSAGE_HELD], held: 'rules-used' },
  { kind: 'fault', name: 'message stalled', faults: [MESSAGE_HELD], held: 'rules-used' },
  {
    kind: 'fault',
    name: 'message answer lost',
    faults: [{ route: 'message', action: 'lose-response' }],
    held: 'message-created',
  },
];

const CHUNKS = SIZE / (5 * MiB);
/** Milliseconds from the lost message's creation to the kill (seeded). */
let lostAnswerDelay = 0;

/**
 * 13 kills across the upload — 10 at seeded random numbers of stored segments, 3 at random times
 * after a start — then 7 in the delivery's windows: those before the message exists (each once and
 * two drawn again) in a seeded random order, and last the one in which the message is created but
 * its answer lost (a kill after it would only find the delivery done).
 */
function moments(): Moment[] {
  const random = mulberry32(SEED);
  const targets = new Set<number>();
  while (targets.size < 10) targets.add(1 + Math.floor(random() * (CHUNKS - 4)));
  const upload: Moment[] = [...targets].sort((a, b) => a - b).map((segments) => ({ kind: 'stored', segments }));
  // Early in the upload, so that a short run cannot get as far as the delivery.
  for (let i = 0; i < 3; i++) upload.splice(Math.floor(random() * 8), 0, { kind: 'time', afterMs: 100 + Math.floor(random() * 1400) });
  const before = WINDOWS.slice(0, -1);
  const delivery: Moment[] = [...before, before[Math.floor(random() * before.length)]!, before[Math.floor(random() * before.length)]!];
  for (let i = delivery.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [delivery[i], delivery[j]] = [delivery[j]!, delivery[i]!];
  }
  // Last: the window that creates the message (any kill after it finds the delivery done).
  lostAnswerDelay = Math.floor(random() * 20);
  return [...upload, ...delivery, WINDOWS.at(-1)!];
}

test('20 kill -9s at seeded random moments, then one more run: exactly one message, byte-identical', async (t) => {
  const { dir, emulator, env } = await killBed(t, 'kill9-random-', { allowedContentTypes: ['application/octet-stream'] });
  const file = join(dir, 'big.bin');
  const sha256 = await writeBigFile(file, SIZE);
  const send = (...extra: string[]): CliRun => runCli(['send', file, '--to', '+15550100', ...extra], env);
  const faultsLeft = async (): Promise<number> => ((await (await fetch(`${emulator.url}/__emulator/faults`)).json()) as { faults: Array<{ route: string }> }).faults.length;
  const storedCount = (): number => emulator.state().uploads.at(-1)?.segments.length ?? 0;
  let exited = false;

  const log: string[] = [];
  for (const [k, moment] of moments().entries()) {
    const messagesBefore = emulator.state().messages.length;
    if (moment.kind === 'fault') for (const rule of moment.faults) emulator.addFault(rule);
    const run = send();
    exited = false;
    void run.done.then(() => {
      exited = true;
    });
    if (moment.kind === 'time') {
      await new Promise((resolve) => setTimeout(resolve, moment.afterMs));
    } else if (moment.kind === 'stored') {
      // Segments in flight at the last kill may have landed after it: aim past them.
      const target = Math.min(Math.max(moment.segments, storedCount() + 1), CHUNKS - 1);
      await until(() => exited || storedCount() >= target, `run ${k}: ${target} segments stored`, 120_000);
    } else {
      const total = moment.faults.length;
      const inside = async (): Promise<boolean> => {
        if (moment.held === 'rules-used') return (await faultsLeft()) < total;
        if (moment.held === 'completed') return emulator.state().uploads.some((u) => u.state === 'completed');
        return emulator.state().messages.length > messagesBefore;
      };
      // Held in the window, or past it (a run that finds nothing left to do there exits by itself).
      await until(async () => exited || (await inside()), `run ${k}: ${moment.name}`, 120_000);
      if (moment.held === 'message-created' && !exited) {
        // The process now asks the guest's messages: kill it a random moment into that.
        await new Promise((resolve) => setTimeout(resolve, lostAnswerDelay));
      }
    }
    const last = k === KILLS - 1;
    if (last) assert.equal(messagesBefore, 0, 'no message before the last window');
    await run.kill9();
    emulator.clearFaults();
    const result = await run.done;
    if (last) assert.equal(emulator.state().messages.length, 1, 'created once; the process asked instead of sending again');
    const what = moment.kind === 'time' ? `${moment.afterMs} ms` : moment.kind === 'stored' ? `${moment.segments} segments` : moment.name;
    log.push(`${k}: ${what}${result.code === null ? '' : ` (exited ${result.code})`}`);
  }
  t.diagnostic(log.join('; '));

  const result = await finalResult<{ messageId: string; fileId: string; sha256: string }>(send('--json'));
  assert.equal(result.sha256, sha256);
  await assertFilesApiDelivery(emulator, result, sha256);
});
