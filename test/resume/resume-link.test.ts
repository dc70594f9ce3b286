/**
 * `genesys-upload resume` of a send delivered as a link (`conversation+s3`), interrupted during its
 * S3 parts: without the link store's settings it is refused (exit 2) naming them; with them, the
 * parts ListParts reports are skipped, only the missing ones are sent, and one link message arrives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/index.js';
import { writeBigFile } from './helpers/big-file.js';
import { runCli, until } from './helpers/cli.js';

const MiB = 1024 * 1024;

test('resume of an interrupted conversation link send: refused without the link store, then only the missing parts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resume-link-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
  t.after(() => emulator.close());
  const created = await fetch(`${emulator.url}/__emulator/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: { allowedTypes: ['application/zip'] } }),
  });
  const conversationId = ((await created.json()) as { id: string }).id;
  const base = { HOME: dir, GENESYS_UPLOAD_STATE_DIR: join(dir, 'state'), GENESYS_BASE_URL: emulator.url, GENESYS_CLIENT_ID: 'demo-client', GENESYS_CLIENT_SECRET: 'demo-secret' };
  const s3 = {
    GENESYS_UPLOAD_S3_ENDPOINT: emulator.s3Url,
    GENESYS_UPLOAD_S3_PART_SIZE: '5MiB',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: DEMO_S3_CREDENTIAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_S3_CREDENTIAL.secretAccessKey,
  };
  const file = join(dir, 'logs.zip');
  const sha256 = await writeBigFile(file, 16 * MiB);
  emulator.addFault({ route: 's3-part', action: 'stall', stallMs: 60_000, partNumber: 4 });
  const run = runCli(['send', file, '--via', 'conversation', '--conversation-id', conversationId, '--delivery', 'link', '--link-store', 's3://genesys-uploads/x/', '--concurrency', '1', '--quiet'], { ...base, ...s3 });
  const held = (): number => emulator.state().s3.uploads.reduce((n, u) => n + u.parts.length, 0);
  await Promise.race([until(() => held() >= 3, 'three parts held'), run.done.then((r) => assert.fail(r.stderr))]);
  await run.kill9();
  emulator.clearFaults();

  const refused = await runCli(['resume', '--json'], base).done;
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /link store \(bucket genesys-uploads\).*GENESYS_UPLOAD_S3/);

  const before = emulator.state().requestLog.length;
  const resumed = await runCli(['resume', '--json', '--link-store', 's3://genesys-uploads/x/'], { ...base, ...s3 }).done;
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1) ?? '{}') as { destination: string; delivery: string; sha256: string; bytesSkipped: number; resumed: boolean };
  assert.equal(result.destination, 'conversation+s3');
  assert.equal(result.delivery, 'link');
  assert.equal(result.sha256, sha256);
  assert.equal(result.resumed, true);
  assert.equal(result.bytesSkipped, 15 * MiB);
  const parts = emulator.state().requestLog.slice(before).filter((r) => r.route === 's3-part' && r.status === 200);
  assert.equal(parts.length, 1, 'only the missing part was sent');
  const conversation = (emulator.state() as unknown as { conversations: { items: Array<{ id: string; messages: Array<{ textBody: string; media: unknown[] }> }> } }).conversations.items.find((c) => c.id === conversationId)!;
  assert.equal(conversation.messages.length, 1);
  assert.match(conversation.messages[0]!.textBody, /^File: logs\.zip, 16\.8 MB/m);
});

test('resume of an interrupted Files API link send: the recorded org and recipients, one message without attachment', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resume-link-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
  t.after(() => emulator.close());
  const env = {
    HOME: dir,
    GENESYS_UPLOAD_STATE_DIR: join(dir, 'state'),
    GENESYS_BASE_URL: emulator.url,
    GENESYS_CLIENT_ID: 'demo-client',
    GENESYS_CLIENT_SECRET: 'demo-secret',
    GENESYS_UPLOAD_S3: 's3://genesys-uploads/f/',
    GENESYS_UPLOAD_S3_ENDPOINT: emulator.s3Url,
    GENESYS_UPLOAD_S3_PART_SIZE: '5MiB',
    AWS_ACCESS_KEY_ID: DEMO_S3_CREDENTIAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_S3_CREDENTIAL.secretAccessKey,
  };
  const file = join(dir, 'photos.zip');
  const sha256 = await writeBigFile(file, 11 * MiB);
  emulator.addFault({ route: 's3-part', action: 'stall', stallMs: 60_000, partNumber: 3 });
  const run = runCli(['send', file, '--to', '+15550100', '--to', 'ops@example.com', '--delivery', 'link', '--text', 'Photos', '--concurrency', '1', '--quiet'], env);
  await Promise.race([until(() => emulator.state().s3.uploads.some((u) => u.parts.length >= 2), 'two parts held'), run.done.then((r) => assert.fail(r.stderr))]);
  await run.kill9();
  emulator.clearFaults();
  const resumed = await runCli(['resume', '--json'], env).done;
  assert.equal(resumed.code, 0, resumed.stderr);
  const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1) ?? '{}') as { destination: string; sha256: string; messageId: string; bytesSkipped: number };
  assert.equal(result.destination, 'genesys-files+s3');
  assert.equal(result.sha256, sha256);
  assert.equal(result.bytesSkipped, 10 * MiB);
  const messages = emulator.state().messages;
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.id, result.messageId);
  assert.deepEqual(messages[0]!.to, ['+15550100', 'ops@example.com']);
  assert.deepEqual(messages[0]!.attachments, []);
  assert.match(messages[0]!.text, /^Photos\nFile: photos\.zip, 11\.5 MB/);
});
