/**
 * The choice between an attachment and a link (relay/delivery-choice.ts), the link message's text
 * (relay/message-text.ts) and the notifier that pins it in the journalled intent (relay/pinned-text.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RejectedError, UploadError } from '../../src/errors/index.js';
import type { Delivery, JsonValue, Notifier, Receipt, StoredFile } from '../../src/destinations/destination.js';
import { ATTACHMENT_CEILING, baseNameOf, baseTargetOf, chooseVia, linkTargetOf, surelyLink, type LinkStore } from '../../src/relay/delivery-choice.js';
import { messageText, requestedText } from '../../src/relay/message-text.js';
import { pinnedTextNotifier } from '../../src/relay/pinned-text.js';
import type { Via } from '../../src/relay/via.js';

const file = { fileName: 'big.zip', contentType: 'application/zip', size: 20_000_000 };

function notifier(sent: Array<{ intent: JsonValue; text: string }>): Notifier {
  return {
    name: 'n',
    maxText: { length: 2000, unit: 'characters' },
    prepare: () => Promise.resolve({ guestId: 'g1' }),
    send: (intent, delivery): Promise<Receipt> => {
      sent.push({ intent, text: delivery.text });
      return Promise.resolve({ messageId: 'm1' });
    },
    provablyNotSent: () => false,
    staleIntent: () => false,
    find: (_intent, delivery) => Promise.resolve(delivery.text === 'pinned' ? { messageId: 'found' } : undefined),
  };
}

function baseVia(refuses: boolean): Via {
  const refusal = new RejectedError('webmessaging.too_large', 'The file is over the deployment limit of 10240 KB.');
  return {
    destination: {
      name: 'web-messaging',
      description: 'deployment D',
      targetKey: 'ws://x D',
      store: { name: 'wm', refuses: () => (refuses ? { error: refusal } : undefined) } as never,
      notifier: notifier([]),
      close: () => Promise.resolve(),
    },
    transport: { bearer: true } as never,
    retryPolicy: {} as never,
    target: { apiUrl: 'ws://x', loginUrl: '', clientId: 'new guest', description: 'deployment D' },
  };
}

const link = { store: { name: 's3', description: 's3://b/p/' }, transport: { s3: true }, close: () => Promise.resolve() } as unknown as LinkStore;

test('attachment keeps the base; link composes the S3 store with the base notifier, its own transport and a distinct target', () => {
  const base = baseVia(true);
  assert.equal(chooseVia(base, link, 'attachment', file), base);
  const via = chooseVia(base, link, 'link', file);
  assert.equal(via.destination.name, 'web-messaging+s3');
  assert.equal(via.destination.store.name, link.store.name, "the link store (checking that the link message fits before the upload)");
  assert.equal(via.transport, link.transport, 'never the base transport (it may carry a bearer token)');
  assert.equal(via.delivery, 'link');
  assert.notEqual(via.target.clientId, base.target.clientId);
  assert.deepEqual(baseTargetOf(via.target), base.target);
  assert.deepEqual(baseTargetOf(linkTargetOf(base.target)), base.target);
  assert.deepEqual(baseNameOf(via.destination.name), { base: 'web-messaging', linkStore: 's3' });
  assert.deepEqual(baseNameOf('conversation'), { base: 'conversation', linkStore: undefined });
});

test('auto: attachment when it fits, a link when it does not and a store exists, else the refusal with the hint', () => {
  assert.equal(chooseVia(baseVia(false), link, 'auto', file).delivery, undefined);
  assert.equal(chooseVia(baseVia(true), link, 'auto', file).delivery, 'link');
  assert.throws(
    () => chooseVia(baseVia(true), undefined, 'auto', file),
    (error: unknown) => error instanceof UploadError && error.kind === 'rejected' && error.code === 'webmessaging.too_large' && /10240 KB.*GENESYS_UPLOAD_S3/s.test(error.message),
  );
  assert.throws(() => chooseVia(baseVia(false), undefined, 'link', file), (error: unknown) => error instanceof UploadError && error.kind === 'usage' && /--link-store/.test(error.message));
});

test('surely a link, before the destination is opened: link with a store, or auto with one above every attachment ceiling', () => {
  assert.equal(ATTACHMENT_CEILING, 25 * 1024 * 1024);
  assert.equal(surelyLink('link', link, 1), true);
  assert.equal(surelyLink('link', undefined, 1), false, 'no store: chooseVia refuses, nothing to store early');
  assert.equal(surelyLink('auto', link, ATTACHMENT_CEILING), false, 'the destination\'s own limits decide');
  assert.equal(surelyLink('auto', link, ATTACHMENT_CEILING + 1), true);
  assert.equal(surelyLink('auto', undefined, ATTACHMENT_CEILING + 1), false);
  assert.equal(surelyLink('attachment', link, ATTACHMENT_CEILING + 1), false);
});

const stored: StoredFile = {
  ref: { bucket: 'b', key: 'p/0123/x.pdf' },
  fileName: `${'a'.repeat(240)}.pdf`,
  contentType: 'application/pdf',
  size: 1_234_567,
  sha256: `sha256:${'c'.repeat(64)}`,
  verified: true,
  link: { url: `https://b.example/p/0123/x.pdf?X-Amz-Signature=${'f'.repeat(1600)}`, expiresAt: '2026-12-08T07:35:00.000Z' },
};

test('the link text: the intro first, within the limit, the URL and SHA-256 whole, the name shortened', () => {
  const text = messageText(stored, requestedText('Your file', stored.fileName, 'link'), { length: 2000, unit: 'characters' });
  assert.ok(text.length <= 2000, `${text.length}`);
  assert.ok(text.includes(stored.link!.url));
  assert.ok(text.includes('c'.repeat(64)));
  assert.match(text, /…\.pdf/);
  assert.equal(requestedText(undefined, 'x.pdf', 'link'), '');
  assert.equal(requestedText(undefined, 'x.pdf', 'attachment'), 'File x.pdf attached.');
  assert.equal(messageText({ ...stored, link: undefined }, 'hello', { length: 10, unit: 'bytes' }), 'hello');
});

test('the pinned text: prepared with the text, sent and found with the journalled one whatever this run computes', async () => {
  const sent: Array<{ intent: JsonValue; text: string }> = [];
  const pinned = pinnedTextNotifier(notifier(sent));
  const step = {} as never;
  const delivery: Delivery = { stored, text: 'pinned' };
  const intent = await pinned.prepare(delivery, step);
  assert.deepEqual(intent, { text: 'pinned', intent: { guestId: 'g1' } });
  await pinned.send(intent, { stored, text: 'computed later, differently' }, step);
  assert.deepEqual(sent, [{ intent: { guestId: 'g1' }, text: 'pinned' }]);
  assert.deepEqual(await pinned.find!(intent, { stored, text: 'other' }, step), { messageId: 'found' });
});
