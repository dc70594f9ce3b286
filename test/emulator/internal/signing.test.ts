/** Pre-signed URLs and access tokens: what they accept, refuse, and when they expire. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { UrlSigner } from '../../../src/emulator/signing.js';
import { TokenIssuer } from '../../../src/emulator/tokens.js';

const ID = '3f1c9b1e-8a8e-4c55-9f4f-1f2a3b4c5d6e';
const NOW = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

describe('UrlSigner', () => {
  const key = randomBytes(32);
  const signer = new UrlSigner(key);
  const { url, expiresAt } = signer.sign('http://127.0.0.1:1', ID, NOW, 60);
  const parsed = new URL(url);

  test('a signed URL verifies until expiresAt (signing time rounded down to the second)', () => {
    assert.equal(expiresAt, Date.UTC(2030, 0, 2, 3, 5, 5));
    assert.equal(signer.verify(parsed.pathname, parsed.searchParams, NOW), 'ok');
    assert.equal(signer.verify(parsed.pathname, parsed.searchParams, expiresAt - 1), 'ok');
    assert.equal(signer.verify(parsed.pathname, parsed.searchParams, expiresAt), 'expired');
  });

  test('another key, another path, or any query change is tampering', () => {
    assert.equal(new UrlSigner(randomBytes(32)).verify(parsed.pathname, parsed.searchParams, NOW), 'tampered');
    assert.equal(new UrlSigner(key).verify(parsed.pathname, parsed.searchParams, NOW), 'ok', 'same key, new instance');
    assert.equal(signer.verify(parsed.pathname.replace(/e$/, 'f'), parsed.searchParams, NOW), 'tampered');
    const extra = new URLSearchParams(parsed.searchParams);
    extra.append('a', 'b');
    assert.equal(signer.verify(parsed.pathname, extra, NOW), 'tampered');
    const twice = new URLSearchParams(parsed.searchParams);
    twice.append('X-Amz-Signature', parsed.searchParams.get('X-Amz-Signature') ?? '');
    assert.equal(signer.verify(parsed.pathname, twice, NOW), 'tampered');
    assert.equal(signer.verify(parsed.pathname, new URLSearchParams(), NOW), 'tampered');
    const badDate = new URLSearchParams(parsed.searchParams);
    badDate.set('X-Amz-Date', '20301399T000000Z');
    assert.equal(signer.verify(parsed.pathname, badDate, NOW), 'tampered');
  });
});

describe('TokenIssuer', () => {
  const key = randomBytes(32);
  const tokens = new TokenIssuer(key);

  test('a token names its client and expires by the clock', () => {
    const t = tokens.issue('demo-client', NOW, 10);
    assert.deepEqual(tokens.verify(t, NOW), { ok: true, clientId: 'demo-client', expiresAt: NOW + 10_000 });
    assert.deepEqual(tokens.verify(t, NOW + 10_000), { ok: false, reason: 'expired' });
    assert.deepEqual(new TokenIssuer(key).verify(t, NOW).ok, true, 'survives a restart with the same key');
  });

  test('forged, truncated and junk tokens are invalid', () => {
    const t = tokens.issue('demo-client', NOW, 10);
    const [payload] = t.split('.');
    const forged = `${Buffer.from(JSON.stringify({ c: 'root', e: NOW + 1e9, n: 'x' })).toString('base64url')}.${t.split('.')[1]}`;
    for (const bad of [forged, `${payload}.`, t.slice(0, -1), '', 'x'.repeat(5000), 'a.b.c', new TokenIssuer(randomBytes(32)).issue('demo-client', NOW, 10)]) {
      assert.deepEqual(tokens.verify(bad, NOW), { ok: false, reason: 'invalid' });
    }
  });
});
