/**
 * Relay while receiving to the S3 link store: `serve --via web-messaging --delivery link` with the
 * emulator's S3 endpoint opens the multipart upload at the tus creation, names its part size, and
 * stores each part as soon as the intake verified it — before the last PATCH — then sends one link
 * message. Progress is observed through the job's SSE stream and the emulator's S3 state (events,
 * not timing); the kill -9 case runs the service as a child process, the emulator in this process.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { request } from 'undici';
import { resolveConfig } from '../../src/config/index.js';
import { DEMO_CLIENT, DEMO_DEPLOYMENT_ID, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/index.js';
import { startService, type ServiceHandle, type ServiceOptions } from '../../src/server/index.js';
import { linkStoreEnv } from '../helpers/link-store-env.js';
import { createStreamed, encodeMetadata, followJob, headOffset, http, jobIdOf, sendChecksummed, sha256Hex, terminal, TUS } from './helpers.js';
import { killHard, stopService, withServiceRig } from './service-process.js';

const MiB = 1024 * 1024;
const LOCATION = 's3://genesys-uploads/links/';

/** POST /files/ → the upload URL and the part size the service named. */
const create = (base: string, size: number, filename: string, metadata: Record<string, string> = {}): Promise<{ url: string; partSize: number }> =>
  createStreamed(base, size, { filename, text: 'The scan', ...metadata });
const send = sendChecksummed;

interface WmMessage {
  id: string;
  text?: string;
  attachments: unknown[];
}

function messages(emulator: EmulatorHandle): WmMessage[] {
  const state = emulator.state() as unknown as { webMessaging: { conversations: Array<{ messages: WmMessage[] }> } };
  return state.webMessaging.conversations.flatMap((c) => c.messages);
}

/** Successful UploadPart requests of the multipart upload `uploadId`. */
function partPuts(emulator: EmulatorHandle, uploadId: string): number {
  return emulator.state().requestLog.filter((e) => e.route === 's3-part' && e.uploadId === uploadId && e.status >= 200 && e.status < 300).length;
}

/** One link message, the job's: no attachment, a link whose download and whose object hash to the file's SHA-256. */
async function assertOneLinkMessage(emulator: EmulatorHandle, messageId: string | null | undefined, data: Buffer): Promise<void> {
  const all = messages(emulator);
  assert.equal(all.length, 1, `exactly one message: ${JSON.stringify(all.map((m) => m.id))}`);
  const message = all[0]!;
  assert.equal(message.id, messageId);
  assert.equal(message.attachments.length, 0, 'a link, not an attachment');
  const url = /https?:\/\/\S+/.exec(message.text ?? '')?.[0];
  assert.ok(url !== undefined, `the message carries the link: ${message.text}`);
  const res = await request(url);
  assert.equal(res.statusCode, 200);
  const hash = createHash('sha256');
  for await (const chunk of res.body) hash.update(chunk as Buffer);
  assert.equal(hash.digest('hex'), sha256Hex(data), 'the link downloads the same bytes');
  const objects = emulator.state().s3.buckets.flatMap((b) => b.objects);
  assert.equal(objects.length, 1, 'one object');
  assert.equal(objects[0]!.sha256, sha256Hex(data), "the object's SHA-256 is the file's");
}


/** A service relaying into a fresh emulator, whose S3 endpoint is the link store (`link` adds to its settings); all closed after the test. */
async function linkService(
  t: TestContext,
  name: string,
  options: (emulator: EmulatorHandle) => Partial<ServiceOptions>,
  link: { publicBaseUrl?: string } = {},
): Promise<{ emulator: EmulatorHandle; service: ServiceHandle }> {
  const dir = await mkdtemp(join(tmpdir(), name));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const emulator = await startEmulator({ dataDir: join(dir, 'emulator') });
  cleanups.push(() => emulator.close());
  const service = await startService({
    port: 0,
    stateDir: join(dir, 'state'),
    spoolDir: join(dir, 'spool'),
    linkStore: { location: LOCATION, endpoint: emulator.s3Url, region: 'us-east-1', credentials: { ...DEMO_S3_CREDENTIAL }, partSize: 5 * MiB, ...link },
    logLevel: 'silent',
    ...options(emulator),
  });
  cleanups.push(() => service.close());
  return { emulator, service };
}

