/**
 * API keys, CORS, file names that try to leave the spool dir, and the static page's paths.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { DEMO_CLIENT } from '../../src/emulator/index.js';
import { createUpload, encodeMetadata, followJob, h, http, jobIdOf, patch, startTestService, terminal, TUS } from './helpers.js';

const KEY = 'k-0123456789abcdef-good';
const OTHER_KEY = 'k-fedcba9876543210-also';

test('with API keys, every /files and /api request needs a valid bearer key (401 otherwise)', async () => {
  const t = await startTestService({ apiKeys: [KEY, OTHER_KEY] });
  try {
    const auth = (key: string) => ({ authorization: `Bearer ${key}` });
    const create = (headers: Record<string, string>) =>
      http(`${t.url}/files/`, { method: 'POST', headers: { ...TUS, 'upload-length': '4', 'upload-metadata': encodeMetadata({ filename: 'a.pdf', to: '+15550100' }), ...headers } });
    for (const headers of [{}, auth('wrong-key-wrong-key'), auth(`${KEY}x`), auth(KEY.slice(0, -1)), { authorization: KEY }, { authorization: `Basic ${KEY}` }]) {
      const res = await create(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.match(h(res, 'www-authenticate') ?? '', /^Bearer/);
    }
    for (const path of ['/api/jobs', `/api/jobs/${'0'.repeat(32)}`, `/api/jobs/${'0'.repeat(32)}/events`, `/api/jobs/${'0'.repeat(32)}/events?key=wrong-key-wrong-key`, `/api/jobs?key=${KEY}`]) {
      assert.equal((await http(`${t.url}${path}`)).status, 401, path);
    }
    // The page must learn that a key is needed before it has one.
    const publicConfig = await http(`${t.url}/api/config`);
    assert.equal(publicConfig.status, 200);
    assert.equal((publicConfig.json as { apiKeyRequired: boolean }).apiKeyRequired, true);
    assert.equal((await http(`${t.url}/api/jobs/${'0'.repeat(32)}/retry`, { method: 'POST' })).status, 401);

    const created = await create(auth(OTHER_KEY));
    assert.equal(created.status, 201);
    const uploadUrl = new URL(h(created, 'location') ?? '', `${t.url}/files/`).toString();
    assert.equal((await http(uploadUrl, { method: 'HEAD', headers: { ...TUS } })).status, 401);
    assert.equal((await patch(uploadUrl, 0, Buffer.from('data'))).status, 401);
    // Another key's upload does not exist for KEY (scoping has its own tests in scoping.test.ts).
    assert.equal((await patch(uploadUrl, 0, Buffer.from('data'), auth(KEY))).status, 404);
    assert.equal((await patch(uploadUrl, 0, Buffer.from('data'), auth(OTHER_KEY))).status, 204);
    const config = await http(`${t.url}/api/config`, { headers: auth(KEY) });
    assert.equal(config.status, 200);
    assert.equal((config.json as { apiKeyRequired: boolean }).apiKeyRequired, true);
    const job = await followJob(t.url, jobIdOf(uploadUrl), terminal, auth(OTHER_KEY));
    assert.equal(job.at(-1)!.data.state, 'delivered');
    // EventSource cannot send headers: the event stream (and only it) takes ?key=.
    const viaQuery = await http(`${t.url}/api/jobs/${jobIdOf(uploadUrl)}/events?key=${encodeURIComponent(OTHER_KEY)}`);
    assert.equal(viaQuery.status, 200);

    // Discovery and preflights carry no credentials; health is public.
    assert.equal((await http(`${t.url}/files/`, { method: 'OPTIONS' })).status, 204);
    assert.equal((await http(`${t.url}/healthz`)).status, 200);
  } finally {
    await t.close();
  }
});

test('CORS: an allowed origin gets the tus headers exposed and Upload-Checksum allowed; others get nothing', async () => {
  const t = await startTestService({ corsOrigins: ['https://app.example'] });
  try {
    const preflight = await http(`${t.url}/files/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'upload-checksum' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(h(preflight, 'access-control-allow-origin'), 'https://app.example');
    assert.match(h(preflight, 'access-control-allow-headers') ?? '', /Upload-Checksum/);
    assert.match(h(preflight, 'access-control-allow-methods') ?? '', /PATCH/);
    const created = await http(`${t.url}/files/`, {
      method: 'POST',
      headers: { ...TUS, origin: 'https://app.example', 'upload-length': '4', 'upload-metadata': encodeMetadata({ filename: 'a.pdf', to: '+15550100' }) },
    });
    assert.equal(created.status, 201);
    assert.equal(h(created, 'access-control-allow-origin'), 'https://app.example');
    const exposed = h(created, 'access-control-expose-headers') ?? '';
    for (const name of ['Location', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable', 'Tus-Checksum-Algorithm']) assert.ok(exposed.includes(name), name);
    const foreign = await http(`${t.url}/api/config`, { headers: { origin: 'https://evil.example' } });
    assert.equal(h(foreign, 'access-control-allow-origin'), undefined);
  } finally {
    await t.close();
  }
});

test('file names that climb out of the spool dir are sanitised; only job ids name spool files', async () => {
  const t = await startTestService();
  try {
    const names = ['../../../../tmp/evil.txt', '..\\..\\windows\\evil.txt', '/etc/passwd', '.hidden', 'a/../../b.txt', 'nul\u0000byte.txt'];
    const ids: string[] = [];
    for (const filename of names) {
      const uploadUrl = await createUpload(t.url, 5, { filename, filetype: 'text/plain', to: '+15550100' });
      assert.equal((await patch(uploadUrl, 0, Buffer.from('12345'))).status, 204);
      ids.push(jobIdOf(uploadUrl));
    }
    for (const [i, id] of ids.entries()) {
      const job = (await followJob(t.url, id, terminal)).at(-1)!.data;
      assert.equal(job.state, 'delivered', names[i]);
      assert.doesNotMatch(job.fileName, /[/\\\u0000]/, job.fileName);
      assert.doesNotMatch(job.fileName, /^\./, job.fileName);
    }
    // The service wrote nothing next to its own directories, and spool files are named by id only.
    assert.deepEqual((await readdir(t.dir)).sort(), ['emulator', 'spool', 'state']);
    for (const entry of await readdir(join(t.dir, 'spool', 'intake'))) assert.match(entry, /^[0-9a-f]{32}(\.json)?$/);
    const stored = t.service.emulator!.state().files.map((file) => file.name);
    assert.equal(stored.length, names.length);
    for (const name of stored) assert.doesNotMatch(name, /[/\\]|^\./);
  } finally {
    await t.close();
  }
});

test('the page and the tus bundle are served; paths outside the web root are not', async () => {
  const t = await startTestService();
  try {
    const bundle = await http(`${t.url}/vendor/tus.min.js`);
    assert.equal(bundle.status, 200);
    assert.match(h(bundle, 'content-type') ?? '', /javascript/);
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/..%5c..%5cpackage.json', '/.env', '/%00']) {
      const res = await http(`${t.url}${path}`);
      assert.equal(res.status, 404, path);
    }
    const config = await http(`${t.url}/api/config`);
    assert.equal(config.status, 200);
    const body = config.json as { maxSize: number; allowedTypes: string[]; apiKeyRequired: boolean };
    assert.equal(typeof body.maxSize, 'number');
    assert.ok(body.allowedTypes.includes('application/pdf'));
    assert.equal(body.apiKeyRequired, false);
  } finally {
    await t.close();
  }
});

test('the log has one line per job step with chunk index and checksum, and never a key, a secret or a URL signature', async () => {
  const log = new PassThrough();
  let text = '';
  log.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const t = await startTestService({ apiKeys: [KEY], logLevel: 'debug', logStream: log, emulator: { chunkSize: 4096, singleChunkMaxSize: 0 } });
  try {
    const auth = { authorization: `Bearer ${KEY}` };
    const uploadUrl = await createUpload(t.url, 10_000, { filename: 'log.pdf', to: '+15550100' }, auth);
    assert.equal((await patch(uploadUrl, 0, Buffer.alloc(10_000, 7), auth)).status, 204);
    const job = (await followJob(t.url, jobIdOf(uploadUrl), terminal, auth)).at(-1)!.data;
    assert.equal(job.state, 'delivered');
    await http(`${t.url}/api/jobs?token=${KEY}`, { headers: auth });
  } finally {
    await t.close();
  }
  const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const stored = lines.filter((line) => line.step === 'segment-stored');
  assert.deepEqual(stored.map((line) => line.chunk).sort(), [0, 1, 2]);
  for (const line of stored) assert.match(String(line.checksum), /^sha256:[0-9a-f]{64}$/);
  for (const step of ['intake-created', 'chunk-received', 'queued', 'relay-started', 'initiated', 'completed', 'message-sent', 'delivered']) {
    assert.ok(lines.some((line) => line.step === step), step);
  }
  assert.ok(!text.includes(KEY), 'no API key');
  assert.ok(!text.includes(DEMO_CLIENT.secret), 'no client secret');
  assert.doesNotMatch(text, /X-Amz-Signature|Bearer [^\[]/i);
});
