/** The service's pure rules, from tables: tus preflight, checksum headers, metadata, paths, keys, types. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyMatches } from '../../src/server/http/auth.js';
import { resolveInside } from '../../src/server/http/static.js';
import { admitIntake, IntakeRefusal, parseRecipients } from '../../src/server/intake/metadata.js';
import { isRefusal, parseUploadChecksum, preflight } from '../../src/server/intake/preflight.js';
import { redactQuery } from '../../src/server/logger.js';
import { resolveServiceOptions, typeAllowed } from '../../src/server/options.js';

const TUS = { 'tus-resumable': '1.0.0' };

test('preflight: statuses for the protocol problems @tus/server answers differently', () => {
  const cases: Array<[string, Record<string, string>, number | undefined]> = [
    ['OPTIONS', {}, undefined],
    ['HEAD', {}, 412],
    ['HEAD', { 'tus-resumable': '1.0' }, 412],
    ['HEAD', TUS, undefined],
    ['PATCH', { ...TUS, 'upload-offset': '0' }, 415],
    ['PATCH', { ...TUS, 'upload-offset': '0', 'content-type': 'text/plain' }, 415],
    ['PATCH', { ...TUS, 'content-type': 'application/offset+octet-stream' }, 400],
    ['PATCH', { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '1e3' }, 400],
    ['PATCH', { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '7' }, undefined],
    ['PATCH', { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '7', 'upload-checksum': 'crc32 AAAA' }, 400],
    ['POST', TUS, 400],
    ['POST', { ...TUS, 'upload-length': '010' }, 400],
    ['POST', { ...TUS, 'upload-length': '100' }, undefined],
    ['POST', { ...TUS, 'upload-length': '101' }, 413],
    ['POST', { ...TUS, 'upload-length': '1'.repeat(40) }, 413],
    ['POST', { ...TUS, 'upload-length': '5', 'upload-defer-length': '1' }, 400],
  ];
  for (const [method, headers, status] of cases) {
    assert.equal(preflight(method, headers, 100)?.status, status, `${method} ${JSON.stringify(headers)}`);
  }
  assert.equal(preflight('HEAD', {}, 100)?.headers?.['Tus-Version'], '1.0.0');
});

test('Upload-Checksum parsing', () => {
  const sha1 = createHash('sha1').update('x').digest('base64');
  const parsed = parseUploadChecksum(`SHA1 ${sha1}`);
  assert.ok(!isRefusal(parsed));
  assert.equal(parsed.algorithm, 'sha1');
  for (const bad of ['', 'sha1', `sha256 ${sha1}`, 'sha1 ****', `md5 ${sha1}`, `sha1  ${sha1} extra`]) {
    const result = parseUploadChecksum(bad);
    assert.ok(isRefusal(result) && result.status === 400, bad);
  }
});

test('recipients: comma-separated or a JSON list', () => {
  assert.deepEqual(parseRecipients(' a@x.org, +15550100 ,,'), ['a@x.org', '+15550100']);
  assert.deepEqual(parseRecipients('["a@x.org", " b "]'), ['a@x.org', 'b']);
  assert.throws(() => parseRecipients('[1]'), IntakeRefusal);
});

test('metadata to job spec: names sanitised, types guessed and checked, limits', () => {
  const limits = { maxSize: 1000, allowedTypes: ['application/pdf', 'image/*'], allowExecutables: false };
  const { spec } = admitIntake({ filename: '../../a b.pdf', to: 'x@y.z', text: '' }, 10, limits);
  assert.equal(spec.fileName, '_.._a_b.pdf');
  assert.equal(spec.contentType, 'application/pdf');
  assert.equal(spec.text, undefined);
  assert.equal(admitIntake({ filename: 'p.png', to: 'x' }, 10, limits).spec.contentType, 'image/png');
  const status = (meta: Record<string, string>, size = 10): number | undefined => {
    try {
      admitIntake(meta, size, limits);
      return undefined;
    } catch (error) {
      return (error as IntakeRefusal).status_code;
    }
  };
  assert.equal(status({ filename: 'a.zip', to: 'x' }), 415);
  assert.equal(status({ filename: 'a.pdf', to: 'x' }, 1001), 413);
  assert.equal(status({ filename: 'a.pdf', to: 'x' }, 0), 400);
  assert.equal(status({ filename: 'a.pdf' }), 400);
});

test('static paths stay inside the web root', () => {
  const root = join('/srv', 'web');
  assert.equal(resolveInside(root, 'app.js'), join(root, 'app.js'));
  assert.equal(resolveInside(root, 'sub/x.css'), join(root, 'sub', 'x.css'));
  for (const bad of ['../package.json', 'a/../../x', '.env', 'sub/.git/config', 'x\0y', '..\\..\\x']) assert.equal(resolveInside(root, bad), undefined, bad);
});

test('API keys compare in full; types match exactly or by wildcard; query strings are redacted', () => {
  const digest = (key: string) => createHash('sha256').update(key).digest();
  const keys = [digest('first-key-0123456789'), digest('second-key-0123456789')];
  assert.ok(keyMatches(keys, 'second-key-0123456789'));
  assert.ok(!keyMatches(keys, 'second-key-012345678'));
  assert.ok(typeAllowed(['image/*'], 'IMAGE/PNG; q=1'));
  assert.ok(!typeAllowed(['image/png'], 'image/pngx'));
  assert.ok(typeAllowed(['*/*'], 'x/y'));
  assert.equal(redactQuery('/a?token=secret'), '/a?[redacted]');
});

test('service options are validated with the option named', () => {
  const base = { spoolDir: '/tmp/s', stateDir: '/tmp/t', emulator: true };
  assert.throws(() => resolveServiceOptions({ ...base, apiKeys: ['short'] }), /apiKeys/);
  assert.throws(() => resolveServiceOptions({ ...base, allowedTypes: ['nonsense'] }), /allowedTypes/);
  assert.throws(() => resolveServiceOptions({ ...base, corsOrigins: ['app.example'] }), /corsOrigins/);
  assert.throws(() => resolveServiceOptions({ ...base, maxJobs: 0 }), /maxJobs/);
  assert.throws(() => resolveServiceOptions({ spoolDir: '/tmp/s', stateDir: '/tmp/t' }), /exactly one of target/);
  assert.equal(resolveServiceOptions(base).maxJobs, 2);
});

test('Host names: loopback names and addresses, the bound address, configured public hosts', async () => {
  const { allowedHostNames, hostAllowed, hostName } = await import('../../src/server/http/host-check.js');
  assert.equal(hostName('Example.COM:8080'), 'example.com');
  assert.equal(hostName('[::1]:80'), '::1');
  assert.equal(hostName('a b'), undefined);
  const allowed = allowedHostNames('127.0.0.1', ['uploads.example.com']);
  for (const host of ['localhost:1', '127.0.0.1', '127.1.2.3:9', '[::1]:1', 'app.localhost', 'uploads.example.com']) assert.ok(hostAllowed(allowed, host), host);
  for (const host of ['evil.example', 'localhost.evil.example', '10.0.0.1', undefined, '']) assert.ok(!hostAllowed(allowed, host), String(host));
});