test('delivery link: the parts go to S3 before the last PATCH; one link message; the object is the file', async (t) => {
  const { emulator, service } = await linkService(t, 'gu-stream-s3-', (emulator) => ({
    via: 'web-messaging',
    webMessaging: { wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1`, deploymentId: DEMO_DEPLOYMENT_ID },
    delivery: 'link',
  }));
  const data = randomBytes(3 * 5 * MiB + 1000);
  const { url, partSize } = await create(service.url, data.length, 'scan.pdf');
  assert.equal(partSize, 5 * MiB, 'the S3 part size is named at creation');
  const id = jobIdOf(url);
  const last = 3 * partSize;
  await send(url, data, 0, last, partSize);
  // Stored while receiving (SSE): the three full parts are in S3 before the last chunk goes.
  const progress = (await followJob(service.url, id, (job) => job.relay.bytes >= last)).at(-1)!.data;
  assert.equal(progress.state, 'receiving');
  const upload = emulator.state().s3.uploads[0];
  assert.ok(upload !== undefined, 'the multipart upload is open');
  assert.deepEqual(upload.parts.map((p) => p.partNumber), [1, 2, 3]);
  assert.equal(messages(emulator).length, 0, 'no guest or message before the last byte');

  await send(url, data, last, data.length, partSize);
  const job = (await followJob(service.url, id, terminal)).at(-1)!.data;
  assert.equal(job.state, 'delivered', JSON.stringify(job.error));
  assert.equal(job.details['delivery'], 'link');
  assert.equal(job.sha256, sha256Hex(data));
  assert.equal(partPuts(emulator, upload.uploadId), 4, 'each part sent once');
  await assertOneLinkMessage(emulator, job.messageId, data);
});

test('delivery link: a file that fits one part is one PutObject, stored when its last byte arrives; one link message', async (t) => {
  const { emulator, service } = await linkService(t, 'gu-stream-s3-put-', (emulator) => ({
    via: 'web-messaging',
    webMessaging: { wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1`, deploymentId: DEMO_DEPLOYMENT_ID },
    delivery: 'link',
  }));
  const data = randomBytes(300 * 1024);
  const { url, partSize } = await create(service.url, data.length, 'small.pdf');
  assert.ok(partSize >= data.length, 'one part: the whole file');
  await send(url, data, 0, data.length, 100 * 1024);
  const job = (await followJob(service.url, jobIdOf(url), terminal)).at(-1)!.data;
  assert.equal(job.state, 'delivered', JSON.stringify(job.error));
  assert.equal(emulator.state().requestLog.filter((e) => e.route === 's3-put').length, 1, 'one PutObject');
  await assertOneLinkMessage(emulator, job.messageId, data);
});

