/**
 * tus-js-client (the client the web page uses) from Node: a 100 MiB upload with per-chunk
 * checksums, interrupted part-way and resumed from the server's offset; the job ends delivered and
 * the file Genesys stored is byte-identical. And a small upload without checksums that sends its
 * first bytes with the creation request.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as tus from 'tus-js-client';
import { getToken, http as emulatorHttp } from '../helpers/emulator-client.js';
import { ChecksumHttpStack } from './checksum-http-stack.js';
import { followJob, headOffset, jobIdOf, sha256Hex, startTestService, terminal, type TestService } from './helpers.js';

const MiB = 1024 * 1024;

function run(data: Buffer, options: tus.UploadOptions): { upload: tus.Upload; done: Promise<void> } {
  let upload!: tus.Upload;
  const done = new Promise<void>((resolve, reject) => {
    upload = new tus.Upload(data, { ...options, onSuccess: () => resolve(), onError: reject });
  });
  upload.start();
  return { upload, done };
}

/** The bytes Genesys (the emulator) stored under `fileId`. */
async function storedBytes(t: TestService, fileId: string): Promise<Buffer> {
  const token = await getToken(t.emulatorUrl);
  const res = await emulatorHttp(`${t.emulatorUrl}/api/v2/files/${fileId}/content`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return res.bytes;
}

test('100 MiB through tus-js-client with sha256 per chunk, interrupted and resumed: delivered byte-identical', async () => {
  const t = await startTestService();
  try {
    const data = randomBytes(100 * MiB);
    const chunkSize = 8 * MiB;
    const stack = new ChecksumHttpStack('sha256');
    const base: tus.UploadOptions = {
      endpoint: `${t.url}/files/`,
      chunkSize,
      retryDelays: [],
      httpStack: stack,
      metadata: { filename: 'big.pdf', filetype: 'application/pdf', to: '+15550100', text: 'The big file' },
    };
    let interrupt!: () => void;
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    const first = run(data, {
      ...base,
      // Stop while a chunk is on its way, once a good part of the file is in.
      onProgress: (sent) => {
        if (sent >= 44 * MiB) interrupt();
      },
    });
    await Promise.race([interrupted, first.done]);
    await first.upload.abort(false);
    const uploadUrl = first.upload.url;
    assert.ok(uploadUrl !== null, 'the upload was created');
    const offset = await headOffset(uploadUrl);
    assert.ok(offset > 0 && offset < data.length, `interrupted part-way (offset ${offset})`);
    assert.equal(offset % chunkSize, 0, 'with checksums a chunk is stored whole or not at all');

    const id = jobIdOf(uploadUrl);
    const resumed = run(data, { ...base, uploadUrl });
    await resumed.done;
    assert.ok(stack.checksummed >= Math.ceil(data.length / chunkSize), `every chunk carried a checksum (${stack.checksummed})`);

    const job = (await followJob(t.url, id, terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', JSON.stringify(job.error));
    assert.deepEqual(job.intake, { bytes: data.length, total: data.length });
    assert.deepEqual(job.relay, { bytes: data.length, total: data.length });
    assert.equal(job.sha256, sha256Hex(data));
    const stored = await storedBytes(t, job.fileId!);
    assert.equal(stored.length, data.length);
    assert.ok(stored.equals(data), 'the stored file is byte-identical');
    const messages = t.service.emulator!.state().messages;
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.id, job.messageId);
    assert.deepEqual(messages[0]!.attachments, [{ id: job.fileId, name: 'big.pdf' }]);
    assert.equal(messages[0]!.text, 'The big file');
  } finally {
    await t.close();
  }
});

test('tus-js-client without checksums, data sent with the creation request: delivered byte-identical', async () => {
  const t = await startTestService();
  try {
    const data = randomBytes(3 * MiB + 17);
    const { upload, done } = run(data, {
      endpoint: `${t.url}/files/`,
      chunkSize: MiB,
      uploadDataDuringCreation: true,
      retryDelays: [],
      metadata: { filename: 'report.pdf', to: '["ops@example.com","+15550100"]', language: 'fr-FR' },
    });
    await done;
    const job = (await followJob(t.url, jobIdOf(upload.url!), terminal)).at(-1)!.data;
    assert.equal(job.state, 'delivered', JSON.stringify(job.error));
    assert.equal(job.contentType, 'application/pdf');
    assert.deepEqual(job.to, ['ops@example.com', '+15550100']);
    assert.equal(job.language, 'fr-FR');
    assert.ok((await storedBytes(t, job.fileId!)).equals(data));
  } finally {
    await t.close();
  }
});
