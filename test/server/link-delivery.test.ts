/**
 * `serve --via web-messaging` with a link store (the emulator's S3 endpoint), delivery auto: a
 * 30 MB upload, over the deployment's 10 MB attachment limit, ends as a link message in the new
 * guest's conversation; the link downloads the same SHA-256; the job view shows the delivery and
 * the link's expiry, and neither the view, the events nor the log carry the link's signature.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { request } from 'undici';
import { DEMO_DEPLOYMENT_ID, startEmulator } from '../../src/emulator/index.js';
import { DEMO_S3_CREDENTIAL } from '../../src/emulator/s3/index.js';
import { startService } from '../../src/server/index.js';
import { createUpload, followJob, jobIdOf, patch, sha256Hex, terminal } from './helpers.js';

const MiB = 1024 * 1024;

test('web-messaging, delivery auto: a 30 MB upload ends as a link message whose link downloads the same SHA-256', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gu-serve-link-'));
  const emulator = await startEmulator({ dataDir: join(dir, 'emulator') });
  let log = '';
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString('utf8');
      done();
    },
  });
  const service = await startService({
    port: 0,
    stateDir: join(dir, 'state'),
    spoolDir: join(dir, 'spool'),
    via: 'web-messaging',
    webMessaging: { wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1`, deploymentId: DEMO_DEPLOYMENT_ID },
    linkStore: { location: 's3://genesys-uploads/links/', endpoint: emulator.s3Url, region: 'us-east-1', credentials: { ...DEMO_S3_CREDENTIAL }, partSize: 8 * MiB },
    logLevel: 'debug',
    logStream,
  });
  try {
    const data = randomBytes(30 * MiB);
    const uploadUrl = await createUpload(service.url, data.length, { filename: 'scan.pdf', text: 'The scan' });
    for (let offset = 0; offset < data.length; offset += 8 * MiB) {
      const res = await patch(uploadUrl, offset, data.subarray(offset, offset + 8 * MiB));
      assert.equal(res.status, 204, res.text);
    }
    const events = await followJob(service.url, jobIdOf(uploadUrl), terminal);
    const job = events.at(-1)!.data;
    assert.equal(job.state, 'delivered', JSON.stringify(job.error));
    assert.equal(job.details['delivery'], 'link');
    assert.ok(Date.parse(job.details['linkExpiresAt'] ?? '') > Date.now(), 'the link expires in the future');
    assert.equal(job.sha256, sha256Hex(data));

    const conversations = (emulator.state() as unknown as { webMessaging: { conversations: Array<{ messages: Array<{ id: string; text?: string; attachments: unknown[] }> }> } }).webMessaging.conversations;
    const message = conversations.flatMap((c) => c.messages).find((m) => m.id === job.messageId);
    assert.ok(message !== undefined);
    assert.equal(message.attachments.length, 0, 'a link, not an attachment');
    const url = /https?:\/\/\S+/.exec(message.text ?? '')?.[0];
    assert.ok(url !== undefined, `the message carries the link: ${message.text}`);
    const query = new URL(url).search;
    assert.ok(query.length > 10, 'a pre-signed link');
    for (const text of [JSON.stringify(events), log]) assert.ok(!text.includes(query.slice(1)), 'the link\'s signature is not shown or logged');

    const res = await request(url);
    assert.equal(res.statusCode, 200);
    const hash = createHash('sha256');
    for await (const chunk of res.body) hash.update(chunk as Buffer);
    assert.equal(hash.digest('hex'), sha256Hex(data), 'the link downloads the same bytes');
  } finally {
    await service.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
});
