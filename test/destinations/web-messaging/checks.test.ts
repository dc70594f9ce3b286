/** Parsing, the pre-upload checks, the error mapping, the limits and the options: no sockets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, IntegrityError, RejectedError, TransientError, exitCodeFor } from '../../../src/errors/index.js';
import { frameError } from '../../../src/destinations/web-messaging/errors.js';
import { errorCodeOf, parseFrame } from '../../../src/destinations/web-messaging/frames.js';
import { judgeHistory } from '../../../src/destinations/web-messaging/find.js';
import { SlidingWindow } from '../../../src/destinations/web-messaging/limits.js';
import { checkText, messageRequest } from '../../../src/destinations/web-messaging/message.js';
import { resolveWebMessagingOptions } from '../../../src/destinations/web-messaging/options.js';
import { readGuestToken, writeGuestToken } from '../../../src/destinations/web-messaging/guest-token.js';
import { checkAttachment, parseSessionResponse, typeAllowed } from '../../../src/destinations/web-messaging/session.js';
import { parsePresignedUrl, putHeaders } from '../../../src/destinations/web-messaging/upload.js';
import { VirtualClock } from '../../unit/virtual-clock.js';

const session = parseSessionResponse({
  connected: true,
  newSession: true,
  readOnly: false,
  allowedMedia: { inbound: { fileTypes: [{ type: 'image/png' }, { type: 'application/*' }], maxFileSizeKB: 10240 } },
  blockedExtensions: ['.exe', 'BAT'],
  somethingNew: { x: 1 },
});

test('frames: keyed off class and body.errorCode, never code; odd frames ignored', () => {
  for (const code of [400, 4001, 200]) {
    const frame = parseFrame(JSON.stringify({ type: 'response', class: 'GenerateUrlError', code, body: { errorCode: 4001, errorMessage: 'File type image/tiff not supported' } }));
    assert.ok(frame);
    assert.equal(errorCodeOf(frame), 4001);
    const error = frameError(frame, { what: 'request an upload URL', fileType: 'image/tiff' });
    assert.ok(error instanceof RejectedError);
    assert.equal(error.code, 'webmessaging.type_not_allowed');
    assert.match(error.message, /File type image\/tiff not supported/);
    assert.equal(exitCodeFor(error), 4);
  }
  const text = parseFrame(JSON.stringify({ type: 'response', class: 'string', code: 4009, body: 'Attachment not found' }));
  assert.ok(text);
  assert.equal(frameError(text, { what: 'send the message' }).code, 'webmessaging.attachment_not_found');
  assert.equal(parseFrame('not json'), undefined);
  assert.equal(parseFrame('[1,2]'), undefined);
  assert.equal(parseFrame('{"type":"message"}'), undefined);
  assert.equal(parseFrame('{"class":"Whatever","body":5,"extra":true}')?.body, undefined);
});

test('errors: every GenerateUrlError code, UploadFailureEvent, string errors, TooManyRequests', () => {
  const gen = (errorCode: number) => frameError(parseFrame(JSON.stringify({ class: 'GenerateUrlError', code: 400, body: { errorCode, errorMessage: 'words' } }))!, { what: 'x', fileName: 'a.pdf' });
  const expected: Record<number, string> = { 4000: 'webmessaging.attachments_unavailable', 4001: 'webmessaging.type_not_allowed', 4002: 'webmessaging.too_large', 4004: 'webmessaging.name_invalid', 4005: 'webmessaging.name_too_long', 4102: 'webmessaging.file_empty' };
  for (const [code, name] of Object.entries(expected)) {
    const error = gen(Number(code));
    assert.equal(error.code, name);
    assert.equal(error.kind, 'rejected');
    assert.match(error.message, /words/);
  }
  assert.match(gen(4002).message, /--delivery link with a link store/);
  const failure = frameError(parseFrame(JSON.stringify({ type: 'message', class: 'UploadFailureEvent', code: 200, body: { attachmentId: 'a', errorCode: 4002, errorMessage: 'size mismatch' } }))!, { what: 'x' });
  assert.ok(failure instanceof IntegrityError);
  const content = frameError(parseFrame(JSON.stringify({ type: 'message', class: 'UploadFailureEvent', body: { errorCode: 4003, errorMessage: 'bad' } }))!, { what: 'x' });
  assert.ok(content instanceof RejectedError);
  const text = frameError(parseFrame(JSON.stringify({ class: 'string', code: 4011, body: 'Message length 5000 is larger than 4096' }))!, { what: 'x' });
  assert.ok(text instanceof ConfigError);
  for (const code of [4008, 4009, 4010]) assert.equal(frameError(parseFrame(JSON.stringify({ class: 'string', code, body: 'w' }))!, { what: 'x' }).kind, 'rejected');
  assert.equal(frameError(parseFrame(JSON.stringify({ class: 'string', code: 4000, body: { errorCode: 4010 } }))!, { what: 'x' }).code, 'webmessaging.attachment_not_uploaded');
  const busy = frameError(parseFrame(JSON.stringify({ class: 'TooManyRequestsErrorMessage', code: 429, body: { retryAfter: 3, errorCode: 4029, errorMessage: 'Message rate too high' } }))!, { what: 'x' });
  assert.ok(busy instanceof TransientError);
  const deployment = frameError(parseFrame(JSON.stringify({ type: 'response', class: 'string', code: 400, body: 'Invalid deploymentId' }))!, { what: 'x' });
  assert.ok(deployment instanceof ConfigError);
});

test('session: parsed leniently; absent allowedMedia means no attachments', () => {
  assert.deepEqual(session.blockedExtensions, ['.exe', '.bat']);
  assert.equal(session.attachments?.maxBytes, 10_240_000);
  const none = parseSessionResponse({ connected: true });
  assert.equal(none.attachments, undefined);
  assert.equal(checkAttachment(none, { fileName: 'a.pdf', fileType: 'application/pdf', size: 5 })?.code, 'webmessaging.attachments_unavailable');
});

test('checks: empty, extension, blocked (any case), type wildcards, size exact and +1', () => {
  const file = (fileName: string, fileType: string, size: number) => checkAttachment(session, { fileName, fileType, size })?.code;
  assert.equal(file('a.pdf', 'application/pdf', 0), 'webmessaging.file_empty');
  assert.equal(file('README', 'application/pdf', 5), 'webmessaging.no_extension');
  assert.equal(file('a.', 'application/pdf', 5), 'webmessaging.no_extension');
  assert.equal(file('setup.EXE', 'application/octet-stream', 5), 'webmessaging.extension_blocked');
  assert.equal(file('run.Bat', 'application/x-bat', 5), 'webmessaging.extension_blocked');
  assert.equal(file('photo.jpg', 'image/jpeg', 5), 'webmessaging.type_not_allowed');
  assert.equal(file('photo.png', 'image/png', 5), undefined);
  assert.equal(file('doc.pdf', 'application/pdf', 10_240_000), undefined);
  const big = checkAttachment(session, { fileName: 'doc.pdf', fileType: 'application/pdf', size: 10_240_001 });
  assert.equal(big?.code, 'webmessaging.too_large');
  assert.match(big!.message, /10240 KB \(10240000 bytes\)/);
  assert.match(big!.message, /--delivery link with a link store/);
  assert.equal(exitCodeFor(big), 4);
  assert.ok(typeAllowed(['*/*'], 'video/mp4'));
  assert.ok(typeAllowed(['video/*'], 'VIDEO/MP4'));
  assert.ok(!typeAllowed(['video/*'], 'audio/mp4'));
});

