/**
 * A checksummed PATCH is written once, straight into the upload's spool file: nothing is left in
 * the partial dir, a mismatch or a broken-off body leaves the file at the chunk's start, and what
 * a process killed mid-chunk leaves behind (unverified bytes past the offset, with their marker)
 * is cut back at the next start, so the client resumes from the last verified chunk. While a last
 * chunk is appended but not verified, the completion sweep does not take the full-size file for a
 * complete intake.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { appendAndVerify, preferAsyncWrites, rollBackInterruptedAppends } from '../../src/server/intake/checksum-append.js';
import { pino } from 'pino';
import { DEMO_CLIENT } from '../../src/emulator/index.js';
import { JobStore } from '../../src/server/jobs/job-store.js';
import { admitIntake } from '../../src/server/intake/metadata.js';
import { TusIntake } from '../../src/server/intake/tus-intake.js';
import { startService } from '../../src/server/index.js';
import { createUpload, digest, followJob, getJob, headOffset, jobIdOf, patch, sha256Hex, terminal, TUS } from './helpers.js';
import { killHard, stopService, withServiceRig } from './service-process.js';

const sha256 = (data: Buffer) => ({ algorithm: 'sha256', digest: createHash('sha256').update(data).digest() });

async function withDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gu-append-test-'));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('appendAndVerify: a verified chunk stays; a mismatch, an overlong or a broken body is cut back; no marker remains', async () => {
  await withDir(async (dir) => {
    const markerDir = join(dir, 'partial');
    await mkdir(markerDir);
    const path = join(dir, 'a'.repeat(32));
    const head = randomBytes(1000);
    await writeFile(path, head);
    const chunk = randomBytes(300_000);
    const target = { id: 'a'.repeat(32), path, offset: head.length, limit: 400_000, markerDir };

    const wrong = await appendAndVerify(Readable.from([chunk]), sha256(randomBytes(8)) as never, target);
    assert.equal(wrong.kind, 'mismatch');
    assert.equal((await stat(path)).size, head.length);

    const long = await appendAndVerify(Readable.from([chunk, chunk]), sha256(chunk) as never, target);
    assert.equal(long.kind, 'too-large');
    assert.equal((await stat(path)).size, head.length);

    const broken = new Readable({ read() {} });
    broken.push(chunk.subarray(0, 100_000));
    setTimeout(() => broken.destroy(new Error('client went away')), 20);
    await assert.rejects(appendAndVerify(broken, sha256(chunk) as never, target), /client went away/);
    assert.equal((await stat(path)).size, head.length);

    const right = await appendAndVerify(Readable.from([chunk.subarray(0, 1), chunk.subarray(1)]), sha256(chunk) as never, target);
    assert.equal(right.kind, 'verified');
    assert.deepEqual(await readFile(path), Buffer.concat([head, chunk]));
    assert.deepEqual(await readdir(markerDir), [], 'no marker and no temporary file');

    assert.deepEqual(await appendAndVerify(Readable.from([chunk]), sha256(chunk) as never, { ...target, path: join(dir, 'gone') }), { kind: 'gone' });
  });
});

test('appendAndVerify: a chunk in many reads is written as it comes, and cut back unless verified', async () => {
  await withDir(async (dir) => {
    const markerDir = join(dir, 'partial');
    await mkdir(markerDir);
    const path = join(dir, 'b'.repeat(32));
    const head = randomBytes(1000);
    await writeFile(path, head);
    const big = randomBytes(2 * 1024 * 1024 + 12_345);
    const pieces = (data: Buffer) => Readable.from(Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536)));
    const target = { id: 'b'.repeat(32), path, offset: head.length, limit: big.length, markerDir };

    const wrong = await appendAndVerify(pieces(big), sha256(randomBytes(8)) as never, target);
    assert.equal(wrong.kind, 'mismatch');
    assert.equal((await stat(path)).size, head.length, 'the written reads are cut back');

    const right = await appendAndVerify(pieces(big), sha256(big) as never, target);
    assert.equal(right.kind, 'verified');
    assert.deepEqual(await readFile(path), Buffer.concat([head, big]));

    assert.deepEqual(await readdir(markerDir), []);
  });
});

test('appendAndVerify through the thread pool (a slow disk): the body waits for each write; a failure cuts back after the write in flight', async () => {
  await withDir(async (dir) => {
    const markerDir = join(dir, 'partial');
    await mkdir(markerDir);
    const path = join(dir, 'c'.repeat(32));
    await writeFile(path, Buffer.alloc(0));
    const data = randomBytes(1024 * 1024 + 7);
    const pieces = () => Readable.from(Array.from({ length: Math.ceil(data.length / 65_536) }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536)));
    const target = { id: 'c'.repeat(32), path, offset: 0, limit: data.length, markerDir };
    preferAsyncWrites(60_000);
    try {
      assert.equal((await appendAndVerify(pieces(), sha256(randomBytes(8)) as never, target)).kind, 'mismatch');
      assert.equal((await stat(path)).size, 0);
      const broken = new Readable({ read() {} });
      broken.push(data.subarray(0, 200_000));
      setTimeout(() => broken.destroy(new Error('client went away')), 20);
      await assert.rejects(appendAndVerify(broken, sha256(data) as never, target), /client went away/);
      assert.equal((await stat(path)).size, 0);
      assert.equal((await appendAndVerify(pieces(), sha256(data) as never, target)).kind, 'verified');
      assert.deepEqual(await readFile(path), data);
      assert.deepEqual(await readdir(markerDir), []);
    } finally {
      preferAsyncWrites(0);
    }
  });
});

test('rollBackInterruptedAppends cuts a marked file back to its offset, never extends one, and clears the markers', async () => {
  await withDir(async (dir) => {
    const intake = join(dir, 'intake');
    const partial = join(dir, 'partial');
    await mkdir(intake);
    await mkdir(partial);
    const [a, b, c] = ['a', 'b', 'c'].map((x) => x.repeat(32)) as [string, string, string];
    await writeFile(join(intake, a), Buffer.alloc(5000, 1));
    await writeFile(join(partial, `${a}.append`), '1000');
    await writeFile(join(intake, b), Buffer.alloc(500, 1));
    await writeFile(join(partial, `${b}.append`), '1000'); // nothing appended yet: stays 500
    await writeFile(join(partial, `${c}.append`), '10'); // upload gone meanwhile
    assert.deepEqual(await rollBackInterruptedAppends(partial, intake), [a]);
    assert.equal((await stat(join(intake, a))).size, 1000);
    assert.equal((await stat(join(intake, b))).size, 500);
    assert.deepEqual(await readdir(partial), []);
  });
});

test('the service stopped mid-chunk (bytes past the offset, marker left): the next start resumes at the last verified chunk', async () => {
  await withDir(async (dir) => {
    const options = {
      port: 0,
      spoolDir: join(dir, 'spool'),
      stateDir: join(dir, 'state'),
      emulator: { dataDir: join(dir, 'emulator') },
      logLevel: 'silent' as const,
    };
    const data = randomBytes(600_000);
    const first = await startService(options);
    let uploadUrl: string;
    try {
      uploadUrl = await createUpload(first.url, data.length);
      const res = await patch(uploadUrl, 0, data.subarray(0, 200_000), { 'upload-checksum': `sha256 ${digest('sha256', data.subarray(0, 200_000))}` });
      assert.equal(res.status, 204);
      assert.deepEqual(await readdir(join(dir, 'spool', 'partial')), [], 'a verified chunk leaves nothing in the partial dir');
    } finally {
      await first.close();
    }
    // What a kill -9 during the second chunk leaves: part of it appended, its marker in place.
    const id = jobIdOf(uploadUrl);
    await appendFile(join(dir, 'spool', 'intake', id), data.subarray(200_000, 350_000));
    await writeFile(join(dir, 'spool', 'partial', `${id}.append`), '200000');

    const second = await startService(options);
    try {
      const again = new URL(new URL(uploadUrl).pathname, second.url).href;
      assert.equal(await headOffset(again), 200_000);
      const rest = data.subarray(200_000);
      const res = await patch(again, 200_000, rest, { 'upload-checksum': `sha256 ${digest('sha256', rest)}` });
      assert.equal(res.status, 204);
      await followJob(second.url, id, terminal);
      const job = await getJob(second.url, id);
      assert.equal(job.state, 'delivered');
      assert.equal(job.sha256, sha256Hex(data));
    } finally {
      await second.close();
    }
  });
});

test('kill -9 while a checksummed chunk is half appended: the restart cuts it back; the client resumes and delivers', async () => {
  await withServiceRig('gu-append-kill-', {}, async ({ dir, emulator, start }) => {
    const args = ['--port', '0', '--state-dir', join(dir, 'state'), '--spool-dir', join(dir, 'spool'), '--base-url', emulator.url];
    const env = { GENESYS_CLIENT_ID: DEMO_CLIENT.id, GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret };
    const data = randomBytes(400_000);
    const first = await start(args, env);
    const uploadUrl = await createUpload(first.url, data.length, { filename: 'kill.pdf', to: '+15550100' });
    const id = jobIdOf(uploadUrl);
    const head = data.subarray(0, 100_000);
    assert.equal((await patch(uploadUrl, 0, head, { 'upload-checksum': `sha256 ${digest('sha256', head)}` })).status, 204);

    // The second chunk: half its bytes sent, then the process is killed before it can verify them.
    const rest = data.subarray(100_000);
    const req = httpRequest(uploadUrl, {
      method: 'PATCH',
      headers: { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '100000', 'content-length': String(rest.length), 'upload-checksum': `sha256 ${digest('sha256', rest)}` },
    });
    req.on('error', () => undefined);
    req.write(rest.subarray(0, 150_000));
    const spoolFile = join(dir, 'spool', 'intake', id);
    // The chunk has begun once its marker is there (its bytes are held in memory until verified).
    for (let waited = 0; !(await readdir(join(dir, 'spool', 'partial'))).includes(`${id}.append`); waited += 20) {
      assert.ok(waited < 10_000, 'the second chunk never began');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await killHard(first);
    req.destroy();
    // What a kill leaves past the verified offset (here nothing; a chunk staged to disk part-way leaves its first bytes) is cut back at the restart.
    await appendFile(spoolFile, rest.subarray(0, 50_000));

    const second = await start(args, env);
    const again = new URL(new URL(uploadUrl).pathname, second.url).href;
    assert.equal(await headOffset(again), 100_000, 'the offset is the last verified chunk');
    assert.equal((await patch(again, 100_000, rest, { 'upload-checksum': `sha256 ${digest('sha256', rest)}` })).status, 204);
    const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered');
    assert.equal(job.sha256, sha256Hex(data));
    await stopService(second);
  });
});

test('the completion sweep leaves alone an upload whose last chunk is appended but not yet verified', async () => {
  await withDir(async (dir) => {
    const store = new JobStore(join(dir, 'state'), Date.now);
    const completed: string[] = [];
    const intake = new TusIntake({
      spoolDir: join(dir, 'spool'),
      limits: { maxSize: 1 << 30, allowedTypes: ['application/pdf'], allowExecutables: false },
      expiryMs: 3_600_000,
      store,
      logger: pino({ level: 'silent' }),
      now: Date.now,
      onComplete: (id) => completed.push(id),
    });
    try {
      await intake.recover();
      const id = 'd'.repeat(32);
      store.create(id, admitIntake({ filename: 'x.pdf', to: '+15550100' }, 1000, { maxSize: 1 << 30, allowedTypes: ['application/pdf'], allowExecutables: false }).spec);
      await writeFile(intake.pathOf(id), Buffer.alloc(400));
      let finish!: () => void;
      const appending = intake.appendingInPlace(id, async () => {
        await writeFile(intake.pathOf(id), Buffer.alloc(1000)); // full size, not yet verified
        await new Promise<void>((resolve) => (finish = resolve));
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await intake.completeReceived();
      assert.deepEqual(completed, [], 'not queued while the last chunk is unverified');
      finish();
      await appending;
      await intake.completeReceived();
      assert.deepEqual(completed, [id], 'queued once the append ended with the file complete');
    } finally {
      store.close();
    }
  });
});
