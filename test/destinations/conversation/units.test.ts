/**
 * The conversation destination's pure parts: options, token sources, the communication choice,
 * the pre-upload limits, the error mapping and the media status polling (virtual clock).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { AuthError, ConfigError, RejectedError, TransientError, exitCodeFor } from '../../../src/errors/index.js';
import { parseConversationOptions } from '../../../src/destinations/conversation/options.js';
import { FixedTokenProvider } from '../../../src/destinations/conversation/tokens.js';
import { chooseCommunication } from '../../../src/destinations/conversation/communication.js';
import { checkMedia, checkText, PLATFORM_MAX_MEDIA_BYTES } from '../../../src/destinations/conversation/limits.js';
import { conversationError } from '../../../src/destinations/conversation/errors.js';
import { resolveMediaPoll, waitForMedia } from '../../../src/destinations/conversation/media-status.js';
import { conversation, mediaUpload, historyMessageIds, bulkMessages } from '../../../src/destinations/conversation/schemas.js';
import type { Media } from '../../../src/destinations/conversation/schemas.js';
import { VirtualClock } from '../../unit/virtual-clock.js';

const SECRET = 'eyJ-user-token-SECRET-123';

test('options: ids, token from file (flag wins) or env, never echoed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'conv-opts-'));
  try {
    const file = join(dir, 'token');
    await writeFile(file, `Bearer ${SECRET}\n`);
    const fromFile = parseConversationOptions({ flags: { conversationId: 'c-1', accessTokenFile: file }, env: { GENESYS_ACCESS_TOKEN: 'other' } });
    assert.equal(fromFile.conversationId, 'c-1');
    assert.equal(fromFile.communicationId, undefined);
    assert.equal(fromFile.auth.kind, 'user');
    assert.equal(fromFile.auth.kind === 'user' && fromFile.auth.token, SECRET);
    assert.ok(!JSON.stringify(fromFile).includes(SECRET));
    assert.ok(!inspect(fromFile, { depth: 5 }).includes(SECRET));

    const fromEnv = parseConversationOptions({ flags: { conversationId: 'c-1', communicationId: 'k-2' }, env: { GENESYS_ACCESS_TOKEN: SECRET } });
    assert.equal(fromEnv.communicationId, 'k-2');
    assert.equal(fromEnv.auth.kind === 'user' && fromEnv.auth.source, 'GENESYS_ACCESS_TOKEN');
    assert.equal(parseConversationOptions({ flags: { conversationId: 'c' }, env: {} }).auth.kind, 'client-credentials');

    const refuse = (fn: () => unknown, code: string, mustSay: RegExp): void => {
      assert.throws(fn, (e: unknown) => e instanceof ConfigError && e.code === code && mustSay.test(e.message) && !e.message.includes(SECRET) && exitCodeFor(e) === 2);
    };
    refuse(() => parseConversationOptions({ flags: {}, env: {} }), 'config.conversation_id', /--conversation-id is required/);
    refuse(() => parseConversationOptions({ flags: { conversationId: 'a b' }, env: {} }), 'config.conversation_id', /not a Genesys Cloud id/);
    refuse(() => parseConversationOptions({ flags: { conversationId: 'c', communicationId: '../x' }, env: {} }), 'config.communication_id', /--communication-id/);
    refuse(() => parseConversationOptions({ flags: { conversationId: 'c', accessTokenFile: join(dir, 'nope') }, env: {} }), 'config.access_token_file', /ENOENT/);
    await writeFile(file, '\n');
    refuse(() => parseConversationOptions({ flags: { conversationId: 'c', accessTokenFile: file }, env: {} }), 'config.access_token', /is empty/);
    refuse(() => parseConversationOptions({ flags: { conversationId: 'c' }, env: { GENESYS_ACCESS_TOKEN: `${SECRET} two words` } }), 'config.access_token', /GENESYS_ACCESS_TOKEN does not hold/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('fixed token: used until rejected, then an AuthError; never serialised', async () => {
  const provider = new FixedTokenProvider(SECRET);
  assert.equal(await provider.getToken(), SECRET);
  assert.ok(!JSON.stringify(provider).includes(SECRET));
  assert.ok(!inspect(provider).includes(SECRET));
  provider.invalidate('another');
  assert.equal(await provider.getToken(), SECRET);
  provider.invalidate(SECRET);
  await assert.rejects(provider.getToken(), (e: unknown) => e instanceof AuthError && e.code === 'auth.user_token_rejected' && !e.message.includes(SECRET));
});

test('communication: the agent side, leniently, or a clear error', () => {
  const conv = (participants: unknown[]) => conversation({ id: 'c1', participants });
  const customer = { id: 'pc', purpose: 'customer', messages: [{ id: 'mc', state: 'connected' }] };
  assert.deepEqual(
    chooseCommunication(conv([customer, { id: 'pa', purpose: 'Agent', messages: [{ id: 'old', state: 'disconnected' }, { id: 'ma', state: 'Connected' }] }])),
    { communicationId: 'ma', participantId: 'pa', purpose: 'agent', type: undefined, reason: 'agent', candidates: 1 },
  );
  const fallback = chooseCommunication(conv([customer, { id: 'pw', purpose: 'workflow', messages: [{ id: 'mw', state: 'connected' }] }, { id: 'pa', purpose: 'agent', messages: [{ id: 'ma', state: 'disconnected' }] }]));
  assert.equal(fallback.communicationId, 'mw');
  assert.equal(fallback.reason, 'non-customer');
  assert.throws(
    () => chooseCommunication(conv([customer, { id: 'pa', purpose: 'agent', messages: [{ id: 'ma', state: 'disconnected' }] }, { id: 'px', purpose: 'acd' }])),
    (e: unknown) => e instanceof RejectedError && e.code === 'conversation.no_connected_communication' && /agent \(disconnected\)/.test(e.message) && /acd \(no message communication\)/.test(e.message),
  );
});

test('limits: the 25 MB ceiling (inclusive) and the content profile name the limit and the link way out', () => {
  assert.equal(checkMedia({ fileName: 'a.pdf', size: PLATFORM_MAX_MEDIA_BYTES }, undefined), undefined);
  const over = checkMedia({ fileName: 'a.pdf', size: PLATFORM_MAX_MEDIA_BYTES + 1 }, undefined);
  assert.ok(over instanceof RejectedError && over.code === 'rejected.too_large' && /25 MB/.test(over.message) && /--delivery link/.test(over.message));
  assert.equal(exitCodeFor(over), 4);
  const profile = { allowedTypes: ['image/*', 'application/pdf'], maxBytes: 1000 };
  assert.equal(checkMedia({ fileName: 'a.PNG', size: 10 }, profile), undefined);
  assert.equal(checkMedia({ fileName: 'a.pdf', size: 1000 }, profile), undefined);
  assert.match(checkMedia({ fileName: 'a.pdf', size: 1001 }, profile)?.message ?? '', /content profile allows \(1000 bytes\)/);
  const type = checkMedia({ fileName: 'a.zip', size: 10 }, profile);
  assert.ok(type?.code === 'rejected.content_type' && /application\/zip/.test(type.message) && /link/.test(type.message));
  assert.equal(checkMedia({ fileName: 'a.zip', size: 10 }, { allowedTypes: ['*/*'] }), undefined);
  assert.equal(checkMedia({ fileName: 'x.JPG', size: 10 }, { allowedExtensions: ['jpg', '.png'] }), undefined);
  assert.match(checkMedia({ fileName: 'x.gif', size: 10 }, { allowedExtensions: ['jpg'] })?.message ?? '', /\.gif files \(allowed: \.jpg\)/);
  assert.equal(checkText('é'.repeat(2000), 'webmessaging'), undefined);
  assert.equal(checkText('x'.repeat(2001), undefined)?.code, 'config.text');
  assert.match(checkText('x'.repeat(766), 'SMS')?.message ?? '', /SMS conversation takes at most 765/);
});

