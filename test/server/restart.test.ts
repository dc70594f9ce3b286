/**
 * The service killed with SIGKILL in the middle of a relay, then started again on the same state
 * and spool dirs: the job continues its remote upload (the segments already stored are not sent
 * again), exactly one message is sent, and the stored file is byte-identical. The emulator lives
 * in the test process so that it outlives the service; the service runs as a child process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/index.js';
import { DEMO_CLIENT, startEmulator } from '../../src/emulator/index.js';
import { startService } from '../../src/server/index.js';
import { getToken, http as emulatorHttp } from '../helpers/emulator-client.js';
import { killHard, stopService, withServiceRig } from './service-process.js';
import { createUpload, followJob, getJob, jobIdOf, patch, sha256Hex, terminal } from './helpers.js';

const MiB = 1024 * 1024;

test('kill -9 mid-relay, restart: the relay resumes, one message, byte-identical', async () => {
  await withServiceRig('gu-serve-restart-', { chunkSize: MiB, singleChunkMaxSize: 0 }, async ({ dir, emulator, start }) => {
    const args = ['--port', '0', '--state-dir', join(dir, 'state'), '--spool-dir', join(dir, 'spool'), '--base-url', emulator.url, '--concurrency', '3'];
    const env = { GENESYS_CLIENT_ID: DEMO_CLIENT.id, GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret };
    const data = randomBytes(12 * MiB);
    // Segment 6 hangs: the relay stores every other segment and then waits for it.
    emulator.addFault({ route: 'segment', action: 'stall', stallMs: 120_000, segmentIndex: 6, count: 1 });

    const first = await start(args, env);
    const uploadUrl = await createUpload(first.url, data.length, { filename: 'crash.pdf', to: '+15550100' });
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const id = jobIdOf(uploadUrl);
    const before = (await followJob(first.url, id, (job) => job.relay.bytes >= 11 * MiB)).at(-1)!.data;
    assert.equal(before.state, 'relaying');
    const uploadId = emulator.state().uploads[0]?.uploadId;
    assert.ok(uploadId !== undefined);

    await killHard(first);

    const second = await start(args, env);
    const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', `${JSON.stringify(job.error)}\n${second.stderr()}`);
    assert.equal(job.attempts, 2);
    assert.equal(job.sha256, sha256Hex(data));

    const state = emulator.state();
    assert.equal(state.messages.length, 1, 'exactly one message');
    assert.equal(state.messages[0]!.id, job.messageId);
    assert.equal(state.files.length, 1);
    assert.equal(state.uploads.length, 1, 'the interrupted upload was continued, not replaced');
    assert.equal(state.uploads[0]!.uploadId, uploadId);
    const puts = new Map<number, number>();
    for (const entry of state.requestLog) {
      if (entry.route === 'segment' && entry.uploadId === uploadId && entry.segmentIndex !== undefined) {
        puts.set(entry.segmentIndex, (puts.get(entry.segmentIndex) ?? 0) + 1);
      }
    }
    for (let index = 0; index < 12; index += 1) {
      if (index !== 6) assert.equal(puts.get(index), 1, `segment ${index} was sent once, not again after the restart`);
    }

    const token = await getToken(emulator.url);
    const stored = await emulatorHttp(`${emulator.url}/api/v2/files/${job.fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
    assert.ok(stored.bytes.equals(data), 'the stored file is byte-identical');
    await assert.rejects(access(join(dir, 'spool', 'intake', id)), 'the spool file is removed after delivery');

    const code = await stopService(second);
    assert.equal(code, 0, 'a clean stop on SIGTERM');
  });
});

test('a clean stop mid-relay puts the job back in the queue; the next start finishes it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gu-serve-stop-'));
  const emulator = await startEmulator({ dataDir: join(dir, 'emulator'), chunkSize: 256 * 1024, singleChunkMaxSize: 0 });
  const target = resolveConfig({ env: {}, flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url } });
  const options = { port: 0, spoolDir: join(dir, 'spool'), stateDir: join(dir, 'state'), target, logLevel: 'silent' as const, concurrency: 2 };
  try {
    const data = randomBytes(2 * MiB);
    emulator.addFault({ route: 'segment', action: 'stall', stallMs: 120_000, segmentIndex: 3, count: 1 });
    const first = await startService(options);
    const uploadUrl = await createUpload(first.url, data.length, { filename: 'stop.pdf', to: '+15550100' });
    const id = jobIdOf(uploadUrl);
    try {
      assert.equal((await patch(uploadUrl, 0, data)).status, 204);
      await followJob(first.url, id, (job) => job.relay.bytes >= 7 * 256 * 1024);
    } finally {
      await first.close();
    }
    const second = await startService(options);
    try {
      const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
      assert.equal(job.state, 'delivered');
      assert.equal(job.sha256, sha256Hex(data));
      assert.equal((await getJob(second.url, id)).attempts, 2);
    } finally {
      await second.close();
    }
    const state = emulator.state();
    assert.equal(state.messages.length, 1);
    assert.equal(state.uploads.length, 1, 'the paused upload was continued');
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
});
