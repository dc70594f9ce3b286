/**
 * Relay while receiving: the service opens the destination's upload at the tus creation, names its
 * part size (Genesys-Upload-Part-Size), and stores each part as soon as the intake verified it.
 * Progress is observed through the job's SSE stream and the emulator's request log (events, not
 * timing); the kill -9 case runs the service as a child process, the emulator in this process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_CLIENT, type EmulatorHandle } from '../../src/emulator/index.js';
import { getToken, http as emulatorHttp } from '../helpers/emulator-client.js';
import { createStreamed, followJob, headOffset, http, jobIdOf, sendChecksummed, sha256Hex, startTestService, terminal } from './helpers.js';
import { killHard, stopService, withServiceRig } from './service-process.js';

const KiB = 1024;

/** POST /files/ → the upload URL and the part size the service named. */
const create = (base: string, size: number, filename: string): Promise<{ url: string; partSize: number }> =>
  createStreamed(base, size, { filename, to: '+15550100' });
const send = sendChecksummed;

/** PUTs of each part of `uploadId` in the emulator's request log. */
function putsOf(emulator: Pick<EmulatorHandle, 'state'>, uploadId: string): Map<number, number> {
  const puts = new Map<number, number>();
  for (const entry of emulator.state().requestLog) {
    if (entry.route === 'segment' && entry.uploadId === uploadId && entry.segmentIndex !== undefined) puts.set(entry.segmentIndex, (puts.get(entry.segmentIndex) ?? 0) + 1);
  }
  return puts;
}

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