test('presigned URL and PUT headers: copied as given, our Content-Type, never Authorization', () => {
  const frame = parseFrame(JSON.stringify({ type: 'response', class: 'PresignedUrlResponse', code: 200, body: { attachmentId: 'a1', url: 'https://s3.example/k?X-Amz-Signature=x', headers: { 'x-amz-tagging': 'organizationId=1234&role=Darth', 'X-Amz-Meta-N': 7, Authorization: 'nope', 'Content-Type': 'text/plain; charset=utf-8' } } }))!;
  const presigned = parsePresignedUrl(frame)!;
  const headers = putHeaders(presigned.headers, 'text/plain', 12);
  assert.deepEqual(headers, { 'x-amz-tagging': 'organizationId=1234&role=Darth', 'X-Amz-Meta-N': '7', 'content-type': 'text/plain', 'content-length': '12' });
  assert.equal(parsePresignedUrl(parseFrame('{"class":"PresignedUrlResponse","body":{"url":"javascript:1"}}')!), undefined);
});

test('message: text in UTF-8 bytes; attachment-only and text-only shapes', () => {
  checkText('é'.repeat(2048));
  assert.throws(() => checkText(`${'é'.repeat(2048)}x`), (e: unknown) => e instanceof ConfigError && e.code === 'webmessaging.text_too_long');
  assert.deepEqual(messageRequest({ text: 'hi', attachmentId: 'a' }).message, { type: 'Text', text: 'hi', content: [{ contentType: 'Attachment', attachment: { id: 'a' } }] });
  assert.deepEqual(messageRequest({ text: 'link https://x' }).message, { type: 'Text', text: 'link https://x' });
});

