/**
 * PROTOCOL.md section 2: POST /api/v2/files/uploads — the 201 shape, every validation rule of
 * fileName, contentType and totalSize, and the chunking rule.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getToken, initiate } from '../../helpers/emulator-client.js';
import { assertGenesysError, assertIsoDate, emulatorFor, MiB } from './fixtures.js';

const ALLOWED = ['application/pdf', 'image/png', 'application/octet-stream', 'application/vnd.ms-excel'];
const GOOD = { fileName: 'report.pdf', contentType: 'application/pdf', totalSize: 1000 };

describe('section 2: 201', () => {
  test('the 201 body has uploadId, presignedUrl, chunkSize, maxChunks, expiresAt', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    const before = emu.state().now;
    const res = await initiate(emu.url, token, GOOD);
    const after = emu.state().now;
    assert.equal(res.status, 201, res.text);
    const body = res.json;
    assert.equal(typeof body.uploadId, 'string');
    assert.ok(body.uploadId.length > 0);
    assert.equal(typeof body.presignedUrl, 'string');
    assert.match(body.presignedUrl, /^https?:\/\/[^/]+\/.+\?.+/, 'an absolute URL with a query string (its credentials)');
    assert.ok(Number.isInteger(body.chunkSize) && body.chunkSize >= 1);
    assert.equal(body.maxChunks, 10_000, 'the default maxChunks');
    assertIsoDate(body.expiresAt, 'expiresAt');
    const ttlMs = emu.settings().urlTtlSeconds * 1000;
    const expires = Date.parse(body.expiresAt);
    // expiresAt = the emulator's clock at initiation + the URL lifetime (ISO-8601 may drop sub-second digits).
    assert.ok(expires >= Math.floor((before + ttlMs) / 1000) * 1000 && expires <= after + ttlMs, `expiresAt ${body.expiresAt}`);
  });

  test('expiresAt follows the configured URL lifetime and the emulator clock', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED, urlTtlSeconds: 120 });
    const token = await getToken(emu.url);
    emu.advanceClock(3_600_000);
    const now = emu.state().now;
    const res = await initiate(emu.url, token, GOOD);
    assert.equal(res.status, 201, res.text);
    const delta = Date.parse(res.json.expiresAt) - now;
    assert.ok(delta > 119_000 && delta <= 121_000, `expiresAt is 120 s after the emulator's now (got ${delta} ms)`);
  });

  test('each initiation gets its own uploadId', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i += 1) ids.add((await initiate(emu.url, token, GOOD)).json.uploadId);
    assert.equal(ids.size, 5);
  });
});

describe('section 2: fileName', () => {
  const valid = [
    'a',
    'report.pdf',
    'Q3-report_final.v2.pdf',
    'a'.repeat(255),
    'é'.repeat(255), // Reading: "characters", not UTF-8 bytes (this is 510 bytes)
    'café-naïve.pdf',
    '报告.pdf',
    'name.',
    'a..b',
    'with(parens)and+plus=equals@at!bang$dollar&amp\'quote;semi,comma.pdf',
  ];
  const invalid: Array<[string, string]> = [
    ['', 'empty'],
    ['a'.repeat(256), '256 characters'],
    ['é'.repeat(256), '256 non-ASCII characters'],
    ['.hidden', 'starts with a dot'],
    ['..', 'starts with a dot (two)'],
    ['dir/', 'ends with a slash'],
    ['a b.pdf', 'a space'],
    ['a\tb.pdf', 'a tab'],
    ['a\nb.pdf', 'a newline'],
    ['a\rb.pdf', 'a carriage return'],
    ['trailing ', 'trailing space'],
    ['a\u00a0b.pdf', 'a no-break space'],
    ['a/b.pdf', 'a slash'],
    ['a\\b.pdf', 'a backslash'],
    ...[...'{^}%`]">[~<#|'].map((c): [string, string] => [`a${c}b.pdf`, `contains ${c}`]),
  ];

  test('valid names are accepted', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    for (const fileName of valid) {
      const res = await initiate(emu.url, token, { ...GOOD, fileName });
      assert.equal(res.status, 201, `${JSON.stringify(fileName)}: ${res.text}`);
    }
  });

  test('every rule violation is 400 file.name.invalid', async (t) => {
    // Reading: "whitespace" means Unicode whitespace (JavaScript's \s), so a no-break space counts.
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    for (const [fileName, why] of invalid) {
      const res = await initiate(emu.url, token, { ...GOOD, fileName });
      assert.equal(res.status, 400, `${why}: ${JSON.stringify(fileName)} answered ${res.status}`);
      assertGenesysError(res, 400, 'file.name.invalid');
    }
  });
});

describe('section 2: contentType', () => {
  test('a value that is not type/subtype is 400 bad.request', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    for (const contentType of ['', 'pdf', 'application', 'application/', '/pdf', 'application/pdf/x', 'application pdf', 'a/b c']) {
      const res = await initiate(emu.url, token, { ...GOOD, contentType });
      assert.equal(res.status, 400, `${JSON.stringify(contentType)}: ${res.text}`);
      assertGenesysError(res, 400, 'bad.request');
    }
  });

  test('a well-formed type outside the content profile is 415 file.type.not.allowed', async (t) => {
    // Reading: a media type with parameters is still a well-formed media type; compared as an exact
    // string it is simply not in the profile (415), not malformed (400).
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    for (const contentType of ['application/x-msdownload', 'APPLICATION/PDF', 'Application/pdf', 'application/pdf; charset=binary', 'image/PNG']) {
      const res = await initiate(emu.url, token, { ...GOOD, contentType });
      assert.equal(res.status, 415, `${contentType}: ${res.text}`);
      assertGenesysError(res, 415, 'file.type.not.allowed');
    }
  });

  test('the profile is configurable and compared exactly, parameters included', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ['text/plain; charset=utf-8'] });
    const token = await getToken(emu.url);
    assert.equal((await initiate(emu.url, token, { ...GOOD, contentType: 'text/plain; charset=utf-8' })).status, 201);
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, contentType: 'text/plain' }), 415, 'file.type.not.allowed');
    emu.configure({ allowedContentTypes: ['text/plain'] });
    assert.equal((await initiate(emu.url, token, { ...GOOD, contentType: 'text/plain' })).status, 201);
  });
});

describe('section 2: totalSize', () => {
  test('0 is 400 file.empty', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: 0 }), 400, 'file.empty');
  });

  test('negative, fractional, unsafe or non-numeric sizes are 400 bad.request', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    for (const totalSize of [-1, -1000, 1.5, 0.5, 2 ** 53, 1e300, '1000', [1000], {}]) {
      const res = await initiate(emu.url, token, { ...GOOD, totalSize });
      assert.equal(res.status, 400, `${JSON.stringify(totalSize)}: ${res.text}`);
      assertGenesysError(res, 400, 'bad.request');
    }
  });

  test('above the maximum file size is 413 too.large', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED, maxFileSize: 20 * MiB });
    const token = await getToken(emu.url);
    assert.equal((await initiate(emu.url, token, { ...GOOD, totalSize: 20 * MiB })).status, 201);
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: 20 * MiB + 1 }), 413, 'too.large');
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: Number.MAX_SAFE_INTEGER }), 413, 'too.large');
  });

  test('the default maximum is enforced on the largest safe integer', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: Number.MAX_SAFE_INTEGER }), 413, 'too.large');
  });

  test('needing more than maxChunks chunks is 413 too.large', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED, maxChunks: 3 });
    const token = await getToken(emu.url);
    const ok = await initiate(emu.url, token, { ...GOOD, totalSize: 15 * MiB });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual([ok.json.chunkSize, ok.json.maxChunks], [5 * MiB, 3]);
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: 15 * MiB + 1 }), 413, 'too.large');
  });
});

describe('section 2: chunking', () => {
  const cases: Array<[number, number]> = [
    [1, 1],
    [1000, 1000],
    [10 * MiB - 1, 10 * MiB - 1],
    [10 * MiB, 10 * MiB],
    [10 * MiB + 1, 5_242_880],
    [300 * MiB, 5_242_880],
    [10_000 * 5_242_880, 5_242_880],
  ];

  test('up to 10 MiB is one chunk of totalSize; above, 5 MiB chunks', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED });
    const token = await getToken(emu.url);
    for (const [totalSize, chunkSize] of cases) {
      const res = await initiate(emu.url, token, { ...GOOD, totalSize });
      assert.equal(res.status, 201, `${totalSize}: ${res.text}`);
      assert.equal(res.json.chunkSize, chunkSize, `chunkSize for ${totalSize}`);
      assert.ok(Math.ceil(totalSize / res.json.chunkSize) <= res.json.maxChunks, `ceil(total/chunk) <= maxChunks for ${totalSize}`);
    }
    // 50 GiB is within the default maximum file size but needs 10,240 chunks of 5 MiB: too many.
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: 10_000 * 5_242_880 + 1 }), 413, 'too.large');
    assertGenesysError(await initiate(emu.url, token, { ...GOOD, totalSize: 50 * 1024 * MiB }), 413, 'too.large');
  });

  test('configured odd chunk sizes are returned as they are, even above totalSize', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED, chunkSize: 1_000_003, singleChunkMaxSize: 0 });
    const token = await getToken(emu.url);
    for (const totalSize of [1, 10, 1_000_003, 1_000_004, 3_000_000]) {
      const res = await initiate(emu.url, token, { ...GOOD, totalSize });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json.chunkSize, 1_000_003, `chunkSize for ${totalSize}`);
    }
  });

  test('a configured single-chunk threshold moves the boundary', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED, chunkSize: 1000, singleChunkMaxSize: 4000 });
    const token = await getToken(emu.url);
    assert.equal((await initiate(emu.url, token, { ...GOOD, totalSize: 4000 })).json.chunkSize, 4000);
    assert.equal((await initiate(emu.url, token, { ...GOOD, totalSize: 4001 })).json.chunkSize, 1000);
  });

  test('ceil(totalSize / chunkSize) <= maxChunks holds on every 201 near the limit', async (t) => {
    const emu = await emulatorFor(t, { allowedContentTypes: ALLOWED, chunkSize: 7, singleChunkMaxSize: 0, maxChunks: 5 });
    const token = await getToken(emu.url);
    for (let totalSize = 1; totalSize <= 40; totalSize += 1) {
      const res = await initiate(emu.url, token, { ...GOOD, totalSize });
      if (totalSize <= 35) {
        assert.equal(res.status, 201, `${totalSize}: ${res.text}`);
        assert.ok(Math.ceil(totalSize / res.json.chunkSize) <= res.json.maxChunks);
      } else {
        assertGenesysError(res, 413, 'too.large');
      }
    }
  });
});
