/**
 * The tus 1.0 intake against raw HTTP: every malformed request gets the status the protocol
 * prescribes (and the service keeps serving), checksums are verified per chunk, and a refused
 * chunk leaves the offset where it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createUpload,
  digest,
  encodeMetadata,
  followJob,
  getJob,
  h,
  headOffset,
  http,
  jobIdOf,
  patch,
  startTestService,
  terminal,
  TUS,
  type TestService,
} from './helpers.js';

const MAX_SIZE = 8 * 1024 * 1024;

describe('tus intake protocol', () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ maxSize: MAX_SIZE });
  });
  after(() => t.close());

  const post = (headers: Record<string, string>) => http(`${t.url}/files/`, { method: 'POST', headers });
  const meta = encodeMetadata({ filename: 'a.txt', to: '+15550100' });

  test('OPTIONS advertises version, extensions, checksum algorithms and the size limit', async () => {
    const res = await http(`${t.url}/files/`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(h(res, 'tus-version'), '1.0.0');
    const extensions = (h(res, 'tus-extension') ?? '').split(',');
    for (const extension of ['creation', 'creation-with-upload', 'termination', 'expiration', 'checksum']) assert.ok(extensions.includes(extension), extension);
    assert.ok(!extensions.includes('creation-defer-length'));
    assert.equal(h(res, 'tus-checksum-algorithm'), 'sha1,sha256');
    assert.equal(h(res, 'tus-max-size'), String(MAX_SIZE));
  });

  test('a missing or unsupported Tus-Resumable is 412 with Tus-Version', async () => {
    const uploadUrl = await createUpload(t.url, 10);
    for (const version of [undefined, '0.2.2', '2.0.0']) {
      const headers: Record<string, string> = version === undefined ? {} : { 'tus-resumable': version };
      const attempts = [
        await http(`${t.url}/files/`, { method: 'POST', headers: { ...headers, 'upload-length': '10', 'upload-metadata': meta } }),
        await http(uploadUrl, { method: 'HEAD', headers }),
        await http(uploadUrl, { method: 'PATCH', headers: { ...headers, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }, body: Buffer.alloc(10) }),
      ];
      for (const res of attempts) {
        assert.equal(res.status, 412, `Tus-Resumable ${version}`);
        assert.equal(h(res, 'tus-version'), '1.0.0');
      }
    }
    assert.equal(await headOffset(uploadUrl), 0, 'nothing was written by the refused PATCHes');
  });

  test('bad Upload-Length: 400; above the limit (however large): 413', async () => {
    for (const length of ['-1', 'abc', '1.5', '', '0x10', '0']) {
      const res = await post({ ...TUS, 'upload-length': length, 'upload-metadata': meta });
      assert.equal(res.status, 400, `Upload-Length ${JSON.stringify(length)}`);
    }
    assert.equal((await post({ ...TUS, 'upload-metadata': meta })).status, 400, 'missing Upload-Length');
    assert.equal((await post({ ...TUS, 'upload-defer-length': '1', 'upload-metadata': meta })).status, 400, 'deferred length');
    for (const length of [String(MAX_SIZE + 1), '99999999999999999999999']) {
      assert.equal((await post({ ...TUS, 'upload-length': length, 'upload-metadata': meta })).status, 413, `Upload-Length ${length}`);
    }
  });

  test('junk or incomplete metadata: 400; a type outside the allowlist: 415', async () => {
    const cases: Array<[string, number]> = [
      ['filename !!notbase64!!', 400],
      ['filename', 400], // no recipients
      ['to', 400], // key without value: no recipients
      [`to ${Buffer.from('a@x.org').toString('base64')},to ${Buffer.from('b@x.org').toString('base64')}`, 400], // duplicate key
      [encodeMetadata({ filename: 'a.txt' }), 400],
      [encodeMetadata({ to: Array.from({ length: 11 }, (_, i) => `+1555010${i}`).join(',') }), 400],
      [encodeMetadata({ to: '["a@x.org", 5]' }), 400],
      [encodeMetadata({ to: '[not json' }), 400],
      [encodeMetadata({ to: '+15550100', language: 'not a tag!' }), 400],
      [encodeMetadata({ to: '+15550100', text: 'x'.repeat(2001) }), 400],
      [encodeMetadata({ to: '+15550100', filetype: 'application/x-msdownload' }), 415],
      [encodeMetadata({ to: '+15550100', filetype: 'not a type' }), 415],
      [encodeMetadata({ filename: 'setup.exe', to: '+15550100' }), 415], // executable: refused by default
      [encodeMetadata({ filename: 'data.bin', to: '+15550100' }), 415], // unknown extension → application/octet-stream: not in the default list
      [encodeMetadata({ filename: 'invoice.pdf', filetype: 'application/x-msdownload', to: '+15550100' }), 415],
      [encodeMetadata({ filename: 'a.pdf', to: '+15550100', colour: 'blue' }), 400], // unknown metadata key
      [encodeMetadata({ filename: `${'a'.repeat(9000)}.pdf`, to: '+15550100' }), 400], // metadata over the 8 KiB cap
      [encodeMetadata({ filename: 'a.pdf', to: '["a@x.org","+15550100"]' }), 201],
    ];
    for (const [metadata, status] of cases) {
      const res = await post({ ...TUS, 'upload-length': '5', 'upload-metadata': metadata });
      assert.equal(res.status, status, metadata.slice(0, 80));
    }
  });

  test('PATCH: wrong or missing Content-Type 415, bad Upload-Offset 400, wrong offset 409, too long 413, unknown 404', async () => {
    const uploadUrl = await createUpload(t.url, 10);
    const body = Buffer.from('0123456789');
    assert.equal((await patch(uploadUrl, 0, body, { 'content-type': 'application/octet-stream' })).status, 415);
    const noType = await http(uploadUrl, { method: 'PATCH', headers: { ...TUS, 'upload-offset': '0' }, body });
    assert.equal(noType.status, 415);
    const noOffset = await http(uploadUrl, { method: 'PATCH', headers: { ...TUS, 'content-type': 'application/offset+octet-stream' }, body });
    assert.equal(noOffset.status, 400);
    assert.equal((await patch(uploadUrl, 0, body, { 'upload-offset': '-5' })).status, 400);
    assert.equal((await patch(uploadUrl, 3, body.subarray(0, 3))).status, 409);
    assert.equal((await patch(uploadUrl, 0, Buffer.alloc(11))).status, 413);
    assert.equal(await headOffset(uploadUrl), 0);
    const first = await patch(uploadUrl, 0, body.subarray(0, 4));
    assert.equal(first.status, 204);
    assert.equal(h(first, 'upload-offset'), '4');
    assert.ok(h(first, 'upload-expires'), 'an unfinished upload says when it expires');
    assert.equal((await patch(uploadUrl, 0, body)).status, 409, 'a stale offset conflicts');
    assert.equal(await headOffset(uploadUrl), 4);

    const unknown = `${t.url}/files/${'0'.repeat(32)}`;
    assert.equal((await http(unknown, { method: 'HEAD', headers: { ...TUS } })).status, 404);
    assert.equal((await patch(unknown, 0, body)).status, 404);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'not-an-id', '%00']) {
      assert.equal((await patch(`${t.url}/files/${bad}`, 0, body)).status, 404, bad);
    }
  });

  test('a wrong Upload-Checksum is 460 and nothing is appended; a right one is accepted', async () => {
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    const uploadUrl = await createUpload(t.url, data.length * 2, { filename: 'fox.txt', to: '+15550100' });
    const first = await patch(uploadUrl, 0, data, { 'upload-checksum': `sha1 ${digest('sha1', data)}` });
    assert.equal(first.status, 204);
    const tampered = Buffer.from(data);
    tampered[5] = tampered[5]! ^ 1;
    for (const algorithm of ['sha1', 'sha256'] as const) {
      const res = await patch(uploadUrl, data.length, tampered, { 'upload-checksum': `${algorithm} ${digest(algorithm, data)}` });
      assert.equal(res.status, 460, algorithm);
      assert.equal(await headOffset(uploadUrl), data.length, 'the offset did not move');
    }
    const unsupported = await patch(uploadUrl, data.length, data, { 'upload-checksum': `md5 ${Buffer.alloc(16).toString('base64')}` });
    assert.equal(unsupported.status, 400);
    for (const malformed of ['sha256', 'sha256 !!!', `sha256 ${digest('sha1', data)}`]) {
      assert.equal((await patch(uploadUrl, data.length, data, { 'upload-checksum': malformed })).status, 400, malformed);
    }
    assert.equal(await headOffset(uploadUrl), data.length);
    const last = await patch(uploadUrl, data.length, data, { 'upload-checksum': `sha256 ${digest('sha256', data)}` });
    assert.equal(last.status, 204);
    const events = await followJob(t.url, jobIdOf(uploadUrl), terminal);
    const job = events.at(-1)!.data;
    assert.equal(job.state, 'delivered');
    assert.equal(job.intake.bytes, data.length * 2);
    // A client that lost the last answer asks again: the intake is complete, not gone.
    assert.equal(await headOffset(uploadUrl), data.length * 2);
  });

  test('creation-with-upload, checksummed: a right checksum creates and appends, a wrong one creates nothing', async () => {
    const data = Buffer.from('hello, creation with upload');
    const headers = { ...TUS, 'upload-length': String(data.length), 'upload-metadata': meta, 'content-type': 'application/offset+octet-stream' };
    const before = ((await http(`${t.url}/api/jobs?limit=200`)).json as { jobs: unknown[] }).jobs.length;
    const wrong = await http(`${t.url}/files/`, { method: 'POST', headers: { ...headers, 'upload-checksum': `sha256 ${digest('sha256', Buffer.from('x'))}` }, body: data });
    assert.equal(wrong.status, 460);
    assert.equal(((await http(`${t.url}/api/jobs?limit=200`)).json as { jobs: unknown[] }).jobs.length, before, 'no job was created');
    const right = await http(`${t.url}/files/`, { method: 'POST', headers: { ...headers, 'upload-checksum': `sha1 ${digest('sha1', data)}` }, body: data });
    assert.equal(right.status, 201);
    assert.equal(h(right, 'upload-offset'), String(data.length));
    const id = jobIdOf(h(right, 'location') ?? '');
    assert.equal((await followJob(t.url, id, terminal)).at(-1)!.data.state, 'delivered');
  });

  test('termination removes an unfinished upload and fails its job', async () => {
    const uploadUrl = await createUpload(t.url, 10);
    assert.equal((await patch(uploadUrl, 0, Buffer.alloc(3))).status, 204);
    const res = await http(uploadUrl, { method: 'DELETE', headers: { ...TUS } });
    assert.equal(res.status, 204);
    assert.equal((await http(uploadUrl, { method: 'HEAD', headers: { ...TUS } })).status, 404);
    const job = await getJob(t.url, jobIdOf(uploadUrl));
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'intake.terminated');
  });

  test('methods the intake does not serve are refused, and the service still answers after all of this', async () => {
    assert.equal((await http(`${t.url}/files/`, { method: 'PATCH', headers: { ...TUS } })).status, 405);
    const uploadUrl = await createUpload(t.url, 10);
    assert.equal((await http(uploadUrl, { method: 'POST', headers: { ...TUS, 'upload-length': '3' } })).status, 405);
    assert.equal((await http(uploadUrl)).status, 404, 'no GET of intakes');
    assert.equal((await http(`${t.url}/healthz`)).status, 200);
  });
});
