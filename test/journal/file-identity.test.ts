/** fileChanges: each way a file can differ from its journal record, and the unchanged case. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileChanges } from '../../src/journal/file-identity.js';
import type { RecordedFile } from '../../src/journal/index.js';
import { fingerprint } from '../../src/upload/fingerprint.js';
import { planSegments } from '../../src/upload/plan.js';
import { tempDir } from './helpers.js';

const PLAN = { chunkSize: 64 * 1024, maxChunks: 1000 };

async function record(path: string): Promise<RecordedFile> {
  const s = await stat(path, { bigint: true });
  const handle = await open(path, 'r');
  try {
    const chunks = await fingerprint(handle, planSegments(Number(s.size), PLAN.chunkSize, PLAN.maxChunks));
    return { path, size: Number(s.size), mtimeNs: s.mtimeNs.toString(), ino: s.ino.toString(), dev: s.dev.toString(), ...chunks };
  } finally {
    await handle.close();
  }
}

test('fileChanges: unchanged, grown, touched, replaced, tail rewritten with its mtime restored, gone', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'a.bin');
  await writeFile(path, randomBytes(300 * 1024));
  await utimes(path, 1_700_000_000, 1_700_000_000);
  const recorded = await record(path);
  assert.deepEqual(await fileChanges(recorded, PLAN), []);

  await utimes(path, 1_700_000_001, 1_700_000_001);
  assert.deepEqual(await fileChanges(recorded, PLAN), ['modification time']);
  await utimes(path, 1_700_000_000, 1_700_000_000);

  const handle = await open(path, 'r+');
  await handle.write(Buffer.from('x'), 0, 1, 300 * 1024 - 1);
  await handle.close();
  await utimes(path, 1_700_000_000, 1_700_000_000);
  assert.deepEqual(await fileChanges(recorded, PLAN), ['content of the last chunk']);

  const other = join(dir, 'b.bin');
  await writeFile(other, randomBytes(300 * 1024 + 1));
  await rename(other, path);
  const replaced = await fileChanges(recorded, PLAN);
  assert.ok(replaced.includes('replaced by another file'), replaced.join());
  assert.ok(replaced.some((c) => c.startsWith('size')));

  assert.match((await fileChanges({ ...recorded, path: join(dir, 'gone.bin') }, PLAN))[0] ?? '', /cannot be opened.*ENOENT/);
});

test('fileChanges: a file recorded without chunk digests (the service wrote it) is checked by identity only', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'spooled.bin');
  await writeFile(path, randomBytes(300 * 1024));
  await utimes(path, 1_700_000_000, 1_700_000_000);
  const recorded = { ...(await record(path)), headSha256: '', tailSha256: '' };
  assert.deepEqual(await fileChanges(recorded, PLAN), []);
  const handle = await open(path, 'r+');
  await handle.write(Buffer.from('x'), 0, 1, 0);
  await handle.close();
  await utimes(path, 1_700_000_000, 1_700_000_000);
  assert.deepEqual(await fileChanges(recorded, PLAN), [], 'its content is not read again');
  await utimes(path, 1_700_000_001, 1_700_000_001);
  assert.deepEqual(await fileChanges(recorded, PLAN), ['modification time'], 'its identity still is checked');
});
