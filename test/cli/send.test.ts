/**
 * `genesys-upload send` as a user runs it: a real child process against the emulator on
 * 127.0.0.1:0. Asserts what a user sees: delivered bytes, the JSON result, exit statuses by
 * failure class, messages that name the cause, and no secret anywhere in the output.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, DEMO_CLIENT, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCli } from '../helpers/run-cli.js';

let emulator: EmulatorHandle;
let dir: string;
let file: string;
let fileSha: string;
const SECRET_MARKER = 'S3cr3t-must-never-appear';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-cli-'));
  file = join(dir, 'report 2024.pdf');
  const bytes = randomBytes(3 * 1024 * 1024 + 11);
  fileSha = createHash('sha256').update(bytes).digest('hex');
  await writeFile(file, bytes);
  emulator = await startEmulator({
    chunkSize: 1024 * 1024,
    singleChunkMaxSize: 0,
    clients: [
      { ...DEMO_CLIENT, permissions: [...DEMO_CLIENT.permissions] },
      { id: 'no-upload', secret: SECRET_MARKER, permissions: ['messaging:guest', 'messaging:send'] },
    ],
  });
});

after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { GENESYS_CLIENT_ID: DEMO_CLIENT.id, GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret, GENESYS_BASE_URL: emulator.url, ...extra };
}

async function contentSha(fileId: string): Promise<string> {
  const token = await fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${DEMO_CLIENT.id}:${DEMO_CLIENT.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const res = await fetch(`${emulator.url}/api/v2/files/${fileId}/content`, { headers: { authorization: `Bearer ${token.access_token}` } });
  assert.equal(res.status, 200);
  return createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
}

test('send delivers the file and --json prints the result as the last stdout line', async () => {
  const run = runCli(['send', file, '--to', '+15550100', '--text', 'Your report', '--json'], env());
  const { code, stdout, stderr } = await run.done;
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  const result = JSON.parse(lines.at(-1)!);
  for (const key of ['uploadId', 'fileId', 'messageId', 'guestId', 'fileName', 'size', 'sha256', 'chunks', 'retries', 'seconds']) {
    assert.ok(key in result, `--json result lacks ${key}`);
  }
  assert.equal(result.fileName, 'report_2024.pdf', 'whitespace is sanitised, the extension kept');
  assert.equal(result.size, 3 * 1024 * 1024 + 11);
  assert.equal(result.chunks, 4);
  assert.equal(result.sha256, fileSha);
  assert.equal(await contentSha(result.fileId), fileSha);
  const message = emulator.state().messages.find((m) => m.id === result.messageId);
  assert.ok(message, 'the message exists');
  assert.deepEqual(message.to, ['+15550100']);
  assert.equal(message.text, 'Your report');
  assert.deepEqual(message.attachments, [{ id: result.fileId, name: 'report_2024.pdf' }]);
  assert.equal(emulator.state().storageAuthorizationSeen, false, 'no Authorization header went to storage');
});

test('a missing target is a usage error (exit 2) that names the settings', async () => {
  const { code, stderr } = await runCli(['send', file, '--to', 'x'], { GENESYS_CLIENT_ID: 'a', GENESYS_CLIENT_SECRET: SECRET_MARKER }).done;
  assert.equal(code, 2);
  assert.match(stderr, /GENESYS_BASE_URL/);
  assert.match(stderr, /GENESYS_REGION/);
  assert.doesNotMatch(stderr, new RegExp(SECRET_MARKER));
});

test('an unknown region is rejected with the list of regions (exit 2)', async () => {
  const { code, stderr } = await runCli(['send', file, '--to', 'x', '--region', 'example.com'], {
    GENESYS_CLIENT_ID: 'a',
    GENESYS_CLIENT_SECRET: 'b',
  }).done;
  assert.equal(code, 2);
  assert.match(stderr, /mypurecloud\.ie/);
});

test('no recipient and a missing file are usage errors (exit 2)', async () => {
  const noTo = await runCli(['send', file], env()).done;
  assert.equal(noTo.code, 2);
  assert.match(noTo.stderr, /--to/);
  const missing = await runCli(['send', join(dir, 'nope.bin'), '--to', 'x'], env()).done;
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.bin/);
});

test('a wrong secret is an authentication error (exit 3) and the secret is never printed', async () => {
  const { code, stdout, stderr } = await runCli(['send', file, '--to', 'x', '--json'], env({ GENESYS_CLIENT_SECRET: SECRET_MARKER })).done;
  assert.equal(code, 3);
  assert.match(stderr, /client id and secret|GENESYS_CLIENT_SECRET/i);
  assert.doesNotMatch(stdout + stderr, new RegExp(SECRET_MARKER));
});

test('a missing permission exits 3 and names the permission', async () => {
  const { code, stdout, stderr } = await runCli(['send', file, '--to', 'x'], env({ GENESYS_CLIENT_ID: 'no-upload', GENESYS_CLIENT_SECRET: SECRET_MARKER })).done;
  assert.equal(code, 3);
  assert.match(stderr, /files:upload/);
  assert.doesNotMatch(stdout + stderr, new RegExp(SECRET_MARKER));
});

test('a content type the org does not allow is rejected by the platform (exit 4)', async () => {
  const { code, stderr } = await runCli(['send', file, '--to', 'x', '--content-type', 'application/x-msdownload'], env()).done;
  assert.equal(code, 4);
  assert.match(stderr, /application\/x-msdownload/);
});

test('a file over the maximum size exits 4 with the size and the limit, before any chunk is sent', async () => {
  const before = emulator.state().counters.segment?.requests ?? 0;
  emulator.configure({ maxFileSize: 1024 * 1024 });
  try {
    const { code, stderr } = await runCli(['send', file, '--to', 'x'], env()).done;
    assert.equal(code, 4);
    assert.match(stderr, /3145739|3\.0 MiB/);
    assert.match(stderr, /1048576|1\.0 MiB/);
  } finally {
    emulator.configure({ maxFileSize: 50 * 1024 ** 3 });
  }
  assert.equal(emulator.state().counters.segment?.requests ?? 0, before);
});

test('a Retry-After beyond 180 s gives up as a transient failure (exit 6) saying so', async () => {
  emulator.addFault({ route: 'segment', action: 'status', status: 429, retryAfter: 600, count: 50 });
  try {
    const { code, stdout, stderr } = await runCli(['send', file, '--to', 'x', '--concurrency', '1', '--json'], env()).done;
    assert.equal(code, 6);
    assert.match(stderr, /wait[^\n]*(600|180) s/);
    // A storage failure must not leak the pre-signed URL's credentials or our bearer token.
    assert.doesNotMatch(stdout + stderr, /X-Amz-Signature|X-Amz-Credential|Bearer |access_token/i);
  } finally {
    emulator.clearFaults();
  }
});

test('SIGINT stops the upload, aborts it remotely and exits 130', async () => {
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 60_000, count: 100 });
  try {
    const known = uploadIds();
    const run = runCli(['send', file, '--to', 'x'], env());
    await run.waitForStderr(/Uploading /);
    const uploadId = newUpload(known);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    assert.equal(code, 130, stderr);
    assert.equal(emulator.state().uploads.find((u) => u.uploadId === uploadId)?.state, 'aborted');
  } finally {
    emulator.clearFaults();
  }
});

test('with --no-journal, SIGINT also aborts the remote upload', async () => {
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 60_000, count: 100 });
  try {
    const known = uploadIds();
    const run = runCli(['send', file, '--to', 'x', '--no-journal'], env());
    await run.waitForStderr(/Uploading /);
    const uploadId = newUpload(known);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    assert.equal(code, 130, stderr);
    assert.equal(emulator.state().uploads.find((u) => u.uploadId === uploadId)?.state, 'aborted');
  } finally {
    emulator.clearFaults();
  }
});

test('with --keep-on-error, SIGINT keeps the upload open and the next send resumes it', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'send-cli-state-'));
  const shared = env({ GENESYS_UPLOAD_STATE_DIR: stateDir });
  emulator.addFault({ route: 'segment', action: 'stall', stallMs: 60_000, count: 100 });
  try {
    const known = uploadIds();
    const run = runCli(['send', file, '--to', 'x', '--keep-on-error'], shared);
    await run.waitForStderr(/Uploading /);
    const uploadId = newUpload(known);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /genesys-upload resume [0-9a-f]{8}/);
    assert.equal(emulator.state().uploads.find((u) => u.uploadId === uploadId)?.state, 'open');

    emulator.clearFaults();
    const again = await runCli(['send', file, '--to', 'x', '--json'], shared).done;
    assert.equal(again.code, 0, again.stderr);
    const result = JSON.parse(again.stdout.trim().split('\n').at(-1)!);
    assert.equal(result.uploadId, uploadId, 'the same remote upload was resumed, not a new one');
    assert.equal(result.resumed, true);
    assert.equal(await contentSha(result.fileId), fileSha);
  } finally {
    emulator.clearFaults();
    await rm(stateDir, { recursive: true, force: true });
  }
});

function uploadIds(): Set<string> {
  return new Set(emulator.state().uploads.map((u) => u.uploadId));
}

/** The upload the CLI created (it prints "Uploading" right after the initiate call answered). */
function newUpload(known: Set<string>): string {
  const created = emulator.state().uploads.filter((u) => !known.has(u.uploadId));
  assert.equal(created.length, 1, 'the CLI initiated exactly one upload');
  return created[0]!.uploadId;
}

test('--help explains the command, its flags and exit statuses', async () => {
  const { code, stdout } = await runCli(['send', '--help']).done;
  assert.equal(code, 0);
  for (const flag of ['--to', '--text', '--language', '--concurrency', '--content-type', '--json', '--quiet', '--keep-on-error', '--max-rps', '--region']) {
    assert.match(stdout, new RegExp(flag));
  }
  assert.match(stdout, /Exit status/);
});
