/**
 * Web Messaging contract §2, §4–§6 against the shapes in Genesys' own SDK test fixtures: every
 * frame class the emulator sends has the envelope keys and body keys those fixtures show (plus,
 * where the contract adds one, the documented extras), so a client that decodes Genesys' frames
 * decodes ours. The requests are sent in the fixtures' exact field order and spelling.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_DEPLOYMENT_ID, emulatorFor, Guest, put, wsUrl, type ServerFrame } from './ws-client.js';

const keys = (o: object) => Object.keys(o).sort();

function assertShape(f: ServerFrame, type: string, cls: string, body: string[], optional: string[] = []): void {
  assert.equal(f.type, type, `${cls} type`);
  assert.equal(f.class, cls);
  assert.equal(f.code, 200);
  const got = keys(f.body).filter((k) => !optional.includes(k));
  assert.deepEqual(got, [...body].sort(), `${cls} body keys`);
}

test('fixture shapes: SessionResponse, PresignedUrlResponse, UploadSuccessEvent, StructuredMessage, JwtResponse, AttachmentDeletedResponse', async (t) => {
  const emulator = await emulatorFor(t);
  const guest = await Guest.connect(t, wsUrl(emulator));
  const token = guest.token;
  guest.sendRaw(JSON.stringify({ token, deploymentId: DEMO_DEPLOYMENT_ID, startNew: true, tracingId: 'tracing_id', action: 'configureSession' }));
  const session = await guest.next((f) => f.tracingId === 'tracing_id');
  assertShape(session, 'response', 'SessionResponse', ['connected', 'newSession', 'readOnly', 'maxCustomDataBytes', 'allowedMedia', 'blockedExtensions'], [
    'durationSeconds',
    'expirationDate',
  ]);
  assert.deepEqual(keys(session.body.allowedMedia.inbound), ['fileTypes', 'maxFileSizeKB']);

  const attachmentId = '88888888-8888-4888-8888-888888888888';
  guest.sendRaw(
    JSON.stringify({ token, attachmentId, fileName: 'test_asset.png', fileType: 'image/jpeg', fileSize: 1, errorsAsJson: true, tracingId: 'attach', action: 'onAttachment' }),
  );
  const presigned = await guest.next((f) => f.tracingId === 'attach');
  assertShape(presigned, 'response', 'PresignedUrlResponse', ['attachmentId', 'headers', 'url', 'fileName', 'fileSize', 'fileType']);
  assert.equal(typeof presigned.body.headers['x-amz-tagging'], 'string');

  assert.equal((await put(presigned.body.url, { ...presigned.body.headers, 'Content-Type': 'image/jpeg', 'Content-Length': 1 }, Buffer.from('x'))).status, 200);
  assertShape(await guest.byClass('UploadSuccessEvent'), 'message', 'UploadSuccessEvent', ['attachmentId', 'downloadUrl', 'timestamp']);

  guest.sendRaw(
    JSON.stringify({ token, tracingId: 'msg', action: 'onMessage', message: { type: 'Text', text: 'Hi', content: [{ contentType: 'Attachment', attachment: { id: attachmentId } }] } }),
  );
  const message = await guest.next((f) => f.tracingId === 'msg');
  assertShape(message, 'response', 'StructuredMessage', ['direction', 'id', 'channel', 'type', 'text', 'content', 'originatingEntity']);
  assert.deepEqual(keys(message.body.content[0]), ['attachment', 'contentType']);
  assert.deepEqual(keys(message.body.content[0].attachment), ['fileSize', 'filename', 'id', 'mediaType', 'mime', 'sha256', 'url']);
  assert.equal(message.body.content[0].attachment.mediaType, 'Image');

  guest.sendRaw(JSON.stringify({ token, tracingId: 'jwt', action: 'getJwt' }));
  assertShape(await guest.next((f) => f.tracingId === 'jwt'), 'response', 'JwtResponse', ['jwt', 'exp']);

  guest.sendRaw(JSON.stringify({ token, tracingId: 'ping', action: 'echo', message: { text: 'ping', type: 'Text' } }));
  assertShape(await guest.next((f) => f.tracingId === 'ping'), 'response', 'StructuredMessage', ['text', 'type', 'direction', 'id']);

  // An attachment never sent can be deleted.
  const other = '99999999-9999-4999-8999-999999999999';
  guest.sendRaw(JSON.stringify({ token, attachmentId: other, fileName: 'b.png', fileType: 'image/png', fileSize: 1, errorsAsJson: true, tracingId: 'b', action: 'onAttachment' }));
  await guest.next((f) => f.tracingId === 'b');
  guest.sendRaw(JSON.stringify({ token, attachmentId: other, tracingId: 'del', action: 'deleteAttachment' }));
  assertShape(await guest.next((f) => f.tracingId === 'del'), 'response', 'AttachmentDeletedResponse', ['attachmentId']);
});

test('fixture shapes: GenerateUrlError, UploadFailureEvent, TooManyRequestsErrorMessage, class "string"', async (t) => {
  const emulator = await emulatorFor(t, { webMessaging: { deployments: [{ id: 'png-only', fileTypes: ['image/png'] }] } });
  const guest = await Guest.connect(t, wsUrl(emulator, 'png-only'));
  await guest.configure('png-only');
  const refused = await guest.ask({ attachmentId: '77777777-7777-4777-8777-777777777777', fileName: 'a.gif', fileType: 'image/gif', fileSize: 1, errorsAsJson: true, action: 'onAttachment' });
  assert.equal(refused.class, 'GenerateUrlError');
  assert.deepEqual(keys(refused.body), ['attachmentId', 'errorCode', 'errorMessage', 'timestamp']);
  assert.equal(refused.body.errorMessage, 'File type image/gif not supported');

  const ok = await guest.ask({ fileName: 'a.png', fileType: 'image/png', fileSize: 2, errorsAsJson: true, action: 'onAttachment' });
  await put(ok.body.url, { ...ok.body.headers, 'Content-Type': 'image/png', 'Content-Length': 1 }, Buffer.from('x'));
  const failure = await guest.byClass('UploadFailureEvent');
  assertShape(failure, 'message', 'UploadFailureEvent', ['attachmentId', 'errorCode', 'errorMessage', 'timestamp']);

  emulator.webMessaging.addFault({ action: 'too-many-requests', retryAfter: 3 });
  const limited = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'hi' } });
  assert.deepEqual({ type: limited.type, class: limited.class, code: limited.code }, { type: 'response', class: 'TooManyRequestsErrorMessage', code: 429 });
  assert.deepEqual(keys(limited.body), ['errorCode', 'errorMessage', 'retryAfter']);
  assert.equal(limited.body.errorCode, 4029);

  const long = await guest.ask({ action: 'onMessage', message: { type: 'Text', text: 'x'.repeat(5000) } });
  assert.deepEqual({ type: long.type, class: long.class, code: long.code, body: long.body }, {
    type: 'response',
    class: 'string',
    code: 4011,
    body: 'Message length 5000 is larger than 4096',
  });
});
