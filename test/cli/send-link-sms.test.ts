/**
 * A link into an SMS conversation: its text must fit SMS's 765 characters, not the 2000 of other
 * conversation messages. The limit is learnt from the conversation's communication before any
 * upload: a link message is built within it (a long file name shortened), and a link that cannot
 * fit at all (a long key prefix) is refused before any byte goes to S3 — exit 2, the limit named.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { linkStoreEnv } from '../helpers/link-store-env.js';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let emulator: EmulatorHandle;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-link-sms-'));
  emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
});
after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (location: string): Record<string, string> => ({
  HOME: dir,
  GENESYS_BASE_URL: emulator.url,
  GENESYS_CLIENT_ID: 'demo-client',
  GENESYS_CLIENT_SECRET: 'demo-secret',
  ...linkStoreEnv(emulator.s3Url, location),
});

async function conversation(channel: string): Promise<string> {
  const created = await fetch(`${emulator.url}/__emulator/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel }) });
  assert.equal(created.status, 201);
  return ((await created.json()) as { id: string }).id;
}

const textsOf = (id: string): string[] =>
  (emulator.state() as unknown as { conversations: { items: Array<{ id: string; messages: Array<{ textBody: string }> }> } }).conversations.items.find((c) => c.id === id)?.messages.map((m) => m.textBody) ?? [];
const s3Calls = (from: number): string[] => emulator.state().requestLog.slice(from).flatMap((r) => (r.route.startsWith('s3-') ? [r.route] : []));

// Long enough that the full name makes the text longer than 765 characters, not than 2000.
const NAME = `${'minutes-of-the-annual-general-meeting-'.repeat(6)}2026.pdf`;

test('SMS: the link message is built within 765 characters (the name shortened) and delivered; the same file elsewhere keeps its 2000', async () => {
  const path = join(dir, NAME);
  await writeFile(path, randomBytes(3000));
  const sms = await conversation('sms');
  const run = await runCli(['send', path, '--via', 'conversation', '--conversation-id', sms, '--delivery', 'link', '--json'], env('s3://genesys-uploads/links/')).done;
  assert.equal(run.code, 0, run.stderr);
  const [text] = textsOf(sms);
  assert.ok(text !== undefined);
  assert.ok([...text].length <= 765, `${[...text].length} characters`);
  assert.ok(!text.includes(NAME), 'the name was shortened to fit');
  assert.match(text, /^File: minutes-of-the-annual-general-meeting-.*…\.pdf, 3 KB/m);

  const web = await conversation('webmessaging');
  const wide = await runCli(['send', path, '--via', 'conversation', '--conversation-id', web, '--delivery', 'link', '--json'], env('s3://genesys-uploads/links/')).done;
  assert.equal(wide.code, 0, wide.stderr);
  const [full] = textsOf(web);
  assert.ok(full !== undefined && full.includes(`File: ${NAME}`) && full.length > 765 && full.length <= 2000, `${full?.length} characters`);
});

test('SMS: a link that cannot fit 765 characters is refused before any upload (exit 2, the limit named); 2000 still takes it', async () => {
  const path = join(dir, 'contract.pdf');
  await writeFile(path, randomBytes(6 * 1024 * 1024));
  const location = `s3://genesys-uploads/${'customer-correspondence/'.repeat(16)}`;
  const sms = await conversation('sms');
  const before = emulator.state().requestLog.length;
  const run = await runCli(['send', path, '--via', 'conversation', '--conversation-id', sms, '--delivery', 'link', '--json'], env(location)).done;
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /an SMS conversation must fit 765 characters/);
  assert.match(run.stderr, /GENESYS_UPLOAD_S3_PUBLIC_BASE_URL/);
  assert.deepEqual(s3Calls(before), [], 'nothing was sent to S3');
  assert.deepEqual(textsOf(sms), []);

  const web = await conversation('webmessaging');
  const wide = await runCli(['send', path, '--via', 'conversation', '--conversation-id', web, '--delivery', 'link', '--json'], env(location)).done;
  assert.equal(wide.code, 0, wide.stderr);
  assert.equal(textsOf(web).length, 1);
});
