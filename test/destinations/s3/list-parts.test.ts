/** ListParts is paginated (S3 answers at most 1,000 parts a page): every page is read. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { heldParts, listParts } from '../../../src/destinations/s3/list-parts.js';
import { planSegments } from '../../../src/upload/plan.js';
import { BUCKET, emulator, emulatorStore } from './helpers.js';

test('ListParts over three pages: 1,203 parts, each with its size, ETag and checksum', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu);
  const key = 'many/parts.bin';
  const client = await store.s3Client();
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: 'SHA256' }));
  const target = { bucket: BUCKET, key, uploadId: created.UploadId ?? '' };
  const total = 1203;
  let next = 1;
  const worker = async (): Promise<void> => {
    for (let n = next++; n <= total; n = next++) {
      const body = Buffer.from([n % 256]);
      await client.send(
        new UploadPartCommand({ ...{ Bucket: BUCKET, Key: key, UploadId: target.uploadId }, PartNumber: n, Body: body, ChecksumSHA256: createHash('sha256').update(body).digest('base64') }),
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const listed = await listParts(store.connection, target, undefined);
  assert.equal(listed?.length, total);
  assert.deepEqual(listed?.map((p) => p.partNumber), Array.from({ length: total }, (_, i) => i + 1));
  const held = heldParts(planSegments(total, 1, 10_000), listed ?? []);
  assert.equal(held.size, total);
  assert.equal(held.get(1202)?.checksum, `sha256:${createHash('sha256').update(Buffer.from([1203 % 256])).digest('hex')}`);
  assert.equal(held.get(0)?.etag, createHash('md5').update(Buffer.from([1])).digest('hex'));
  // A part of the wrong size for the plan cannot be ours: left out (sent again).
  assert.equal(heldParts(planSegments(total * 2, 2, 10_000), listed ?? []).size, 0);
});
