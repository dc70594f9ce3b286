/**
 * `send --via web-messaging --delivery link` of one 26 MiB file (six 5 MiB parts to the emulator's
 * S3 endpoint) killed with SIGKILL at ten points — during the multipart upload's creation, its
 * parts, its completion (once after the store made the object, which the next run then finds by
 * HeadObject instead of uploading it again) and the link message — each kill followed by the same
 * command, and a last run that finishes. Afterwards: exactly one message carries a link to the file, the link downloads
 * the source's bytes, and no part was ever stored twice (a part the store held, as ListParts says,
 * was never sent again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createHash } from 'node:crypto';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { FaultRule } from '../../src/emulator/types.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until } from './helpers/cli.js';
import { killBed } from './helpers/kill9.js';
import { linkMessagesOf, linkObjects, linkSendEnv, type LinkMessage, type LinkObject } from './helpers/link-send.js';

const MiB = 1024 * 1024;
const SIZE = 26 * MiB;
const PARTS = 6;
const NAME = 'archive.zip';

interface S3View {
  uploads: Array<{ key: string; uploadId: string; parts: unknown[] }>;
}

const s3 = (e: EmulatorHandle): S3View => e.state().s3 as unknown as S3View;
const ours = (key: string): boolean => key.endsWith(`/${NAME}`);
const objects = (e: EmulatorHandle): LinkObject[] => linkObjects(e, NAME);
/** The most parts any open upload of the file holds. */
const held = (e: EmulatorHandle): number => Math.max(0, ...s3(e).uploads.filter((u) => ours(u.key)).map((u) => u.parts.length));
const linkMessages = (e: EmulatorHandle): LinkMessage[] => linkMessagesOf(e, NAME);

const fault = (e: EmulatorHandle, rule: FaultRule): string => e.addFault(rule);
const wmFault = (e: EmulatorHandle, rule: Record<string, unknown>): string => e.webMessaging.addFault(rule as never);
async function faultsLeft(e: EmulatorHandle): Promise<number> {
  return ((await (await fetch(`${e.url}/__emulator/faults`)).json()) as { faults: unknown[] }).faults.length;
}
const used = async (e: EmulatorHandle): Promise<boolean> => (await faultsLeft(e)) === 0;

interface Point {
  name: string;
  /** Sets the faults before the run starts, and resolves when the run is inside the window. */
  arm(e: EmulatorHandle): Promise<void>;
}

const POINTS: Point[] = [
  { name: 'CreateMultipartUpload stalled', arm: async (e) => (fault(e, { route: 's3-create', action: 'stall', stallMs: 60_000 }), until(() => used(e), 'the create')) },
  { name: 'the first part stalled', arm: async (e) => (fault(e, { route: 's3-part', action: 'stall', stallMs: 60_000, partNumber: 1 }), until(() => used(e), 'part 1')) },
  {
    name: 'three parts held, part 5 stalled',
    arm: async (e) => (fault(e, { route: 's3-part', action: 'stall', stallMs: 60_000, partNumber: 5 }), until(() => held(e) >= 3, 'three parts')),
  },
  { name: 'a part cut mid-body', arm: async (e) => (fault(e, { route: 's3-part', action: 'reset', afterBytes: MiB, partNumber: 5, count: 1000 }), until(() => used(e).then((u) => !u || held(e) >= 4), 'part 5 reset')) },
  { name: 'the last part stalled', arm: async (e) => (fault(e, { route: 's3-part', action: 'stall', stallMs: 60_000, partNumber: 6 }), until(() => used(e), 'part 6')) },
  { name: 'CompleteMultipartUpload stalled', arm: async (e) => (fault(e, { route: 's3-complete', action: 'stall', stallMs: 60_000 }), until(() => used(e), 'the complete')) },
  {
    name: "CompleteMultipartUpload's answer lost (the upload is gone: the next run finds the object by HeadObject)",
    arm: async (e) => {
      const before = objects(e).length;
      fault(e, { route: 's3-complete', action: 'lose-response', count: 1000 });
      fault(e, { route: 's3-head', action: 'stall', stallMs: 60_000, count: 1000 });
      await until(() => objects(e).length > before, 'the object made');
    },
  },
  {
    name: 'onMessage rate-limited',
    arm: async (e) => {
      // The object found by HeadObject (the last kill came after Complete), held a moment so that
      // the rate limit lands on onMessage.
      fault(e, { route: 's3-head', action: 'stall', stallMs: 1_500 });
      await until(() => used(e), 'the object check');
      wmFault(e, { action: 'too-many-requests', retryAfter: 60 });
      await until(() => e.webMessaging.faults().length === 0, 'the rate-limited onMessage');
    },
  },
  { name: "onMessage's answer lost", arm: async (e) => (wmFault(e, { action: 'lose-message-response' }), until(() => linkMessages(e).length > 0, 'the message stored')) },
  {
    name: "onMessage's answer lost, killed again while settling",
    arm: async (e) => {
      wmFault(e, { action: 'too-many-requests', retryAfter: 60 });
      await until(() => e.webMessaging.faults().length === 0, 'the rate-limited settle');
    },
  },
];

