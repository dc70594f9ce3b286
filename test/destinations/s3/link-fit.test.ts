/**
 * The check made before a link send's upload (link-text.ts `checkLinkFits`): what it passes,
 * `buildLinkText` can write, whatever the link's expiry turns out to be, and its refusal is a ConfigError (exit 2) naming the limit and what to change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildLinkText, type TextLimit } from '../../../src/destinations/s3/index.js';
import { checkLinkFits } from '../../../src/destinations/s3/link-text.js';
import { ConfigError } from '../../../src/errors/index.js';

const SMS: TextLimit = { length: 765, unit: 'characters', label: 'an SMS conversation' };
const url = (length: number): string => `https://b.example/${'k'.repeat(length - 'https://b.example/'.length)}`;
// The longest and shortest expiries in words, and an ordinary one.
const EXPIRIES = ['2026-09-30T23:59:00Z', '2026-05-01T00:00:00Z', '2026-12-08T07:35:00Z'];

test('checkLinkFits never passes a link whose message buildLinkText could not write, whatever the expiry', () => {
  let refused = 0;
  for (let length = 500; length <= 700; length += 3) {
    const facts = { fileName: `${'n'.repeat(length % 200)}.pdf`, size: 123_456_789, url: url(length), expiresAt: EXPIRIES[0] };
    let fits = true;
    try {
      checkLinkFits(facts, SMS);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      fits = false;
      refused++;
    }
    if (!fits) continue;
    for (const expiresAt of EXPIRIES) {
      const text = buildLinkText({ ...facts, expiresAt, sha256: `sha256:${'a'.repeat(64)}` }, SMS);
      assert.ok(text.length <= 765);
    }
  }
  assert.ok(refused > 0, 'the long links are refused');
});

test('the refusal names the limit, the channel and the settings that shorten a link; a link without expiry counts too', () => {
  const facts = { fileName: 'a.pdf', size: 10, url: url(700), expiresAt: undefined };
  assert.throws(
    () => checkLinkFits(facts, SMS),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.code === 'config.link_text' &&
      error.kind === 'usage' &&
      /an SMS conversation must fit 765 characters/.test(error.message) &&
      /GENESYS_UPLOAD_S3_PUBLIC_BASE_URL/.test(error.message),
  );
  checkLinkFits(facts, { length: 2000, unit: 'characters' });
  checkLinkFits({ ...facts, url: url(400) }, SMS);
});
