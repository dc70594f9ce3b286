/**
 * PROTOCOL.md section 6 ("fileIds … survive an emulator restart when it runs with a data
 * directory") and section 9 (the data directory): close the emulator, start it again on the same
 * directory and port, and find the completed file, the open upload's segments, and a working
 * pre-signed URL issued before the restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { startEmulator } from '../../../src/emulator/index.js';
import type { EmulatorHandle, StartEmulatorOptions } from '../../../src/emulator/types.js';
import {
  api,
  complete,
  createGuestOrThrow,
  getToken,
  initiateOrThrow,
  putSegment,
  segmentChecksum,
  sendMessage,
  sha256Hex,
  uploadFile,
  uploadStatusOrThrow,
} from '../../helpers/emulator-client.js';
import { MiB, patternBytes } from './fixtures.js';

const TYPE = 'application/octet-stream';
const SETTINGS: StartEmulatorOptions = { host: '127.0.0.1', allowedContentTypes: [TYPE] };

/** Starts an emulator that the test closes (once) at its end, however it ends. */
async function start(t: TestContext, options: StartEmulatorOptions): Promise<{ emu: EmulatorHandle; close(): Promise<void> }> {
  const emu = await startEmulator(options);
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= emu.close());
  t.after(close);
  return { emu, close };
}

describe('restart with a data directory', () => {
  test('a completed file, an open upload with its segments, a message and an old URL survive', async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'conformance-restart-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));

    const first = await start(t, { ...SETTINGS, port: 0, dataDir });
    const url = first.emu.url;
    let token = await getToken(url);
    const fileData = patternBytes(12 * MiB, 21);
    const done = await uploadFile(url, token, { fileName: 'kept.bin', contentType: TYPE, data: fileData });
    const guest = await createGuestOrThrow(url, token);
    const sent = await sendMessage(url, token, {
      guestId: guest.id,
      to: ['a@example.com'],
      text: 'kept',
      attachments: [{ id: done.completed.fileId, name: 'kept.bin' }],
    });
    assert.equal(sent.status, 201);

    const openData = patternBytes(11 * MiB, 22);
    const open = await initiateOrThrow(url, token, { fileName: 'resumed.bin', contentType: TYPE, totalSize: openData.length });
    assert.equal(open.chunkSize, 5 * MiB);
    const seg = (i: number) => {
      const start = i * open.chunkSize;
      return { start, data: openData.subarray(start, Math.min(start + open.chunkSize, openData.length)) };
    };
    for (const i of [0, 2]) {
      const res = await putSegment(open.presignedUrl, { ...seg(i), totalSize: openData.length, contentType: TYPE });
      assert.equal(res.status, 206);
    }
    const before = await api<Record<string, unknown>>(url, token, 'GET', `/api/v2/files/${done.completed.fileId}`);
    await first.close();

    // Same directory, same port: the URL issued before the restart names the same origin.
    const second = await start(t, { ...SETTINGS, port: first.emu.port, dataDir });
    assert.equal(second.emu.url, url);
    // Reading: access tokens are not promised to survive a restart, so take a fresh one.
    token = await getToken(url);

    const meta = await api<Record<string, unknown>>(url, token, 'GET', `/api/v2/files/${done.completed.fileId}`);
    assert.equal(meta.status, 200, meta.text);
    assert.deepEqual(meta.json, before.json, 'the file metadata is unchanged');
    const content = await api(url, token, 'GET', `/api/v2/files/${done.completed.fileId}/content`);
    assert.equal(content.status, 200);
    assert.ok(content.bytes.equals(fileData), 'the content is identical');

    const message = await api<{ attachments: Array<{ sha256: string }> }>(url, token, 'GET', `/api/v2/conversations/messaging/messages/${sent.json.id}`);
    assert.equal(message.status, 200, message.text);
    assert.equal(message.json.attachments[0]?.sha256, sha256Hex(fileData));

    const status = await uploadStatusOrThrow(url, token, open.uploadId);
    assert.equal(status.state, 'open');
    assert.deepEqual(status.segments, [
      { index: 0, size: 5 * MiB, checksum: segmentChecksum(seg(0).data) },
      { index: 2, size: MiB, checksum: segmentChecksum(seg(2).data) },
    ]);

    const viaOldUrl = await putSegment(open.presignedUrl, { ...seg(1), totalSize: openData.length, contentType: TYPE });
    assert.equal(viaOldUrl.status, 200, `the pre-restart URL still works: ${viaOldUrl.text}`);
    const viaFreshUrl = await putSegment(status.presignedUrl, { ...seg(0), totalSize: openData.length, contentType: TYPE });
    assert.equal(viaFreshUrl.status, 200, `a fresh URL works: ${viaFreshUrl.text}`);

    const checksums = [0, 1, 2].map((i) => segmentChecksum(seg(i).data));
    const finished = await complete(url, token, open.uploadId, { checksums, contentType: TYPE });
    assert.equal(finished.status, 200, finished.text);
    assert.equal(finished.json.sha256, sha256Hex(openData));
    assert.notEqual(finished.json.fileId, done.completed.fileId);
  });
});
