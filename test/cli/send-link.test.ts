/**
 * `send --delivery link|auto` from the command line against the emulator and its S3 endpoint: for
 * each destination one text message whose link downloads the source's bytes; auto over the Web
 * Messaging limit → a link; auto without a link store → the refusal (exit 4) saying how to configure
 * one; link without a store → exit 2; a very long file name within each channel's limit; no
 * pre-signed signature or secret in stdout, stderr or --json; an interrupted multipart send resumed
 * by the same command sends only the parts ListParts lacks.
 */
import { keyName } from '../../src/destinations/s3/store.js';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { DEMO_DEPLOYMENT_ID, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/index.js';
import { runCli } from '../helpers/run-cli.js';

const MiB = 1024 * 1024;
const WM_LIMIT = 10_240 * 1000;
const SIGNATURE = /X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token/i;

let dir: string;
let emulator: EmulatorHandle;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-link-'));
  emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
});
after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function s3Env(): Record<string, string> {
  return {
    HOME: dir,
    GENESYS_UPLOAD_S3: 's3://genesys-uploads/links/',
    GENESYS_UPLOAD_S3_ENDPOINT: emulator.s3Url,
    GENESYS_UPLOAD_S3_PART_SIZE: '5MiB',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: DEMO_S3_CREDENTIAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_S3_CREDENTIAL.secretAccessKey,
  };
}
const wmEnv = (): Record<string, string> => ({ GENESYS_WEBMESSAGING_URL: `${emulator.url.replace(/^http/, 'ws')}/v1`, GENESYS_DEPLOYMENT_ID: DEMO_DEPLOYMENT_ID });
const orgEnv = (): Record<string, string> => ({ GENESYS_BASE_URL: emulator.url, GENESYS_CLIENT_ID: 'demo-client', GENESYS_CLIENT_SECRET: 'demo-secret' });

interface Json {
  ok: boolean;
  messageId: string;
  sha256: string;
  destination: string;
  delivery: string;
  link?: { expiresAt?: string; key: string };
  details: Record<string, string>;
}
const last = (stdout: string): Json => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Json;

interface AnyMessage {
  id: string;
  text: string;
  attachments: number;
}

/** Every message the emulator holds, whatever the destination: its text and how many files it carries. */
function messages(): AnyMessage[] {
  const state = emulator.state() as unknown as {
    messages: Array<{ id: string; text: string; attachments: unknown[] }>;
    webMessaging: { conversations: Array<{ messages: Array<{ id: string; text?: string; attachments: unknown[] }> }> };
    conversations: { items: Array<{ messages: Array<{ id: string; textBody: string; media: unknown[] }> }> };
  };
  return [
    ...state.messages.map((m) => ({ id: m.id, text: m.text, attachments: m.attachments.length })),
    ...state.webMessaging.conversations.flatMap((c) => c.messages.map((m) => ({ id: m.id, text: m.text ?? '', attachments: m.attachments.length }))),
    ...state.conversations.items.flatMap((c) => c.messages.map((m) => ({ id: m.id, text: m.textBody, attachments: m.media.length }))),
  ];
}

/** Checks the one message `messageId`: text only, the link inside downloads `want`. */
async function assertLinkMessage(result: Json, want: string, fileName: string): Promise<string> {
  const found = messages().filter((m) => m.id === result.messageId);
  assert.equal(found.length, 1);
  const message = found[0]!;
  assert.equal(message.attachments, 0, 'a link message carries no file');
  const url = /^Download: (\S+)$/m.exec(message.text)?.[1];
  assert.ok(url !== undefined, message.text);
  assert.match(message.text, new RegExp(`SHA-256: ${want}`));
  const res = await request(url);
  const body = Buffer.from(await res.body.arrayBuffer());
  assert.equal(res.statusCode, 200);
  assert.equal(sha256(body), want, 'the link downloads the source bytes');
  assert.equal(result.delivery, 'link');
  assert.ok(result.link?.key.endsWith(`/${keyName(fileName)}`), JSON.stringify(result.link));
  assert.match(String(res.headers['content-disposition']), /^attachment; /, 'the browser saves it under its own name');
  assert.ok(result.link?.expiresAt !== undefined && Date.parse(result.link.expiresAt) > Date.now());
  return message.text;
}

