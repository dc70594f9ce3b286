/**
 * The big ones: a 300 MiB file sent as 60 segments, 5 at a time in shuffled order, then completed
 * and read back whole (SHA-256 equal); and connection resets in the middle of a 5 MiB body, which
 * must store nothing. Segments are read from a temp file, so memory stays near 5 × 5 MiB.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { request } from 'undici';
import {
  complete,
  getToken,
  initiateOrThrow,
  putSegment,
  segmentChecksum,
  segmentCount,
  segmentRange,
  sha256Hex,
  uploadStatusOrThrow,
} from '../../helpers/emulator-client.js';
import { emulatorFor, MiB, waitFor } from './fixtures.js';
import { rawHttp } from './raw-http.js';

const TYPE = 'application/octet-stream';

/** Writes `size` deterministic pseudo-random bytes (AES-CTR keystream of a fixed key) and returns their SHA-256. */
async function writeSeededFile(path: string, size: number, seed: string): Promise<string> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(8 * MiB);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < size; ) {
      const n = Math.min(zeros.length, size - written);
      const block = cipher.update(zeros.subarray(0, n));
      hash.update(block);
      await file.write(block, 0, block.length, written);
      written += n;
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** Fisher–Yates with a small seeded generator, so the order is the same on every run. */
function shuffled(count: number, seed: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  let x = seed >>> 0;
  for (let i = order.length - 1; i > 0; i -= 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

describe('big uploads', () => {
  test('300 MiB: 60 segments, 5 in parallel, shuffled; completed; content SHA-256 equals the source', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'conformance-big-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const total = 300 * MiB;
    const source = join(dir, 'source.bin');
    const sourceSha = await writeSeededFile(source, total, 'conformance-300');
    const emu = await emulatorFor(t, { allowedContentTypes: [TYPE] });
    const token = await getToken(emu.url);
    const init = await initiateOrThrow(emu.url, token, { fileName: 'big.bin', contentType: TYPE, totalSize: total });
    assert.equal(init.chunkSize, 5 * MiB);
    const count = segmentCount(init.chunkSize, total);
    assert.equal(count, 60);

    const order = shuffled(count, 20240601);
    const checksums: string[] = new Array<string>(count);
    const statuses: number[] = [];
    const file = await open(source, 'r');
    t.after(() => file.close());
    let next = 0;
    const worker = async (): Promise<void> => {
      const buffer = Buffer.allocUnsafe(init.chunkSize);
      while (next < order.length) {
        const index = order[next] as number;
        next += 1;
        const { start, end } = segmentRange(index, init.chunkSize, total);
        const length = end - start + 1;
        await file.read(buffer, 0, length, start);
        const data = buffer.subarray(0, length);
        const res = await putSegment(init.presignedUrl, { data, start, totalSize: total, contentType: TYPE, checksum: true });
        assert.ok(res.status === 200 || res.status === 206, `segment ${index}: ${res.status} ${res.text.slice(0, 200)}`);
        assert.equal(res.headers.etag, `"${sha256Hex(data)}"`);
        statuses.push(res.status);
        checksums[index] = segmentChecksum(data);
      }
    };
    await Promise.all(Array.from({ length: 5 }, worker));
    assert.equal(statuses.length, 60);
    assert.ok(statuses.includes(200), 'the last segment to land answered 200');

    const status = await uploadStatusOrThrow(emu.url, token, init.uploadId);
    assert.deepEqual(status.segments.map((s) => s.checksum), checksums);
    const done = await complete(emu.url, token, init.uploadId, { checksums, contentType: TYPE });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.size, total);
    assert.equal(done.json.sha256, sourceSha);

    const res = await request(`${emu.url}/api/v2/files/${done.json.fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 200);
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    assert.equal(received, total);
    assert.equal(hash.digest('hex'), sourceSha, 'the content read back is the source, byte for byte');
  });

  test('a connection reset in the middle of a 5 MiB body stores nothing', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: [TYPE] });
    const token = await getToken(emu.url);
    const total = 12 * MiB;
    const init = await initiateOrThrow(emu.url, token, { fileName: 'reset.bin', contentType: TYPE, totalSize: total });
    const segment = Buffer.alloc(5 * MiB, 0x5a);

    // The client dies after 2 MiB of segment 0.
    await rawHttp({
      method: 'PUT',
      url: init.presignedUrl,
      headers: [
        ['Content-Type', TYPE],
        ['Content-Range', `bytes 0-${5 * MiB - 1}/${total}`],
        ['Content-Length', String(5 * MiB)],
      ],
      body: segment.subarray(0, 2 * MiB),
      then: 'destroy',
    });
    await waitFor(() => emu.state().requestLog.some((e) => e.route === 'segment'), 'the reset PUT is in the request log');
    assert.deepEqual((await uploadStatusOrThrow(emu.url, token, init.uploadId)).segments, []);

    // The storage cuts segment 1 after 1 MiB.
    emu.addFault({ route: 'segment', action: 'reset', afterBytes: MiB });
    const cut = putSegment(init.presignedUrl, { data: segment, start: 5 * MiB, totalSize: total, contentType: TYPE });
    await assert.rejects(cut, 'the client sees the connection fail');
    assert.deepEqual((await uploadStatusOrThrow(emu.url, token, init.uploadId)).segments, []);
    assert.deepEqual(
      emu.state().uploads.find((u) => u.uploadId === init.uploadId)?.segments,
      [],
      'nothing stored, not even in part',
    );

    const again = await putSegment(init.presignedUrl, { data: segment, start: 5 * MiB, totalSize: total, contentType: TYPE });
    assert.equal(again.status, 206, 'a whole re-send is stored');
  });
});