test('aligned chunks: every part but the last is stored before the last byte is sent; identical bytes, no chunk counted unaligned', async () => {
  const t = await startTestService({ emulator: { chunkSize: 64 * KiB, singleChunkMaxSize: 0 }, concurrency: 2 });
  try {
    const data = randomBytes(6 * 64 * KiB + 1000);
    const { url, partSize } = await create(t.url, data.length, 'aligned.pdf');
    assert.equal(partSize, 64 * KiB);
    const id = jobIdOf(url);
    const last = 6 * partSize;
    await send(url, data, 0, last, partSize);
    // Relay progress while receiving (SSE): the six full parts are stored before the last chunk goes.
    const progress = (await followJob(t.url, id, (job) => job.relay.bytes >= last)).at(-1)!.data;
    assert.equal(progress.state, 'receiving');
    const emulator = t.service.emulator!;
    const uploadId = emulator.state().uploads[0]!.uploadId;
    assert.equal(putsOf(emulator, uploadId).size, 6);
    await send(url, data, last, data.length, partSize);
    const job = (await followJob(t.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', JSON.stringify(job.error));
    assert.equal(job.sha256, sha256Hex(data));
    const state = emulator.state();
    assert.equal(state.messages.length, 1);
    assert.equal(state.uploads.length, 1);
    assert.deepEqual([...putsOf(emulator, uploadId).values()], [1, 1, 1, 1, 1, 1, 1]);
    const token = await getToken(t.emulatorUrl);
    const stored = await emulatorHttp(`${t.emulatorUrl}/api/v2/files/${job.fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(stored.bytes.equals(data));
    assert.equal(metric((await http(`${t.url}/metrics`)).text, 'genesys_upload_unaligned_chunks_total'), 0);
  } finally {
    await t.close();
  }
});

test('unaligned chunks still deliver identical bytes and are counted', async () => {
  const t = await startTestService({ emulator: { chunkSize: 64 * KiB, singleChunkMaxSize: 0 } });
  try {
    const data = randomBytes(5 * 64 * KiB + 17);
    const { url } = await create(t.url, data.length, 'unaligned.pdf');
    await send(url, data, 0, data.length, 100 * KiB);
    const job = (await followJob(t.url, jobIdOf(url), terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', JSON.stringify(job.error));
    assert.equal(job.sha256, sha256Hex(data));
    const token = await getToken(t.emulatorUrl);
    const stored = await emulatorHttp(`${t.emulatorUrl}/api/v2/files/${job.fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(stored.bytes.equals(data));
    assert.ok(metric((await http(`${t.url}/metrics`)).text, 'genesys_upload_unaligned_chunks_total') >= 1);
  } finally {
    await t.close();
  }
});

test('kill -9 while an upload is relayed as it arrives, restart, tus resume: one message, identical bytes, no held part sent again', async () => {
  await withServiceRig('gu-relay-stream-', { chunkSize: 64 * KiB, singleChunkMaxSize: 0 }, async ({ dir, emulator, start }) => {
    const args = ['--port', '0', '--state-dir', join(dir, 'state'), '--spool-dir', join(dir, 'spool'), '--base-url', emulator.url, '--concurrency', '2'];
    const env = { GENESYS_CLIENT_ID: DEMO_CLIENT.id, GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret };
    const data = randomBytes(10 * 64 * KiB + 5);
    const first = await start(args, env);
    const { url, partSize } = await create(first.url, data.length, 'crash.pdf');
    const id = jobIdOf(url);
    await send(url, data, 0, 4 * partSize, partSize);
    await followJob(first.url, id, (job) => job.relay.bytes >= 4 * partSize);
    const uploadId = emulator.state().uploads[0]!.uploadId;

    await killHard(first);

    const second = await start(args, env);
    const resumeUrl = url.replace(first.url, second.url);
    const offset = await headOffset(resumeUrl);
    assert.equal(offset, 4 * partSize);
    await send(resumeUrl, data, offset, data.length, partSize);
    const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', `${JSON.stringify(job.error)}\n${second.stderr()}`);
    assert.equal(job.sha256, sha256Hex(data));
    const state = emulator.state();
    assert.equal(state.messages.length, 1, 'exactly one message');
    assert.equal(state.uploads.length, 1, 'the upload opened at creation was continued');
    const puts = putsOf(emulator, uploadId);
    for (let index = 0; index < 11; index += 1) assert.equal(puts.get(index), 1, `part ${index} was sent once`);
    const token = await getToken(emulator.url);
    const stored = await emulatorHttp(`${emulator.url}/api/v2/files/${job.fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(stored.bytes.equals(data), 'the stored file is byte-identical');
    await stopService(second);
  });
});

test('without the resume journal (it cannot be opened): an upload stored while receiving only needs its message; after intake the whole pipeline runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gu-relay-stream-nojournal-'));
  // A directory where the journal's database would be: the service warns and runs without it.
  await mkdir(join(dir, 'state', 'journal.db'), { recursive: true });
  for (const relayWhileReceiving of [true, false]) {
    const t = await startTestService({ emulator: { chunkSize: 64 * KiB, singleChunkMaxSize: 0 }, stateDir: join(dir, 'state'), spoolDir: join(dir, `spool-${relayWhileReceiving}`), relayWhileReceiving });
    try {
      const data = randomBytes(3 * 64 * KiB + 9);
      const { url, partSize } = await create(t.url, data.length, 'nojournal.pdf');
      assert.equal(partSize > 0, relayWhileReceiving, 'a part size is named only when relaying while receiving');
      await send(url, data, 0, data.length, relayWhileReceiving ? partSize : 100 * KiB);
      const job = (await followJob(t.url, jobIdOf(url), terminal)).at(-1)!.data;
      assert.equal(job.state, 'delivered', JSON.stringify(job.error));
      assert.equal(job.sha256, sha256Hex(data));
      const state = t.service.emulator!.state();
      assert.equal(state.uploads.length, 1, 'uploaded once');
      assert.deepEqual([...putsOf(t.service.emulator!, state.uploads[0]!.uploadId).values()], [1, 1, 1, 1]);
      assert.equal(state.messages.length, 1);
      assert.deepEqual(state.messages[0]!.attachments.map((a) => a.id), [job.fileId]);
      const token = await getToken(t.emulatorUrl);
      const stored = await emulatorHttp(`${t.emulatorUrl}/api/v2/files/${job.fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
      assert.ok(stored.bytes.equals(data));
    } finally {
      await t.close();
    }
  }
  await rm(dir, { recursive: true, force: true });
});
