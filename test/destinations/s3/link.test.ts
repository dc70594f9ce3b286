/**
 * The link: a pre-signed GetObject that downloads the identical bytes under the original name and
 * stops working after its lifetime (on the emulator's clock), or a public base URL + the key; and
 * the message text that carries it within each channel's limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_MESSAGE_LIMIT, buildLinkText, TUTORIAL_MESSAGE_LIMIT, WEB_MESSAGING_LIMIT } from '../../../src/destinations/s3/index.js';
import { measure } from '../../../src/destinations/s3/link-text.js';
import { defaultS3Settings } from '../../../src/emulator/s3/index.js';
import { drive } from './drive.js';
import { BUCKET, bytes, download, emulator, emulatorStore, MiB, sha256hex } from './helpers.js';

test('the pre-signed link downloads the identical bytes until its lifetime ends, then 403 (emulator clock)', async (t) => {
  const emu = await emulator(t);
  const store = emulatorStore(t, emu, { linkLifetime: '2h' });
  const data = bytes(7 * MiB, 11);
  const run = await drive(store, data, { fileName: 'claim photos.zip', contentType: 'application/zip' });
  const link = run.stored?.link;
  assert.ok(link?.expiresAt);
  assert.ok(Math.abs(Date.parse(link.expiresAt) - Date.now() - 2 * 3600_000) < 5000);
  assert.equal(new URL(link.url).searchParams.get('X-Amz-Expires'), '7200');
  const got = await download(link.url);
  assert.equal(got.status, 200);
  assert.equal(sha256hex(got.body), sha256hex(data));
  assert.equal(got.headers['content-type'], 'application/zip');
  assert.match(String(got.headers['content-disposition']), /^attachment; filename="claim photos.zip"; filename\*=UTF-8''claim%20photos\.zip$/);

  emu.advanceClock(2 * 3600_000 - 60_000);
  assert.equal((await download(link.url)).status, 200, 'still valid a minute before the end');
  emu.advanceClock(61_000);
  const expired = await download(link.url);
  assert.equal(expired.status, 403);
  assert.match(expired.body.toString(), /Request has expired/);
});

test('a public base URL: the link is the base + the key (each segment encoded) and does not expire', async (t) => {
  const emu = await emulator(t, { s3: { ...defaultS3Settings(), publicReadBuckets: [BUCKET] } });
  const store = emulatorStore(t, emu, { publicBaseUrl: `${emu.s3Url}/${BUCKET}/` });
  const data = bytes(1234, 12);
  const run = await drive(store, data, { fileName: 'a#b?c d.txt', contentType: 'text/plain' });
  const link = run.stored?.link;
  assert.ok(link);
  assert.equal(link.expiresAt, undefined);
  assert.match(link.url, new RegExp(`^${emu.s3Url}/${BUCKET}/links/[0-9a-f]{16}/a-b-c-d\\.txt$`));
  const got = await download(link.url);
  assert.equal(got.status, 200);
  assert.equal(sha256hex(got.body), sha256hex(data));
  emu.advanceClock(30 * 86_400_000);
  assert.equal((await download(link.url)).status, 200);
});

test('the message text states name, size, SHA-256, link and expiry in plain words', () => {
  const text = buildLinkText(
    { fileName: 'claim.zip', size: 17 * MiB, sha256: `sha256:${'ab'.repeat(32)}`, url: 'https://s3.example/b/k?X-Amz-Signature=1', expiresAt: '2026-12-08T07:35:00.000Z', intro: 'Your documents' },
    WEB_MESSAGING_LIMIT,
  );
  assert.equal(
    text,
    [
      'Your documents',
      'File: claim.zip, 17.8 MB (17,825,792 bytes)',
      'Download: https://s3.example/b/k?X-Amz-Signature=1',
      'The link expires on Tuesday 8 December 2026 at 07:35 UTC.',
      `SHA-256: ${'ab'.repeat(32)}`,
    ].join('\n'),
  );
  const forever = buildLinkText({ fileName: 'x.bin', size: 1, sha256: 'ff'.repeat(32), url: 'https://cdn.example/x.bin', expiresAt: undefined }, AGENT_MESSAGE_LIMIT);
  assert.match(forever, /File: x\.bin, 1 byte\n/);
  assert.match(forever, /The link does not expire\./);
});

test('within each channel\'s limit: the file name is shortened first, never the URL', () => {
  const url = `https://bucket.s3.eu-west-1.amazonaws.com/links/0123456789abcdef/x?${'X-Amz-Security-Token=' + 'A'.repeat(1500)}&X-Amz-Signature=${'f'.repeat(64)}`;
  const fileName = `${'Photos été '.repeat(40)}.jpeg`;
  const sha256 = 'cd'.repeat(32);
  for (const limit of [WEB_MESSAGING_LIMIT, AGENT_MESSAGE_LIMIT, TUTORIAL_MESSAGE_LIMIT]) {
    const text = buildLinkText({ fileName, size: 5_000_000_000, sha256, url, expiresAt: '2026-12-08T07:35:00Z', intro: 'é'.repeat(3000) }, limit);
    assert.ok(measure(text, limit.unit) <= limit.length, `${measure(text, limit.unit)} ${limit.unit} > ${limit.length}`);
    assert.ok(text.includes(url), 'the URL is whole');
    assert.ok(text.includes(sha256));
    assert.match(text, /The link expires on Tuesday 8 December 2026 at 07:35 UTC\./);
    assert.match(text, /File: Photos été.*…\.jpeg, 5 GB\n/);
  }
  // Bytes are not characters: 4096 UTF-8 bytes hold fewer "é" than 2000 characters would suggest.
  const name = `${'é'.repeat(1900)}.pdf`;
  const short = 'https://cdn.example/f';
  const wm = buildLinkText({ fileName: name, size: 10, sha256, url: short, expiresAt: undefined }, WEB_MESSAGING_LIMIT);
  assert.ok(Buffer.byteLength(wm) <= 4096);
  assert.ok(wm.includes(name), 'the whole name fits 4096 bytes');
  const agent = buildLinkText({ fileName: name, size: 10, sha256, url: short, expiresAt: undefined }, AGENT_MESSAGE_LIMIT);
  assert.ok(agent.length <= 2000);
  assert.match(agent, /é…\.pdf/);
});

test('a URL too long for the channel is refused with a clear error rather than cut', () => {
  const url = `https://x.example/${'a'.repeat(2100)}`;
  assert.throws(
    () => buildLinkText({ fileName: 'f.txt', size: 1, sha256: '00'.repeat(32), url, expiresAt: undefined }, AGENT_MESSAGE_LIMIT),
    (error: Error & { code?: string }) => error.code === 'rejected.link_too_long' && /public base URL/.test(error.message),
  );
});
