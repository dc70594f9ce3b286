/**
 * `serve --via web-messaging` (and `--via conversation`) killed with SIGKILL while a job's PUT
 * hangs, then started again on the same state and spool dirs: the Web Messaging job continues as
 * the same (new) guest, whose token was kept before its first upload; each ends with exactly one
 * message carrying the file, with the source's SHA-256. The emulator lives in the test process so
 * that it outlives the service.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { DEMO_CLIENT, DEMO_DEPLOYMENT_ID, type EmulatorHandle } from '../../src/emulator/index.js';
import { createUpload, followJob, jobIdOf, patch, sha256Hex, terminal } from './helpers.js';
import { killHard, stopService, withServiceRig } from './service-process.js';

interface WmConversation {
  sessionId: string;
  messages: Array<{ id: string; attachments: Array<{ fileName: string; sha256: string }> }>;
  attachments: Array<{ fileName: string; state: string }>;
}

const conversations = (emulator: EmulatorHandle): WmConversation[] =>
  (emulator.state() as unknown as { webMessaging: { conversations: WmConversation[] } }).webMessaging.conversations;

/** Polls the emulator's state (it announces nothing) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (check()) return;
    await delay(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('web-messaging: kill -9 mid-relay, restart: the same guest, exactly one message, the source\'s bytes', async () => {
  await withServiceRig('gu-serve-restart-wm-', {}, async ({ dir, emulator, start }) => {
    const stateDir = join(dir, 'state');
    const args = ['--port', '0', '--state-dir', stateDir, '--spool-dir', join(dir, 'spool'), '--via', 'web-messaging', '--ws-url', `${emulator.url.replace(/^http/, 'ws')}/v1`, '--deployment-id', DEMO_DEPLOYMENT_ID];
    const data = randomBytes(1024 * 1024);
    emulator.addFault({ route: 'wm-upload', action: 'stall', stallMs: 120_000 } as never);

    const first = await start(args, {});
    const uploadUrl = await createUpload(first.url, data.length, { filename: 'crash.pdf', text: 'after a crash' });
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const id = jobIdOf(uploadUrl);
    await until(() => conversations(emulator).some((c) => c.attachments.some((a) => a.fileName === 'crash.pdf')), 'the attachment to be requested');
    const session = conversations(emulator).find((c) => c.attachments.some((a) => a.fileName === 'crash.pdf'))!.sessionId;
    assert.equal((await readdir(join(stateDir, 'guests'))).filter((n) => n.endsWith('.token')).length, 1, 'the new guest\'s token is kept before its upload');

    await killHard(first);
    emulator.clearFaults();

    const second = await start(args, {});
    const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', `${JSON.stringify(job.error)}\n${second.stderr()}`);
    assert.equal(job.attempts, 2);
    assert.equal(job.details['guest'], 'new');

    const sent = conversations(emulator).flatMap((c) => c.messages.filter((m) => m.attachments.some((a) => a.fileName === 'crash.pdf')).map((m) => ({ ...m, session: c.sessionId })));
    assert.equal(sent.length, 1, 'exactly one message');
    assert.equal(sent[0]!.id, job.messageId);
    assert.equal(sent[0]!.session, session, 'the same guest\'s conversation after the restart');
    assert.equal(sent[0]!.attachments[0]!.sha256, sha256Hex(data));
    assert.deepEqual((await readdir(join(stateDir, 'guests'))).filter((n) => n.endsWith('.token')), [], 'the token is removed at delivery');

    const code = await stopService(second);
    assert.equal(code, 0, 'a clean stop on SIGTERM');
  });
});

interface ConversationItem {
  id: string;
  media: Array<{ name: string }>;
  messages: Array<{ id: string; media: Array<{ sha256: string }> }>;
}

test('conversation: kill -9 mid-relay, restart: exactly one message with the source\'s media', async () => {
  await withServiceRig('gu-serve-restart-conv-', {}, async ({ dir, emulator, start }) => {
    const created = await fetch(`${emulator.url}/__emulator/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ profile: { allowedTypes: ['application/pdf'] } }),
    });
    const { id: conversationId } = (await created.json()) as { id: string };
    const items = (): ConversationItem[] => (emulator.state() as unknown as { conversations: { items: ConversationItem[] } }).conversations.items;
    const mine = (): ConversationItem => items().find((c) => c.id === conversationId)!;
    const args = ['--port', '0', '--state-dir', join(dir, 'state'), '--spool-dir', join(dir, 'spool'), '--via', 'conversation', '--base-url', emulator.url];
    const env = { GENESYS_CLIENT_ID: DEMO_CLIENT.id, GENESYS_CLIENT_SECRET: DEMO_CLIENT.secret };
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1024 * 1024)]);
    emulator.addFault({ route: 'media-put', action: 'stall', stallMs: 120_000 } as never);

    const first = await start(args, env);
    const uploadUrl = await createUpload(first.url, data.length, { filename: 'contract.pdf', conversationid: conversationId });
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    await until(() => mine().media.length > 0, 'the media upload to be requested');
    await killHard(first);
    emulator.clearFaults();

    const second = await start(args, env);
    const job = (await followJob(second.url, jobIdOf(uploadUrl), terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', `${JSON.stringify(job.error)}\n${second.stderr()}`);
    assert.equal(mine().messages.length, 1, 'exactly one message');
    assert.equal(mine().messages[0]!.id, job.messageId);
    assert.equal(mine().messages[0]!.media[0]!.sha256, sha256Hex(data));
    await stopService(second);
  });
});
