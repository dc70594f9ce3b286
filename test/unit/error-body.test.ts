import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGenesysError, parseS3Error } from '../../src/genesys/error-body.js';
import { apiError } from '../../src/genesys/map-error.js';
import { redactUrl } from '../../src/http/redact-url.js';
import { AuthError, RejectedError, TransientError } from '../../src/errors/index.js';

test('Genesys error body, OAuth error body and non-JSON bodies', () => {
  const body = JSON.stringify({ message: 'Nope', code: 'missing.permissions', status: 403, contextId: 'ctx-1', details: [{ a: 1 }], errors: [], extra: true });
  assert.deepEqual(parseGenesysError(body, 'hdr'), { code: 'missing.permissions', message: 'Nope', contextId: 'ctx-1', details: [{ a: 1 }] });
  assert.deepEqual(parseGenesysError('{"error":"invalid_client","error_description":"bad"}', undefined), {
    code: 'invalid_client',
    message: 'bad',
    contextId: undefined,
    details: undefined,
  });
  assert.deepEqual(parseGenesysError('<html>502</html>', 'corr-9'), { code: undefined, message: undefined, contextId: 'corr-9', details: undefined });
});

test('S3 XML errors, entities decoded', () => {
  const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired &#60;now&#62; &amp; then</Message><RequestId>r-1</RequestId></Error>';
  assert.deepEqual(parseS3Error(xml), { code: 'AccessDenied', message: 'Request has expired <now> & then', contextId: 'r-1', details: undefined });
  assert.deepEqual(parseS3Error('garbage'), { code: undefined, message: undefined, contextId: undefined, details: undefined });
});

test('apiError maps statuses to the error classes with actionable messages', () => {
  const remote = (code: string, message: string) => ({ code, message, contextId: 'c', details: undefined });
  const perm = apiError(403, remote('missing.permissions', 'Missing permission: files:upload'), { what: 'initiate the upload' });
  assert.ok(perm instanceof AuthError);
  assert.match(perm.message, /files:upload/);
  assert.match(perm.message, /OAuth client/);
  assert.match(perm.message, /Genesys Cloud Admin/);
  assert.equal(perm.remoteCode, 'missing.permissions');
  assert.equal(perm.contextId, 'c');
  const big = apiError(413, remote('too.large', 'The file is larger than the maximum of 100 bytes.'), { what: 'initiate the upload', fileSize: 101 });
  assert.ok(big instanceof RejectedError);
  assert.match(big.message, /101 bytes/);
  assert.match(big.message, /maximum of 100 bytes/);
  const type = apiError(415, remote('file.type.not.allowed', 'no'), { what: 'initiate the upload', contentType: 'application/x-evil' });
  assert.ok(type instanceof RejectedError);
  assert.match(type.message, /application\/x-evil/);
  assert.match(type.message, /--content-type/);
  assert.ok(apiError(401, remote('bad.credentials', 'x'), { what: 'w' }) instanceof AuthError);
  assert.ok(apiError(404, remote('not.found', 'x'), { what: 'w' }) instanceof RejectedError);
  assert.ok(apiError(503, remote('service.unavailable', 'x'), { what: 'w' }) instanceof TransientError);
});

test('redactUrl keeps the host and path, never the query string', () => {
  const url = 'https://storage.test:9000/uploads/u1?X-Amz-Signature=abcdef&X-Amz-Credential=secret';
  assert.equal(redactUrl(url), 'https://storage.test:9000/uploads/u1?[redacted]');
  assert.equal(redactUrl('http://h/p'), 'http://h/p');
  assert.equal(redactUrl('::'), '[unparseable URL]');
});
