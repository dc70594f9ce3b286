/**
 * `send --via` from the command line: the refusals and their exit statuses (a file over the Web
 * Messaging deployment's limit: 4, before any onAttachment; missing --deployment-id: 2; a real
 * region without --via: 2; a conversation 403: 3 naming the permission), a Web Messaging send
 * without --to whose kept guest token is owner-only and never printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DEPLOYMENT_ID, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCli } from '../helpers/run-cli.js';

const LIMIT = 10_240 * 1000; // the demo deployment's maxFileSizeKB × 1000

interface State {
  webMessaging: { conversations: Array<{ attachments: Array<{ fileName: string }>; messages: Array<{ id: string; attachments: Array<{ sha256: string }> }> }> };
}

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ dir: string; emulator: EmulatorHandle; wmEnv: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'send-via-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({
    port: 0,
    dataDir: join(dir, 'emulator'),
    clients: [
      { id: 'demo-client', secret: 'demo-secret', permissions: ['conversation:message:create', 'conversation:message:view'] },
      { id: 'viewer', secret: 'viewer-secret', permissions: ['conversation:message:view'] },
    ],
  } as never);
  t.after(() => emulator.close());
  const wmEnv = { GENESYS_WEBMESSAGING_URL: `${emulator.url.replace(/^http/, 'ws')}/v1`, GENESYS_DEPLOYMENT_ID: DEMO_DEPLOYMENT_ID };
  return { dir, emulator, wmEnv };
}

const last = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

test('web-messaging: one byte over the deployment limit is refused with exit 4 before any onAttachment; a file at the limit is sent', async (t) => {
  const { dir, emulator, wmEnv } = await setup(t);
  const over = join(dir, 'over.pdf');
  await writeFile(over, Buffer.alloc(LIMIT + 1, 7));
  const refused = await runCli(['send', over, '--via', 'web-messaging', '--json'], wmEnv).done;
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /10240/);
  const attachments = (emulator.state() as unknown as State).webMessaging.conversations.flatMap((c) => c.attachments);
  assert.equal(attachments.length, 0, 'no onAttachment was made');

  const exact = join(dir, 'exact.pdf');
  await writeFile(exact, randomBytes(LIMIT));
  const sent = await runCli(['send', exact, '--via', 'web-messaging', '--json', '--quiet'], wmEnv).done;
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(last(sent.stdout)['size'], LIMIT);
});

test('web-messaging: no --to needed; the new guest token is kept 0600 in the state dir and never printed', async (t) => {
  const { dir, emulator, wmEnv } = await setup(t);
  const file = join(dir, 'a.pdf');
  await writeFile(file, randomBytes(100_000));
  const stateDir = join(dir, 'state');
  const run = await runCli(['send', file, '--via', 'web-messaging', '--json'], { ...wmEnv, GENESYS_UPLOAD_STATE_DIR: stateDir }).done;
  assert.equal(run.code, 0, run.stderr);
  const result = last(run.stdout) as { messageId: string; destination: string; details: { attachmentId: string }; sha256: string };
  assert.equal(result.destination, 'web-messaging');
  assert.match(result.details.attachmentId, /\S/);
  const tokens = await readdir(join(stateDir, 'guests'));
  assert.equal(tokens.length, 1);
  const path = join(stateDir, 'guests', tokens[0]!);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const token = (await readFile(path, 'utf8')).trim();
  assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token), 'the guest token is never printed');
  const journalFiles = (await readdir(stateDir)).filter((f) => f.startsWith('journal.db'));
  assert.ok(journalFiles.length > 0);
  for (const name of journalFiles) assert.ok(!(await readFile(join(stateDir, name))).includes(Buffer.from(token)), `the guest token is not in ${name}`);
  const message = (emulator.state() as unknown as State).webMessaging.conversations.flatMap((c) => c.messages).find((m) => m.id === result.messageId);
  assert.equal(message?.attachments[0]?.sha256, result.sha256);
  // The same command again: already delivered, nothing sent.
  const again = await runCli(['send', file, '--via', 'web-messaging', '--json'], { ...wmEnv, GENESYS_UPLOAD_STATE_DIR: stateDir }).done;
  assert.equal(again.code, 0, again.stderr);
  assert.equal(last(again.stdout)['alreadyDelivered'], true);
  assert.equal(last(again.stdout)['messageId'], result.messageId);
});

test('web-messaging without --deployment-id: exit 2 naming the flag', async (t) => {
  const { dir, wmEnv } = await setup(t);
  const file = join(dir, 'a.pdf');
  await writeFile(file, 'x');
  const run = await runCli(['send', file, '--via', 'web-messaging'], { GENESYS_WEBMESSAGING_URL: wmEnv.GENESYS_WEBMESSAGING_URL! }).done;
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--deployment-id is required/);
});

test('a real region without --via: exit 2 naming the two real destinations', async () => {
  const run = await runCli(['send', 'package.json', '--to', 'x'], { GENESYS_REGION: 'mypurecloud.ie' }).done;
  assert.equal(run.code, 2);
  assert.match(run.stderr, /no Files API/);
  assert.match(run.stderr, /--via web-messaging/);
  assert.match(run.stderr, /--via conversation/);
});

test('conversation: a token without the permission is refused with exit 3 naming it', async (t) => {
  const { dir, emulator } = await setup(t);
  const created = await fetch(`${emulator.url}/__emulator/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: { allowedTypes: ['application/pdf'] } }),
  });
  const { id } = (await created.json()) as { id: string };
  const file = join(dir, 'a.pdf');
  await writeFile(file, Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(10_000)]));
  const env = { GENESYS_BASE_URL: emulator.url, GENESYS_CLIENT_ID: 'viewer', GENESYS_CLIENT_SECRET: 'viewer-secret' };
  const run = await runCli(['send', file, '--via', 'conversation', '--conversation-id', id, '--json'], env).done;
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /conversation:message:create/);
  assert.match(run.stderr, /client credentials/);
  assert.ok(!run.stderr.includes('viewer-secret'));
  const ok = await runCli(['send', file, '--via', 'conversation', '--conversation-id', id, '--json'], { ...env, GENESYS_CLIENT_ID: 'demo-client', GENESYS_CLIENT_SECRET: 'demo-secret' }).done;
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((last(ok.stdout)['details'] as Record<string, string>)['conversationId'], id);
});