function assertNoSecret(run: { stdout: string; stderr: string }): void {
  for (const out of [run.stdout, run.stderr]) {
    assert.doesNotMatch(out, SIGNATURE);
    assert.ok(!out.includes(DEMO_S3_CREDENTIAL.secretAccessKey));
    assert.ok(!out.includes('http://') || !/\?[^\s"]*X-Amz/i.test(out));
  }
}

async function file(name: string, size: number): Promise<{ path: string; sha: string }> {
  const data = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, data);
  return { path, sha: sha256(data) };
}

async function conversationId(): Promise<string> {
  const created = await fetch(`${emulator.url}/__emulator/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: { allowedTypes: ['application/pdf', 'application/zip'] } }),
  });
  return ((await created.json()) as { id: string }).id;
}

test('genesys-files --delivery link: one message, no attachment, the link downloads the same SHA-256; a very long name fits 2000 characters', async () => {
  const name = `${'quarterly-report-'.repeat(14)}final.pdf`;
  const { path, sha } = await file(name, 6 * MiB);
  const run = await runCli(['send', path, '--to', '+15550100', '--delivery', 'link', '--text', 'Your report', '--json'], { ...orgEnv(), ...s3Env() }).done;
  assert.equal(run.code, 0, run.stderr);
  assertNoSecret(run);
  const result = last(run.stdout);
  assert.equal(result.destination, 'genesys-files+s3');
  const text = await assertLinkMessage(result, sha, name);
  assert.ok(text.length <= 2000, `${text.length} characters`);
  assert.match(text, /^Your report\n/);
});

test('web-messaging --delivery link: one text message (≤ 4096 bytes) whose link downloads the same SHA-256', async () => {
  const name = `${'é'.repeat(100)}.pdf`;
  const { path, sha } = await file(name, 1000);
  const run = await runCli(['send', path, '--via', 'web-messaging', '--delivery', 'link', '--json'], { ...wmEnv(), ...s3Env() }).done;
  assert.equal(run.code, 0, run.stderr);
  assertNoSecret(run);
  const result = last(run.stdout);
  assert.equal(result.destination, 'web-messaging+s3');
  const text = await assertLinkMessage(result, sha, name);
  assert.ok(Buffer.byteLength(text) <= 4096, `${Buffer.byteLength(text)} bytes`);
});

test('conversation --delivery link: one text message (≤ 2000 characters) whose link downloads the same SHA-256', async () => {
  const id = await conversationId();
  const { path, sha } = await file('contract.pdf', 12 * MiB);
  const run = await runCli(['send', path, '--via', 'conversation', '--conversation-id', id, '--delivery', 'link', '--json'], { ...orgEnv(), ...s3Env() }).done;
  assert.equal(run.code, 0, run.stderr);
  assertNoSecret(run);
  const result = last(run.stdout);
  assert.equal(result.destination, 'conversation+s3');
  const text = await assertLinkMessage(result, sha, 'contract.pdf');
  assert.ok(text.length <= 2000);
});

test('auto: a file over the Web Messaging limit goes as a link; without a link store it is refused (exit 4) saying how to configure one', async () => {
  const { path, sha } = await file('big.zip', WM_LIMIT + 1);
  const refused = await runCli(['send', path, '--via', 'web-messaging', '--json'], { ...wmEnv(), HOME: dir }).done;
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /10240/);
  assert.match(refused.stderr, /--link-store s3:\/\/bucket\/prefix \(or GENESYS_UPLOAD_S3\)/);

  const run = await runCli(['send', path, '--via', 'web-messaging', '--json'], { ...wmEnv(), ...s3Env() }).done;
  assert.equal(run.code, 0, run.stderr);
  assertNoSecret(run);
  await assertLinkMessage(last(run.stdout), sha, 'big.zip');
});

test('auto: a file within the limit stays an attachment although a link store is configured', async () => {
  const { path } = await file('small.pdf', 2000);
  const run = await runCli(['send', path, '--via', 'web-messaging', '--json'], { ...wmEnv(), ...s3Env() }).done;
  assert.equal(run.code, 0, run.stderr);
  const result = last(run.stdout);
  assert.equal(result.delivery, 'attachment');
  assert.equal(result.destination, 'web-messaging');
});

test('--delivery link without a link store: exit 2 naming the setting; a stray --s3-endpoint or a bad part size: exit 2', async () => {
  const { path } = await file('nostore.pdf', 2000);
  const run = await runCli(['send', path, '--via', 'web-messaging', '--delivery', 'link'], { ...wmEnv(), HOME: dir }).done;
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /GENESYS_UPLOAD_S3/);
  const stray = await runCli(['send', path, '--via', 'web-messaging', '--delivery', 'link', '--s3-endpoint', 'http://127.0.0.1:1'], { ...wmEnv(), HOME: dir }).done;
  assert.equal(stray.code, 2, stray.stderr);
  assert.match(stray.stderr, /--s3-endpoint .*--link-store/);
  const bad = await runCli(['send', path, '--via', 'web-messaging', '--s3-part-size', '1MiB'], { ...wmEnv(), ...s3Env() }).done;
  assert.equal(bad.code, 2, 'a bad setting is refused even when the file would go as an attachment');
  assert.match(bad.stderr, /GENESYS_UPLOAD_S3_PART_SIZE must be from 5 MiB to 5 GiB/);
});

test('auto: a file over the conversation\'s 25 MB goes as a link', async () => {
  const id = await conversationId();
  const { path, sha } = await file('dump.zip', 25 * MiB + 1);
  const run = await runCli(['send', path, '--via', 'conversation', '--conversation-id', id, '--json', '--quiet'], { ...orgEnv(), ...s3Env() }).done;
  assert.equal(run.code, 0, run.stderr);
  assertNoSecret(run);
  const result = last(run.stdout);
  assert.equal(result.destination, 'conversation+s3');
  await assertLinkMessage(result, sha, 'dump.zip');
});
