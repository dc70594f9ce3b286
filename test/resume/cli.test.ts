/**
 * The resume journal as a user meets it on the command line (child processes against an
 * in-process emulator): `uploads` (table and --json, --prune), `resume` with and without an id,
 * the uncertain delivery, a modified file (exit 5), two sends of one file at once (exit 6), a
 * different client id refused, and --no-journal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, DEMO_CLIENT, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCli, until } from './helpers/cli.js';

let emulator: EmulatorHandle;
let dir: string;
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resume-cli-'));
  emulator = await startEmulator({
    chunkSize: 256 * 1024,
    singleChunkMaxSize: 0,
    clients: [
      { ...DEMO_CLIENT, permissions: [...DEMO_CLIENT.permissions] },
      { id: 'other-client', secret: 'other-secret', permissions: [...DEMO_CLIENT.permissions] },
    ],
  });
});

after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh file and state dir for one test. */
async function fixture(size = 1024 * 1024 + 17): Promise<{ file: string; env: Record<string, string> }> {
  n++;
  const file = join(dir, `file-${n}.bin`);
  await writeFile(file, randomBytes(size));
  const env = {
    HOME: dir,
    GENESYS_CLIENT_ID: DEMO_CLIENT.id,
    GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret,
    GENESYS_BASE_URL: emulator.url,
    GENESYS_UPLOAD_STATE_DIR: join(dir, `state-${n}`),
  };
  return { file, env };
}

const messagesFor = (fileName: string): number => emulator.state().messages.filter((m) => m.attachments.some((a) => a.name === fileName)).length;

interface UploadsJson {
  stateDir: string;
  pruned?: number;
  uploads: Array<{ id: string; state: string; file: string; progress: number; size: number; ageSeconds: number; messageId?: string; uploadId: string }>;
}

async function uploadsJson(env: Record<string, string>, ...extra: string[]): Promise<UploadsJson> {
  const { code, stdout, stderr } = await runCli(['uploads', '--json', ...extra], env).done;
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as UploadsJson;
}

test('Ctrl-C with --keep-on-error keeps the upload; `uploads` shows it; `resume` (no id) finishes it; `resume ID` then prints the earlier result', async () => {
  const { file, env } = await fixture();
  assert.match((await runCli(['uploads'], env).done).stderr, /No uploads/);
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 60_000, count: 100 });
  const run = runCli(['send', file, '--to', '+15550100', '--keep-on-error'], env);
  await run.waitForStderr(/Uploading /);
  await until(async () => (await uploadsJson(env)).uploads.length === 1, 'the journal entry');
  run.child.kill('SIGINT');
  const interrupted = await run.done;
  emulator.clearFaults();
  assert.equal(interrupted.code, 130, interrupted.stderr);
  assert.match(interrupted.stderr, /The upload is kept .*genesys-upload resume [0-9a-f]{8}/);
  const listed = await uploadsJson(env);
  const entry = listed.uploads[0]!;
  assert.equal(entry.state, 'uploading');
  assert.equal(emulator.state().uploads.find((u) => u.uploadId === entry.uploadId)?.state, 'open');
  const table = await runCli(['uploads'], env).done;
  assert.match(table.stdout, /^ID\s+STATE\s+PROGRESS\s+SIZE\s+AGE\s+FILE$/m);
  assert.match(table.stdout, new RegExp(`^${entry.id}\\s+uploading\\s+\\d+%\\s+1\\.0 MiB\\s+\\d+s\\s+${file}$`, 'm'));

  const resumed = await runCli(['resume', '--json'], env).done;
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`Resuming ${entry.id}`));
  const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { messageId: string; resumed: boolean; journalId: string };
  assert.equal(result.resumed, true);
  assert.equal(result.journalId, entry.id);
  const byId = await runCli(['resume', entry.id.slice(0, 5)], env).done;
  assert.equal(byId.code, 0, byId.stderr);
  assert.equal(byId.stdout.trim(), result.messageId);
  assert.match(byId.stderr, /Already delivered/);
  assert.equal((await uploadsJson(env)).uploads[0]?.state, 'delivered');
  assert.equal((await uploadsJson(env)).uploads[0]?.progress, 1);

  const nothing = await runCli(['resume'], env).done;
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /Nothing to resume/);
  const pruned = await uploadsJson(env, '--prune');
  assert.equal(pruned.pruned, 1);
  assert.deepEqual(pruned.uploads, []);
});

