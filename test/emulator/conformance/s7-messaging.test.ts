/**
 * PROTOCOL.md section 7: messaging guests and messages with attachments.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { api, createGuestOrThrow, getToken, initiateOrThrow, sendMessage, sha256Hex, uploadFile } from '../../helpers/emulator-client.js';
import type { EmulatorHandle } from '../../../src/emulator/types.js';
import { assertApiHeaders, assertGenesysError, assertIsoDate, emulatorFor, patternBytes } from './fixtures.js';

const GUESTS = '/api/v2/conversations/messaging/guests';
const TYPE = 'application/pdf';

interface World {
  emu: EmulatorHandle;
  token: string;
  guestId: string;
  file: { id: string; name: string; data: Buffer };
}

async function world(t: TestContext): Promise<World> {
  const emu = await emulatorFor(t, { allowedContentTypes: [TYPE] });
  const token = await getToken(emu.url);
  const guest = await createGuestOrThrow(emu.url, token);
  const data = patternBytes(100, 5);
  const { completed } = await uploadFile(emu.url, token, { fileName: 'invoice.pdf', contentType: TYPE, data });
  return { emu, token, guestId: guest.id, file: { id: completed.fileId, name: 'invoice.pdf', data } };
}

function msg(w: World, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { guestId: w.guestId, to: ['customer@example.com'], text: 'Your invoice', attachments: [{ id: w.file.id, name: 'invoice.pdf' }], ...patch };
}

describe('section 7: guests', () => {
  test('201 with id and token, for valid BCP-47 tags, with and without metadata', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const ids = new Set<string>();
    for (const language of ['en-US', 'en', 'fr-CA', 'zh-Hant-TW', 'es-419', 'de-DE']) {
      const res = await api<{ id: string; token: string }>(emu.url, token, 'POST', GUESTS, { json: { language, metadata: { crm: 42 } } });
      assert.equal(res.status, 201, `${language}: ${res.text}`);
      assertApiHeaders(res);
      assert.equal(typeof res.json.id, 'string');
      assert.equal(typeof res.json.token, 'string');
      assert.ok(res.json.id.length > 0 && res.json.token.length > 0);
      ids.add(res.json.id);
    }
    assert.equal(ids.size, 6);
    const bare = await api(emu.url, token, 'POST', GUESTS, { json: { language: 'en-US' } });
    assert.equal(bare.status, 201);
  });

  test('an invalid or missing language is 400 bad.request', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    for (const language of ['', 'en_US', 'english', 'en US', 'en-', '-US', '12', 'e', 'en-US-', 42, null, ['en-US']]) {
      assertGenesysError(await api(emu.url, token, 'POST', GUESTS, { json: { language } }), 400, 'bad.request');
    }
    assertGenesysError(await api(emu.url, token, 'POST', GUESTS, { json: {} }), 400, 'bad.request');
  });

  test('metadata up to 2048 bytes of JSON (UTF-8) is accepted, one byte more is 400', async (t) => {
    // Reading: "bytes as JSON" is the UTF-8 length of the metadata object serialised compactly.
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    const post = (metadata: unknown) => api(emu.url, token, 'POST', GUESTS, { json: { language: 'en-US', metadata } });
    const ascii = (n: number) => ({ k: 'x'.repeat(n) }); // {"k":"…"} is 8 + n bytes
    assert.equal(Buffer.byteLength(JSON.stringify(ascii(2040))), 2048);
    assert.equal((await post(ascii(2040))).status, 201);
    assertGenesysError(await post(ascii(2041)), 400, 'bad.request');
    const twoByte = (n: number) => ({ k: 'é'.repeat(n) }); // 8 + 2n bytes, 8 + n characters
    assert.equal((await post(twoByte(1020))).status, 201);
    assertGenesysError(await post(twoByte(1021)), 400, 'bad.request');
  });

  test('metadata that is not an object is 400 bad.request', async (t) => {
    const emu = await emulatorFor(t);
    const token = await getToken(emu.url);
    for (const metadata of ['text', 12, ['a'], true]) {
      assertGenesysError(await api(emu.url, token, 'POST', GUESTS, { json: { language: 'en-US', metadata } }), 400, 'bad.request');
    }
  });
});

describe('section 7: messages', () => {
  test('201 with an id, with one attachment and with none', async (t) => {
    const w = await world(t);
    const res = await sendMessage(w.emu.url, w.token, msg(w));
    assert.equal(res.status, 201, res.text);
    assertApiHeaders(res);
    assert.equal(typeof res.json.id, 'string');
    const none = await sendMessage(w.emu.url, w.token, msg(w, { attachments: [] }));
    assert.equal(none.status, 201, none.text);
    assert.notEqual(none.json.id, res.json.id);
  });

  test('to: 1..10 strings', async (t) => {
    const w = await world(t);
    const ten = Array.from({ length: 10 }, (_, i) => `r${i}@example.com`);
    assert.equal((await sendMessage(w.emu.url, w.token, msg(w, { to: ten }))).status, 201);
    for (const to of [[], [...ten, 'r10@example.com'], 'one@example.com', [42], undefined]) {
      assertGenesysError(await sendMessage(w.emu.url, w.token, msg(w, { to })), 400, 'bad.request');
    }
  });

  test('text: up to 2000 Unicode code points, counted as code points not UTF-16 units', async (t) => {
    const w = await world(t);
    const astral = '😀'; // one code point, two UTF-16 units
    const ok = [astral.repeat(2000), 'a'.repeat(2000), astral.repeat(1001)];
    for (const text of ok) {
      const res = await sendMessage(w.emu.url, w.token, msg(w, { text }));
      assert.equal(res.status, 201, `${[...text].length} code points: ${res.text.slice(0, 200)}`);
    }
    for (const text of [astral.repeat(2001), 'a'.repeat(2001), 42, undefined]) {
      assertGenesysError(await sendMessage(w.emu.url, w.token, msg(w, { text })), 400, 'bad.request');
    }
  });

  test('attachments: required, 0..10 entries of {id, name}', async (t) => {
    const w = await world(t);
    const files = [w.file.id];
    for (let i = 1; i < 11; i += 1) {
      const { completed } = await uploadFile(w.emu.url, w.token, { fileName: `f${i}.pdf`, contentType: TYPE, data: patternBytes(3, i) });
      files.push(completed.fileId);
    }
    const entries = files.map((id, i) => ({ id, name: `f${i}.pdf` }));
    assert.equal((await sendMessage(w.emu.url, w.token, msg(w, { attachments: entries.slice(0, 10) }))).status, 201);
    const invalid: unknown[] = [undefined, null, entries, { id: w.file.id, name: 'x' }, [{ id: w.file.id }], [{ name: 'x' }], [{ id: 5, name: 'x' }], [w.file.id]];
    for (const attachments of invalid) {
      assertGenesysError(await sendMessage(w.emu.url, w.token, msg(w, { attachments })), 400, 'bad.request');
    }
  });

  test('a missing or mistyped guestId is 400 bad.request', async (t) => {
    const w = await world(t);
    for (const guestId of [undefined, 42, null]) {
      assertGenesysError(await sendMessage(w.emu.url, w.token, msg(w, { guestId })), 400, 'bad.request');
    }
  });

  test('an unknown guest is 400 guest.not.found', async (t) => {
    const w = await world(t);
    assertGenesysError(await sendMessage(w.emu.url, w.token, msg(w, { guestId: 'no-such-guest' })), 400, 'guest.not.found');
  });

  test('unknown attachments are 400 attachment.not.found listing each unknown id', async (t) => {
    const w = await world(t);
    const open = await initiateOrThrow(w.emu.url, w.token, { fileName: 'open.pdf', contentType: TYPE, totalSize: 10 });
    const attachments = [
      { id: 'ghost-1', name: 'a.pdf' },
      { id: w.file.id, name: 'invoice.pdf' },
      { id: open.uploadId, name: 'not-a-file.pdf' },
    ];
    const res = await sendMessage(w.emu.url, w.token, msg(w, { attachments }));
    const body = assertGenesysError(res, 400, 'attachment.not.found');
    assert.deepEqual(body.details, [{ id: 'ghost-1' }, { id: open.uploadId }]);
    assert.equal(w.emu.state().messages.length, 0, 'no message was created');
  });

  test('GET a message: id, guestId, to, text, attachments with file facts, createdAt', async (t) => {
    const w = await world(t);
    const text = 'Héllo 😀';
    const sent = await sendMessage(w.emu.url, w.token, msg(w, { text, to: ['a@example.com', 'b@example.com'] }));
    assert.equal(sent.status, 201);
    const res = await api<Record<string, unknown>>(w.emu.url, w.token, 'GET', `/api/v2/conversations/messaging/messages/${sent.json.id}`);
    assert.equal(res.status, 200, res.text);
    assertApiHeaders(res);
    const { createdAt, ...rest } = res.json;
    assert.deepEqual(rest, {
      id: sent.json.id,
      guestId: w.guestId,
      to: ['a@example.com', 'b@example.com'],
      text,
      attachments: [{ id: w.file.id, name: 'invoice.pdf', size: 100, contentType: TYPE, sha256: sha256Hex(w.file.data) }],
    });
    assertIsoDate(createdAt, 'createdAt');
  });

  test('GET an unknown message is 404 not.found', async (t) => {
    const w = await world(t);
    assertGenesysError(await api(w.emu.url, w.token, 'GET', '/api/v2/conversations/messaging/messages/nope'), 404, 'not.found');
  });

  test("GET a guest's messages: entities in the GET shape, newest first, only that guest's", async (t) => {
    const w = await world(t);
    const other = await createGuestOrThrow(w.emu.url, w.token);
    const path = `${GUESTS}/${w.guestId}/messages`;
    const empty = await api<{ entities: unknown[] }>(w.emu.url, w.token, 'GET', path);
    assert.equal(empty.status, 200, empty.text);
    assertApiHeaders(empty);
    assert.deepEqual(empty.json, { entities: [] });
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      const sent = await sendMessage(w.emu.url, w.token, msg(w, { text }));
      assert.equal(sent.status, 201);
      ids.push(sent.json.id);
    }
    assert.equal((await sendMessage(w.emu.url, w.token, msg(w, { guestId: other.id, text: 'elsewhere' }))).status, 201);
    const res = await api<{ entities: Array<Record<string, unknown>> }>(w.emu.url, w.token, 'GET', path);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.entities.map((m) => m.id), [...ids].reverse());
    assert.deepEqual(res.json.entities.map((m) => m.text), ['third', 'second', 'first']);
    const { createdAt, ...rest } = res.json.entities[0] ?? {};
    assert.deepEqual(rest, {
      id: ids[2],
      guestId: w.guestId,
      to: ['customer@example.com'],
      text: 'third',
      attachments: [{ id: w.file.id, name: 'invoice.pdf', size: 100, contentType: TYPE, sha256: sha256Hex(w.file.data) }],
    });
    assertIsoDate(createdAt, 'createdAt');
    const single = await api<Record<string, unknown>>(w.emu.url, w.token, 'GET', `/api/v2/conversations/messaging/messages/${ids[2]}`);
    assert.deepEqual(res.json.entities[0], single.json, 'the same shape as GET of one message');
  });

  test("GET an unknown guest's messages is 404 not.found", async (t) => {
    const w = await world(t);
    assertGenesysError(await api(w.emu.url, w.token, 'GET', `${GUESTS}/nope/messages`), 404, 'not.found');
    assertGenesysError(await api(w.emu.url, w.token, 'GET', `${GUESTS}/00000000-0000-4000-8000-000000000000/messages`), 404, 'not.found');
  });
});
