/**
 * `genesys-upload resume` and `uploads` for the real destinations: a send killed during its PUT is
 * continued by `resume` (no id) from what the journal recorded — the socket URL and the kept guest
 * token for Web Messaging, the org and the conversation for conversation media — with exactly one
 * message afterwards; `uploads --json` names each entry's destination.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DEPLOYMENT_ID, startEmulator } from '../../src/emulator/index.js';
import Database from 'better-sqlite3';
import { runCli, until } from './helpers/cli.js';

interface State {
  webMessaging: { conversations: Array<{ attachments: Array<{ fileName: string }>; messages: Array<{ id: string; attachments: Array<{ fileName: string; sha256: string }> }> }> };
  conversations: { items: Array<{ id: string; media: unknown[]; messages: Array<{ id: string; media: Array<{ sha256: string }> }> }> };
}

test('resume continues a killed Web Messaging send and a killed conversation send; uploads names their destinations', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resume-via-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
  t.after(() => emulator.close());
  const state = (): State => emulator.state() as unknown as State;
  const env = {
    HOME: dir,
    GENESYS_UPLOAD_STATE_DIR: join(dir, 'state'),
    GENESYS_WEBMESSAGING_URL: `${emulator.url.replace(/^http/, 'ws')}/v1`,
    GENESYS_DEPLOYMENT_ID: DEMO_DEPLOYMENT_ID,
    GENESYS_BASE_URL: emulator.url,
    GENESYS_CLIENT_ID: 'demo-client',
    GENESYS_CLIENT_SECRET: 'demo-secret',
  };
  // The journal as the CLI writes it: a kill counts once the entry exists.
  const entries = (): number => {
    let db: Database.Database | undefined;
    try {
      db = new Database(join(env.GENESYS_UPLOAD_STATE_DIR, 'journal.db'), { readonly: true, fileMustExist: true });
      return (db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
    } catch {
      return 0; // not created yet
    } finally {
      db?.close();
    }
  };
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(512 * 1024)]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  // Web Messaging: killed during the stalled PUT.
  const wmFile = join(dir, 'wm.pdf');
  await writeFile(wmFile, bytes);
  emulator.addFault({ route: 'wm-upload', action: 'stall', stallMs: 60_000 } as never);
  const killed = runCli(['send', wmFile, '--via', 'web-messaging', '--quiet'], env);
  await until(() => state().webMessaging.conversations.some((c) => c.attachments.some((a) => a.fileName === 'wm.pdf')) && entries() === 1, 'the attachment requested');
  await killed.kill9();
  emulator.clearFaults();
  const resumed = await runCli(['resume', '--json', '--quiet'], env).done;
  assert.equal(resumed.code, 0, resumed.stderr);
  const wmResult = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { messageId: string; destination: string };
  assert.equal(wmResult.destination, 'web-messaging');
  const wmMessages = state().webMessaging.conversations.flatMap((c) => c.messages).filter((m) => m.attachments.some((a) => a.fileName === 'wm.pdf'));
  assert.equal(wmMessages.length, 1);
  assert.equal(wmMessages[0]!.attachments[0]!.sha256, sha256);
  // The same guest: the message is in the conversation of the first run's attachment.
  const withAttachments = state().webMessaging.conversations.filter((c) => c.attachments.some((a) => a.fileName === 'wm.pdf'));
  assert.equal(withAttachments.length, 1, 'one guest conversation');

  // Conversation: killed during the stalled PUT.
  const created = await fetch(`${emulator.url}/__emulator/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: { allowedTypes: ['application/pdf'] } }),
  });
  const conversationId = ((await created.json()) as { id: string }).id;
  const convFile = join(dir, 'conv.pdf');
  await writeFile(convFile, bytes);
  emulator.addFault({ route: 'media-put', action: 'stall', stallMs: 60_000 } as never);
  const before = entries();
  const killed2 = runCli(['send', convFile, '--via', 'conversation', '--conversation-id', conversationId, '--quiet'], env);
  const conv = (): State['conversations']['items'][number] => state().conversations.items.find((c) => c.id === conversationId)!;
  await until(() => conv().media.length > 0 && entries() > before, 'the media requested');
  await killed2.kill9();
  emulator.clearFaults();
  const listed = await runCli(['uploads', '--json'], env).done;
  const uploads = (JSON.parse(listed.stdout) as { uploads: Array<{ destination: string; state: string }> }).uploads;
  assert.deepEqual([...new Set(uploads.map((u) => u.destination))].sort(), ['conversation', 'web-messaging']);
  const resumed2 = await runCli(['resume', '--json', '--quiet'], env).done;
  assert.equal(resumed2.code, 0, resumed2.stderr);
  assert.equal(conv().messages.length, 1);
  assert.equal(conv().messages[0]!.media[0]!.sha256, sha256);
  const again = await runCli(['resume', '--json'], env).done;
  assert.equal(again.code, 2, 'nothing left to resume');
});
