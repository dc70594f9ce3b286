/**
 * kill -9 after S3's CompleteMultipartUpload made the object but before the journal recorded it
 * (its answer lost, the check that follows held): the same command then finds the upload gone
 * (NoSuchUpload), asks HeadObject about the journalled key, and — the object's size and composite
 * checksum being the journalled parts' — takes it as stored. No part is sent again, no second
 * object is left behind, and one link message arrives whose link downloads the source's bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { request } from 'undici';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until } from './helpers/cli.js';
import { killBed } from './helpers/kill9.js';
import { linkMessagesOf, linkObjects, linkSendEnv, type LinkMessage, type LinkObject } from './helpers/link-send.js';

const MiB = 1024 * 1024;
const NAME = 'finished.zip';

const objects = (e: EmulatorHandle): LinkObject[] => linkObjects(e, NAME);
const linkMessages = (e: EmulatorHandle): LinkMessage[] => linkMessagesOf(e, NAME);

test('kill -9 between a successful CompleteMultipartUpload and its journal record: the resume takes the object as stored, nothing uploaded twice', async (t) => {
  const bed = await killBed(t, 'kill9-link-complete-');
  const { dir, emulator } = bed;
  const env = linkSendEnv(bed);
  const file = join(dir, NAME);
  const sha256 = await writeBigFile(file, 16 * MiB);
  const args = ['send', file, '--via', 'web-messaging', '--delivery', 'link', '--concurrency', '2', '--json', '--quiet'];

  // Complete's answers lost (the object is made), and the check a lost answer leads to held.
  emulator.addFault({ route: 's3-complete', action: 'lose-response', count: 1000 });
  emulator.addFault({ route: 's3-head', action: 'stall', stallMs: 60_000, count: 1000 });
  const run = runCli(args, env);
  await Promise.race([until(() => objects(emulator).length > 0, 'the object made'), run.done.then((r) => assert.fail(`the CLI finished before the kill (${r.code}): ${r.stderr}`))]);
  await run.kill9();
  emulator.clearFaults();
  assert.equal(linkMessages(emulator).length, 0);

  const before = emulator.state().requestLog.length;
  const last = await runCli(args, env).done;
  assert.equal(last.code, 0, last.stderr);
  const result = JSON.parse(last.stdout.trim().split('\n').at(-1) ?? '{}') as { messageId: string; sha256: string; resumed: boolean; bytesSkipped: number; bytesSent: number };
  assert.equal(result.sha256, sha256);
  assert.equal(result.resumed, true);
  assert.equal(result.bytesSkipped, 16 * MiB);
  assert.equal(result.bytesSent, 0);
  const again = emulator.state().requestLog.slice(before);
  assert.deepEqual(again.filter((r) => r.route === 's3-part' || r.route === 's3-create' || r.route === 's3-complete'), [], 'no part, no new upload, no second completion');
  assert.equal(objects(emulator).length, 1, 'one object: no duplicate');
  assert.ok(objects(emulator).every((o) => o.sha256 === sha256));

  const delivered = linkMessages(emulator);
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]!.id, result.messageId);
  const url = /^Download: (\S+)$/m.exec(delivered[0]!.text ?? '')?.[1];
  assert.ok(url !== undefined && url.includes(`/${NAME}?`));
  const res = await request(url);
  const hash = createHash('sha256');
  for await (const chunk of res.body) hash.update(chunk as Buffer);
  assert.equal(res.statusCode, 200);
  assert.equal(hash.digest('hex'), sha256, 'the link downloads the identical bytes');
});