test('limits: 60 per minute per connection, 2 per second', async () => {
  const clock = new VirtualClock();
  const window = new SlidingWindow({ max: 2, windowMs: 1000 }, clock);
  await window.acquire();
  await window.acquire();
  assert.deepEqual(clock.slept, []);
  await window.acquire();
  assert.deepEqual(clock.slept, [1000]);
  const minute = new SlidingWindow({ max: 60, windowMs: 60_000 }, clock);
  for (let i = 0; i < 60; i++) {
    await minute.acquire();
    clock.advance(100);
  }
  await minute.acquire();
  assert.equal(clock.slept.at(-1), 60_000 - 6_000);
  minute.reset();
  assert.equal(minute.waitMs(), 0);
});

test('history: found by attachment id or marker; absent only when provable', () => {
  const page = (entities: unknown[], extra: object = {}) => ({ entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1, ...extra });
  const ours = { id: 'm1', direction: 'Inbound', text: 'x', content: [{ contentType: 'Attachment', attachment: { id: 'att' } }] };
  assert.deepEqual(judgeHistory(page([ours]), { attachmentId: 'att' }), { messageId: 'm1' });
  assert.deepEqual(judgeHistory(page([{ id: 'm2', direction: 'Inbound', text: 'see https://l/abc' }]), { marker: 'https://l/abc' }), { messageId: 'm2' });
  assert.equal(judgeHistory(page([{ id: 'o', direction: 'Outbound', content: [{ attachment: { id: 'att' } }] }]), { attachmentId: 'att' }), 'absent');
  const full = Array.from({ length: 25 }, (_, i) => ({ id: `n${i}`, direction: 'Outbound', channel: { time: new Date(2_000_000_000_000 - i).toISOString() } }));
  assert.equal(judgeHistory(page(full, { total: 80, pageCount: 4 }), { attachmentId: 'att', sentAfter: 1_000_000_000_000 }), 'unknown');
  assert.equal(judgeHistory(page(full, { total: 80, pageCount: 4 }), { attachmentId: 'att', sentAfter: 2_000_000_000_000 }), 'absent');
});

test('options: region or ws URL, deployment id, origin, token file', async () => {
  const region = resolveWebMessagingOptions({ deploymentId: 'd-1', region: 'mypurecloud.ie', origin: 'https://shop.example.com/' });
  assert.equal(region.wsUrl, 'wss://webmessaging.mypurecloud.ie/v1?deploymentId=d-1');
  assert.equal(region.apiOrigin, 'https://api.mypurecloud.ie');
  assert.equal(region.origin, 'https://shop.example.com');
  const local = resolveWebMessagingOptions({ wsUrl: 'ws://127.0.0.1:9/v1?deploymentId=abc' });
  assert.equal(local.deploymentId, 'abc');
  assert.equal(local.apiOrigin, 'http://127.0.0.1:9');
  const bad = (input: object, code: string) => assert.throws(() => resolveWebMessagingOptions(input), (e: unknown) => e instanceof ConfigError && e.code === code);
  bad({ deploymentId: 'd' }, 'config.webmessaging_target');
  bad({ deploymentId: 'd', region: 'mypurecloud.ie', wsUrl: 'ws://x/v1' }, 'config.webmessaging_target');
  bad({ deploymentId: 'd', region: 'example.com' }, 'config.region');
  bad({ deploymentId: 'd', wsUrl: 'http://x/v1' }, 'config.ws_url');
  bad({ region: 'mypurecloud.ie' }, 'config.deployment_id');
  bad({ deploymentId: 'a b', region: 'mypurecloud.ie' }, 'config.deployment_id');
  bad({ deploymentId: 'x', wsUrl: 'ws://h/v1?deploymentId=y' }, 'config.deployment_id');
  bad({ deploymentId: 'd', region: 'mypurecloud.ie', origin: 'https://a.com/path' }, 'config.origin');
  const dir = mkdtempSync(join(tmpdir(), 'wm-token-'));
  writeFileSync(join(dir, 't'), 'tok-123\n');
  assert.equal(await readGuestToken(join(dir, 't')), 'tok-123');
  writeFileSync(join(dir, 'bad'), 'two words-secret\n');
  await assert.rejects(readGuestToken(join(dir, 'bad')), (e: unknown) => e instanceof ConfigError && !e.message.includes('secret'));
  await assert.rejects(readGuestToken(join(dir, 'missing')), (e: unknown) => e instanceof ConfigError && e.message.includes('ENOENT'));
  await writeGuestToken(join(dir, 'kept'), 'tok-456');
  assert.equal(statSync(join(dir, 'kept')).mode & 0o777, 0o600);
  assert.equal(await readGuestToken(join(dir, 'kept')), 'tok-456');
});
