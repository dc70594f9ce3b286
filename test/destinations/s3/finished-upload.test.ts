/**
 * A crash after CompleteMultipartUpload succeeded but before the journal recorded it: the resume
 * finds the upload gone (NoSuchUpload) and asks HeadObject about the journalled key. The object is
 * taken as the finished upload — nothing sent again, no second object — only when its size is the
 * file's and its composite checksum is the one the journalled part checksums make. A store that
 * keeps no checksums (the emulator's rgw16 flavor, s3rver) can only confirm the size, which is not
 * trusted: the upload starts over, as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultS3Settings } from '../../../src/emulator/s3/index.js';
import type { StepContext } from '../../../src/destinations/destination.js';
import { IntegrityError } from '../../../src/errors/index.js';
import { drive, journalledParts } from './drive.js';
import { bytes, download, emulator, emulatorStore, MiB, s3rver, s3rverStore, sha256hex } from './helpers.js';

const step = (): StepContext => ({ signal: new AbortController().signal, retry: { limit: 0 } as never, emit: () => {} });
const facts = (size: number) => ({ fileName: 'file.bin', contentType: 'application/octet-stream', size });

test('emulator: an upload completed before the journal knew it is resumed as stored — nothing sent again, one object, verified', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const data = bytes(17 * MiB, 31);
  const first = await drive(store, data);
  assert.equal(first.stored?.verified, true);
  const state = first.session.state();
  const parts = journalledParts(first.session.plan, data);

  const second = await drive(store, data, { resume: state, journalled: parts });
  assert.equal(second.session.resumed, true);
  assert.deepEqual([...second.session.held.keys()], [0, 1, 2, 3]);
  assert.deepEqual(second.sent, [], 'no part sent again');
  assert.equal(second.stored?.verified, true);
  assert.equal(second.stored?.link?.url.includes((state as { key: string }).key), true, 'the link is to the journalled key');
  assert.equal(emu.state().s3.buckets[0]?.objects.length, 1, 'no second object');
  assert.equal(sha256hex((await download(second.stored?.link?.url ?? '')).body), sha256hex(data));
});

test('emulator: a finished object whose composite is not the journalled parts, or parts missing from the journal, starts over', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const data = bytes(11 * MiB, 32);
  const first = await drive(store, data);
  const state = first.session.state();
  const parts = journalledParts(first.session.plan, data);
  const other = journalledParts(first.session.plan, bytes(11 * MiB, 33));
  const wrong = [parts[0]!, other[1]!, parts[2]!];
  assert.equal(await store.resume(state, facts(data.length), step(), wrong), undefined, 'a different part checksum');
  assert.equal(await store.resume(state, facts(data.length), step(), parts.slice(0, 2)), undefined, 'a part the journal does not hold');
  assert.equal(await store.resume(state, facts(data.length), step()), undefined, 'no journalled parts at all');
  // The object gone too (removed by someone): start over.
  const { key } = state as { key: string };
  await (await store.s3Client()).send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: 'genesys-uploads', Key: key }));
  assert.equal(await store.resume(state, facts(data.length), step(), parts), undefined, 'no object');
});

test('emulator: a resumed finished upload whose file changed since (a held part no longer matches) is refused at completion', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const data = bytes(11 * MiB, 34);
  const first = await drive(store, data);
  const session = await store.resume(first.session.state(), facts(data.length), step(), journalledParts(first.session.plan, data));
  assert.ok(session !== undefined);
  const parts = [...session.held.values()];
  const changed = [parts[0]!, { ...parts[1]!, checksum: `sha256:${'0'.repeat(64)}` }, parts[2]!];
  const error = await session.complete(changed, { sha256: sha256hex(data), size: data.length }, step()).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof IntegrityError, String(error));
  assert.equal(error.code, 'integrity.composite_mismatch');
});

test('rgw16 (no checksums): the size alone is not trusted — the finished upload is not taken, the resume starts over', async (t) => {
  const emu = await emulator(t, { s3: { ...defaultS3Settings(), flavor: 'rgw16' } });
  const store = emulatorStore(t, emu);
  const data = bytes(11 * MiB, 35);
  const first = await drive(store, data);
  assert.equal(first.stored?.verified, false);
  assert.equal(await store.resume(first.session.state(), facts(data.length), step(), journalledParts(first.session.plan, data)), undefined);
});

test('s3rver (no checksums, no ListParts): the size alone is not trusted — the resume starts over', async (t) => {
  const peer = await s3rver(t);
  const store = s3rverStore(t, peer.url);
  const data = bytes(11 * MiB, 36);
  const first = await drive(store, data);
  assert.equal(first.stored?.verified, false);
  assert.equal(await store.resume(first.session.state(), facts(data.length), step(), journalledParts(first.session.plan, data)), undefined);
});
