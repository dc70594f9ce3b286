/** The conversation-media pieces that are pure: types by extension, file signatures, the URL signer, settings merge. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attachmentKind, matchesSignature, mediaTypeFor } from '../../../src/emulator/conversations/media-types.js';
import { defaultConversationSettings, mergeConversationSettings } from '../../../src/emulator/conversations/settings.js';
import { MediaUrlSigner } from '../../../src/emulator/conversations/signer.js';
import { applySettingsPatch, defaultSettings } from '../../../src/emulator/settings.js';

describe('conversation media units', () => {
  test('the type comes from the extension, case-insensitively; unknown is octet-stream', () => {
    assert.equal(mediaTypeFor('a.JPG'), 'image/jpeg');
    assert.equal(mediaTypeFor('a.jpeg'), 'image/jpeg');
    assert.equal(mediaTypeFor('scan.tar.pdf'), 'application/pdf');
    assert.equal(mediaTypeFor('README'), 'application/octet-stream');
    assert.equal(mediaTypeFor('a.xyz'), 'application/octet-stream');
    assert.equal(attachmentKind('video/mp4'), 'Video');
    assert.equal(attachmentKind('application/pdf'), 'File');
  });

  test('file signatures: known types must match, others always pass', () => {
    assert.equal(matchesSignature('image/gif', Buffer.from('GIF89a....')), true);
    assert.equal(matchesSignature('image/gif', Buffer.from('GIF8')), false);
    assert.equal(matchesSignature('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])), true);
    assert.equal(matchesSignature('application/pdf', Buffer.from('%PDX-')), false);
    assert.equal(matchesSignature('text/plain', Buffer.alloc(0)), true);
  });

  test('the signer binds method, path, query and signed header values; expiry after the lifetime', () => {
    const signer = new MediaUrlSigner(Buffer.alloc(32, 7));
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const headers = { 'Content-Type': 'image/png', 'x-amz-tagging': 'a=b' };
    const url = new URL(signer.sign('http://127.0.0.1:1', 'm-1', 'PUT', headers, now, 600));
    const lower: Record<string, string> = { 'content-type': 'image/png', 'x-amz-tagging': 'a=b' };
    const check = (method: string, h: Record<string, string>, at: number, u = url) => signer.verify(method, u.pathname, u.searchParams, (n) => h[n], at);
    assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'content-type;host;x-amz-tagging');
    assert.equal(check('PUT', lower, now), 'ok');
    assert.equal(check('GET', lower, now), 'tampered');
    assert.equal(check('PUT', { ...lower, 'content-type': 'image/gif' }, now), 'tampered');
    assert.equal(check('PUT', { 'content-type': 'image/png' }, now), 'tampered');
    assert.equal(check('PUT', lower, now + 599_999), 'ok');
    assert.equal(check('PUT', lower, now + 600_000), 'expired');
    const moved = new URL(url);
    moved.pathname = moved.pathname.replace('m-1', 'm-2');
    assert.equal(check('PUT', lower, now, moved), 'tampered');
    const other = new MediaUrlSigner(Buffer.alloc(32, 8));
    assert.equal(other.verify('PUT', url.pathname, url.searchParams, (n) => lower[n], now), 'tampered');
  });

  test('settings: defaults, partial patches, validation through the shared settings', () => {
    const base = defaultConversationSettings();
    assert.deepEqual(base.defaultProfile.allowedTypes, ['image/jpeg', 'image/png', 'image/gif']);
    const merged = mergeConversationSettings(base, { defaultProfile: { maxBytes: 10 } });
    assert.deepEqual(merged.defaultProfile, { allowedTypes: ['image/jpeg', 'image/png', 'image/gif'], maxBytes: 10 });
    assert.notEqual(merged.defaultProfile.allowedTypes, base.defaultProfile.allowedTypes, 'fresh arrays');
    const patched = applySettingsPatch(defaultSettings(), { conversations: { validationDelayMs: 0 } });
    assert.equal(patched.conversations.validationDelayMs, 0);
    assert.equal(patched.conversations.uploadUrlTtlSeconds, 600);
    assert.throws(() => applySettingsPatch(defaultSettings(), { conversations: { colour: 1 } }), /conversations/);
    assert.throws(() => applySettingsPatch(defaultSettings(), { conversations: { defaultProfile: { allowedTypes: ['png'] } } }), /conversations\.defaultProfile\.allowedTypes\.0/);
  });
});