test('conversation, delivery auto: a file over 25 MiB is stored in S3 while it arrives; one link message in the conversation', async (t) => {
  const { emulator, service } = await linkService(t, 'gu-stream-s3-conv-', (emulator) => ({
    via: 'conversation',
    target: resolveConfig({ env: {}, flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url } }),
  }));
  const created = await http(`${emulator.url}/__emulator/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { id: conversationId } = created.json as { id: string };
  const data = randomBytes(25 * MiB + 1);
  const { url, partSize } = await create(service.url, data.length, 'big.pdf', { conversationid: conversationId });
  assert.equal(partSize, 5 * MiB, 'over every attachment ceiling: stored as a link while it arrives');
  await send(url, data, 0, data.length, partSize);
  const job = (await followJob(service.url, jobIdOf(url), terminal)).at(-1)!.data;
  assert.equal(job.state, 'delivered', JSON.stringify(job.error));
  assert.equal(job.details['delivery'], 'link');
  const state = emulator.state() as unknown as { conversations: { items: Array<{ id: string; messages: Array<{ id: string; textBody: string; media: unknown[] }> }> } };
  const sent = state.conversations.items.find((c) => c.id === conversationId)?.messages ?? [];
  assert.equal(sent.length, 1, 'exactly one message');
  assert.equal(sent[0]!.id, job.messageId);
  assert.equal(sent[0]!.media.length, 0, 'a link, not media');
  assert.match(sent[0]!.textBody, /https?:\/\//);
  const objects = emulator.state().s3.buckets.flatMap((b) => b.objects);
  assert.deepEqual(objects.map((o) => o.sha256), [sha256Hex(data)], "one object, the file's bytes");
});

test('delivery link: kill -9 while parts go to S3, restart, tus resume: one link message, no held part sent again', async () => {
  await withServiceRig('gu-stream-s3-kill-', {}, async ({ dir, emulator, start }) => {
    const args = [
      '--port', '0', '--state-dir', join(dir, 'state'), '--spool-dir', join(dir, 'spool'),
      '--via', 'web-messaging', '--ws-url', `${emulator.url.replace(/^http/, 'ws')}/v1`, '--deployment-id', DEMO_DEPLOYMENT_ID,
      '--delivery', 'link', '--link-store', LOCATION,
    ];
    const env = linkStoreEnv(emulator.s3Url);
    const data = randomBytes(4 * 5 * MiB + 5);
    const first = await start(args, env);
    const { url, partSize } = await create(first.url, data.length, 'crash.pdf');
    assert.equal(partSize, 5 * MiB);
    const id = jobIdOf(url);
    await send(url, data, 0, 2 * partSize, partSize);
    await followJob(first.url, id, (job) => job.relay.bytes >= 2 * partSize);
    const uploadId = emulator.state().s3.uploads[0]!.uploadId;
    assert.equal(partPuts(emulator, uploadId), 2);

    await killHard(first);

    const second = await start(args, env);
    const resumeUrl = url.replace(first.url, second.url);
    const offset = await headOffset(resumeUrl);
    assert.equal(offset, 2 * partSize);
    await send(resumeUrl, data, offset, data.length, partSize);
    const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', `${JSON.stringify(job.error)}\n${second.stderr()}`);
    assert.equal(job.sha256, sha256Hex(data));
    assert.equal(partPuts(emulator, uploadId), 5, 'the held parts were not sent again');
    assert.equal(emulator.state().s3.uploads.length, 0, 'the upload opened at creation was completed');
    await assertOneLinkMessage(emulator, job.messageId, data);
    assert.equal(await stopService(second), 0);
  });
});

test('delivery link: kill -9 after the stream completed the S3 upload, before it handed it over: restart, no second object, one link message', async () => {
  await withServiceRig('gu-stream-s3-complete-', {}, async ({ dir, emulator, start }) => {
    const args = [
      '--port', '0', '--state-dir', join(dir, 'state'), '--spool-dir', join(dir, 'spool'),
      '--via', 'web-messaging', '--ws-url', `${emulator.url.replace(/^http/, 'ws')}/v1`, '--deployment-id', DEMO_DEPLOYMENT_ID,
      '--delivery', 'link', '--link-store', LOCATION,
    ];
    const env = linkStoreEnv(emulator.s3Url);
    const data = randomBytes(3 * 5 * MiB + 7);
    const first = await start(args, env);
    const { url, partSize } = await create(first.url, data.length, 'finished.pdf');
    const id = jobIdOf(url);
    // Complete's answer is lost (the object is made) and the check that follows is held: the
    // service dies with the object in S3 and nothing recorded of it.
    emulator.addFault({ route: 's3-complete', action: 'lose-response', count: 1000 });
    emulator.addFault({ route: 's3-head', action: 'stall', stallMs: 60_000, count: 1000 });
    await send(url, data, 0, data.length, partSize);
    const objects = (): Array<{ key: string; sha256: string }> => emulator.state().s3.buckets.flatMap((b) => b.objects);
    while (objects().length === 0) await new Promise((resolve) => setImmediate(resolve));
    await killHard(first);
    emulator.clearFaults();

    const before = emulator.state().requestLog.length;
    const second = await start(args, env);
    const job = (await followJob(second.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', `${JSON.stringify(job.error)}\n${second.stderr()}`);
    const again = emulator.state().requestLog.slice(before);
    assert.deepEqual(again.filter((r) => r.route === 's3-part' || r.route === 's3-create' || r.route === 's3-complete' || r.route === 's3-put').map((r) => r.route), [], 'no part, no new upload, no second completion');
    assert.equal(objects().length, 1, 'one object: no duplicate');
    assert.equal(objects()[0]!.sha256, sha256Hex(data));
    await assertOneLinkMessage(emulator, job.messageId, data);
    assert.equal(await stopService(second), 0);
  });
});

test('conversation, delivery link: a link message that cannot fit the 2000 characters is refused at creation (400), nothing left behind', async (t) => {
  const { emulator, service } = await linkService(t, 'gu-stream-s3-fit-', (emulator) => ({
    via: 'conversation',
    target: resolveConfig({ env: {}, flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url } }),
    delivery: 'link',
    // A public base URL so long that no link under it fits a 2000-character message.
  }), { publicBaseUrl: `https://files.example.com/${'p'.repeat(2000)}/` });
  const created = await http(`${emulator.url}/__emulator/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { id: conversationId } = created.json as { id: string };
  const res = await http(`${service.url}/files/`, {
    method: 'POST',
    headers: { ...TUS, 'upload-length': String(6 * MiB), 'upload-metadata': encodeMetadata({ filename: 'contract.pdf', conversationid: conversationId }) },
  });
  assert.equal(res.status, 400, res.text);
  assert.match(res.text, /2000 characters/);
  const jobs = await http(`${service.url}/api/jobs`);
  assert.deepEqual((jobs.json as { jobs: unknown[] }).jobs, [], 'no job is left');
  assert.deepEqual(emulator.state().s3.uploads, [], 'nothing was opened in S3');
});