test('errors: 403 names the permissions and the token kind; 413/415/404/409 in the platform words', () => {
  const base = { conversationId: 'c1', communicationId: 'm1', fileName: 'a.pdf', size: 5 };
  const remote = (code: string, message: string) => ({ code, message, contextId: 'ctx', details: undefined });
  const cc = conversationError(403, remote('missing.permissions', 'Missing permission conversation:message:create'), { ...base, what: 'request the media upload', step: 'upload', tokenKind: 'client-credentials' });
  assert.ok(cc instanceof AuthError && cc.code === 'auth.missing_permission' && exitCodeFor(cc) === 3);
  assert.match(cc.message, /needs conversation:message:create \(any of conversation:message:create, conversation:webmessaging:create, conversation:socialmedia:create will do\)/);
  assert.match(cc.message, /client credentials/);
  assert.match(cc.message, /agent's access token/);
  const user = conversationError(403, remote('not.authorized', 'Not authorized'), { ...base, what: 'send the message', step: 'send', tokenKind: 'user' });
  assert.ok(user instanceof AuthError && user.code === 'auth.forbidden');
  assert.match(user.message, /supplied user access token/);
  assert.match(user.message, /one of conversation:message:create, conversation:webmessaging:create/);
  const big = conversationError(413, remote('request.too.large', 'Maximum bytes: 26214400'), { ...base, what: 'x', step: 'upload', tokenKind: 'user' });
  assert.ok(big?.code === 'rejected.too_large' && /Maximum bytes: 26214400/.test(big.message) && exitCodeFor(big) === 4);
  const type = conversationError(415, remote('media.type.not.allowed', 'Type not allowed'), { ...base, what: 'x', step: 'upload', tokenKind: 'user' });
  assert.ok(type?.code === 'rejected.content_type' && /Type not allowed/.test(type.message) && /\.jpg, \.png and \.gif/.test(type.message));
  assert.equal(conversationError(400, remote('media.type.not.allowed', 'File type is not allowed'), { ...base, what: 'x', step: 'upload', tokenKind: 'user' })?.code, 'rejected.content_type');
  assert.equal(conversationError(400, remote('bad.request', 'fileName invalid'), { ...base, what: 'x', step: 'upload', tokenKind: 'user' }), undefined);
  assert.equal(conversationError(404, remote('not.found', 'nope'), { ...base, what: 'x', step: 'upload', tokenKind: 'user' })?.code, 'conversation.not_found');
  assert.equal(conversationError(409, remote('communication.disconnected', 'Disconnected'), { ...base, what: 'x', step: 'send', tokenKind: 'user' })?.code, 'conversation.not_connected');
  assert.equal(conversationError(503, remote('x', 'y'), { ...base, what: 'x', step: 'send', tokenKind: 'user' }), undefined);
});

test('media status: polled with growing pauses until valid, invalid, or the bound', async () => {
  const clock = new VirtualClock();
  const answers = (statuses: string[]) => {
    let i = 0;
    return async (): Promise<Media> => ({ id: 'm', status: statuses[Math.min(i++, statuses.length - 1)] ?? 'valid', contentLengthBytes: 1, mediaType: undefined });
  };
  const settings = resolveMediaPoll();
  assert.equal((await waitForMedia(answers(['uploading', 'uploading', 'processing', 'valid']), { clock, settings })).status, 'valid');
  assert.deepEqual(clock.slept, [250, 375, 562.5]);
  assert.equal((await waitForMedia(answers(['invalid']), { clock, settings })).status, 'invalid');
  clock.slept = [];
  await assert.rejects(
    waitForMedia(answers(['uploading']), { clock, settings: resolveMediaPoll({ timeoutMs: 10_000 }) }),
    (e: unknown) => e instanceof TransientError && e.code === 'conversation.media_timeout' && /within 10 s/.test(e.message),
  );
  assert.ok(clock.slept.reduce((a, b) => a + b, 0) <= 10_000);
  assert.ok(clock.slept.every((ms) => ms <= 5000));
  assert.throws(() => resolveMediaPoll({ timeoutMs: 0 }), ConfigError);
});

test('schemas: lenient readers, bounded, header names checked', () => {
  assert.deepEqual(conversation({ id: 'c', participants: [{ id: 'p' }] }).participants[0]?.messages, []);
  assert.deepEqual(mediaUpload({ id: 'm', uploadUrl: 'https://s3.example/x?sig=1' }).uploadHeaders, {});
  assert.throws(() => mediaUpload({ id: 'm', uploadUrl: 'https://s/x', uploadHeaders: { Authorization: 'Bearer x' } }), /must not take/);
  assert.throws(() => mediaUpload({ id: 'm', uploadUrl: 'ftp://s/x' }), /http\(s\) URL/);
  assert.deepEqual(historyMessageIds({ participants: [{ messages: [{ messageId: 'a' }, { id: 'b' }, { messageId: 'a' }] }, { messages: null }] }), ['a', 'b']);
  assert.deepEqual(bulkMessages([{ id: 'a', media: [{ id: 'm1' }] }])[0]?.mediaIds, ['m1']);
  assert.deepEqual(bulkMessages({ entities: [{ id: 'a', textBody: 't' }] })[0]?.textBody, 't');
});

test('client from settings: a user token needs only the target; otherwise the OAuth client is required', async () => {
  const { conversationClientFromSettings } = await import('../../../src/destinations/conversation/client.js');
  const user = parseConversationOptions({ flags: { conversationId: 'c' }, env: { GENESYS_ACCESS_TOKEN: SECRET } });
  const client = conversationClientFromSettings({ env: { GENESYS_REGION: 'mypurecloud.ie' }, flags: {}, auth: user.auth });
  try {
    assert.equal(client.apiUrl, 'https://api.mypurecloud.ie');
    assert.equal(client.tokenKind, 'user');
    assert.match(client.target, /user access token from GENESYS_ACCESS_TOKEN/);
    assert.ok(!client.target.includes(SECRET) && !inspect(client, { depth: 6 }).includes(SECRET));
  } finally {
    await client.close();
  }
  assert.throws(() => conversationClientFromSettings({ env: {}, flags: { region: 'mypurecloud.ie' }, auth: { kind: 'client-credentials' } }), (e: unknown) => e instanceof ConfigError && e.code === 'config.client_id');
  assert.throws(() => conversationClientFromSettings({ env: {}, flags: {}, auth: user.auth }), (e: unknown) => e instanceof ConfigError && e.code === 'config.target');
  const cc = conversationClientFromSettings({ env: { GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 'sek-ret', GENESYS_BASE_URL: 'http://127.0.0.1:1' }, flags: {}, auth: { kind: 'client-credentials' } });
  assert.equal(cc.tokenKind, 'client-credentials');
  assert.ok(!inspect(cc, { depth: 6 }).includes('sek-ret'));
  await cc.close();
});