test('a lost answer to the message is settled by asking: exit 0, exactly one message; if asking fails too, the next run settles it', async () => {
  const { file, env } = await fixture(100_000);
  const name = file.split('/').at(-1)!;
  emulator.addFault({ route: 'message', action: 'lose-response' });
  const first = await runCli(['send', file, '--to', '+15550100', '--json'], env).done;
  assert.equal(first.code, 0, first.stderr);
  assert.equal(messagesFor(name), 1);
  const sent = emulator.state().messages.find((m) => m.attachments.some((a) => a.name === name))!;
  assert.equal(JSON.parse(first.stdout.trim().split('\n').at(-1)!).messageId, sent.id, 'the message found is the one reported');
  assert.equal((await uploadsJson(env)).uploads[0]?.state, 'delivered');

  const other = await fixture(100_000);
  const otherName = other.file.split('/').at(-1)!;
  emulator.addFault({ route: 'message', action: 'lose-response' });
  emulator.addFault({ route: 'message-get', action: 'status', status: 403 });
  const lost = await runCli(['send', other.file, '--to', '+15550100'], other.env).done;
  assert.equal(lost.code, 3, lost.stderr);
  assert.equal(messagesFor(otherName), 1);
  assert.equal((await uploadsJson(other.env)).uploads[0]?.state, 'uncertain', 'unsettled, and nobody holds it');
  const second = await runCli(['send', other.file, '--to', '+15550100'], other.env).done;
  assert.equal(second.code, 0, second.stderr);
  assert.equal(messagesFor(otherName), 1, 'found, not sent twice');
  assert.equal((await uploadsJson(other.env)).uploads[0]?.state, 'delivered');
});

test('a file modified since its interrupted upload is refused with exit 5 and --restart advice; --restart sends it', async () => {
  const { file, env } = await fixture();
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 60_000, count: 100 });
  const run = runCli(['send', file, '--to', '+15550100'], env);
  await run.waitForStderr(/Uploading /);
  await until(async () => (await uploadsJson(env)).uploads.length === 1, 'the journal entry');
  await run.kill9();
  emulator.clearFaults();
  await appendFile(file, 'more');
  const refused = await runCli(['send', file, '--to', '+15550100'], env).done;
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, /changed since its upload/);
  assert.match(refused.stderr, /--restart/);
  const restarted = await runCli(['send', file, '--to', '+15550100', '--restart'], env).done;
  assert.equal(restarted.code, 0, restarted.stderr);
  const states = (await uploadsJson(env)).uploads.map((u) => u.state);
  assert.deepEqual(states, ['delivered', 'abandoned']);
});

test('two sends of one file at once: the second exits 6 with a clear message, the first delivers once', async () => {
  const { file, env } = await fixture();
  const name = file.split('/').at(-1)!;
  // Long enough for a second CLI to start on a loaded machine (1.5 s was not, under load).
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 8000, count: 1 });
  const first = runCli(['send', file, '--to', '+15550100'], env);
  await first.waitForStderr(/Uploading /);
  const second = await runCli(['send', file, '--to', '+15550100'], env).done;
  assert.equal(second.code, 6, second.stderr);
  assert.match(second.stderr, /Another genesys-upload process \(pid \d+ on .*\) is already sending/);
  const done = await first.done;
  assert.equal(done.code, 0, done.stderr);
  assert.equal(messagesFor(name), 1);
});

test('resume refuses another client id clearly; --no-journal records nothing', async () => {
  const { file, env } = await fixture();
  emulator.addFault({ route: 'guest', action: 'status', status: 403 });
  const failed = await runCli(['send', file, '--to', '+15550100'], env).done;
  assert.equal(failed.code, 3, failed.stderr);
  const entry = (await uploadsJson(env)).uploads[0]!;
  assert.equal(entry.state, 'completed', 'uploaded, not delivered: resumable');
  const other = await runCli(['resume', entry.id], { ...env, GENESYS_CLIENT_ID: 'other-client', GENESYS_CLIENT_SECRET: 'other-secret' }).done;
  assert.equal(other.code, 2);
  assert.match(other.stderr, /started by OAuth client demo-client, not other-client/);
  assert.doesNotMatch(other.stderr + other.stdout, /other-secret/);
  const resumed = await runCli(['resume', entry.id], env).done;
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /sending the message only/);

  const plain = await fixture();
  const result = await runCli(['send', plain.file, '--to', '+15550100', '--no-journal'], plain.env).done;
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((await uploadsJson(plain.env)).uploads, []);
});