test('kill -9 at ten points of a link send, then the same command: one message, identical bytes, no part stored twice', async (t) => {
  const bed = await killBed(t, 'kill9-link-');
  const { dir, emulator } = bed;
  const env = linkSendEnv(bed);
  const file = join(dir, NAME);
  const sha256 = await writeBigFile(file, SIZE);
  const args = ['send', file, '--via', 'web-messaging', '--delivery', 'link', '--concurrency', '2', '--json', '--quiet'];
  const log: string[] = [];
  for (const point of POINTS) {
    const run = runCli(args, env);
    await Promise.race([point.arm(emulator), run.done.then((r) => assert.fail(`${point.name}: the CLI finished before the kill (${r.code}): ${r.stderr}`))]);
    await run.kill9();
    emulator.clearFaults();
    emulator.webMessaging.clearFaults();
    log.push(`${point.name}: ${held(emulator)} parts held, ${objects(emulator).length} objects, ${linkMessages(emulator).length} messages`);
  }
  t.diagnostic(log.join('; '));
  const last = await runCli(args, env).done;
  assert.equal(last.code, 0, last.stderr);
  const result = JSON.parse(last.stdout.trim().split('\n').at(-1) ?? '{}') as { messageId: string; sha256: string; destination: string; delivery: string };
  assert.equal(result.destination, 'web-messaging+s3');
  assert.equal(result.delivery, 'link');
  assert.equal(result.sha256, sha256);

  const delivered = linkMessages(emulator);
  assert.equal(delivered.length, 1, JSON.stringify(delivered.map((m) => m.id)));
  assert.equal(delivered[0]!.id, result.messageId);
  const url = /^Download: (\S+)$/m.exec(delivered[0]!.text ?? '')?.[1];
  assert.ok(url !== undefined);
  const res = await request(url);
  const hash = createHash('sha256');
  for await (const chunk of res.body) hash.update(chunk as Buffer);
  assert.equal(res.statusCode, 200);
  assert.equal(hash.digest('hex'), sha256, 'the link downloads the identical bytes');

  // No part stored twice: every answered UploadPart is a part some upload (open or completed) holds.
  // A PUT whose client was killed before the answer (logged with status 0) may or may not have
  // stored its part (the next run's ListParts decides), so it may account for one held part.
  const partLog = emulator.state().requestLog.filter((r) => r.route === 's3-part');
  const answered = partLog.filter((r) => r.status === 200).length;
  const unanswered = partLog.filter((r) => r.status === 0).length;
  const holding = s3(emulator).uploads.filter((u) => ours(u.key)).reduce((n, u) => n + u.parts.length, 0) + objects(emulator).reduce((n, o) => n + (o.parts ?? 0), 0);
  t.diagnostic(`UploadPart: ${answered} answered, ${unanswered} unanswered; parts held: ${holding}`);
  assert.ok(answered <= holding && holding <= answered + unanswered, `held parts were not sent again (${answered} answered PUTs, ${unanswered} unanswered, ${holding} parts held)`);
  assert.equal(objects(emulator).length, 1, 'one object: the one Complete made before a kill was not uploaded again');
  assert.ok(objects(emulator).every((o) => o.sha256 === sha256 && o.parts === PARTS));
});
