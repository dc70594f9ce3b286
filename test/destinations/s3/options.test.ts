/** The S3 store's settings: parsing, defaults, limits, and refusals that name the setting. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/errors/index.js';
import { parseS3Options, partSizeFor, planParts, S3LinkStore, s3InputFromEnv } from '../../../src/destinations/s3/index.js';
import { compositeChecksum, contentDisposition } from '../../../src/destinations/s3/checksums.js';
import { s3Error } from '../../../src/destinations/s3/errors.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

test('defaults: us-east-1, 8 MiB parts, 7-day links, virtual-host style without an endpoint, path style with one', () => {
  const o = parseS3Options({ location: 's3://my-bucket' });
  assert.deepEqual(
    { bucket: o.bucket, prefix: o.prefix, region: o.region, partSize: o.partSize, life: o.linkLifetimeSeconds, path: o.forcePathStyle, endpoint: o.endpoint },
    { bucket: 'my-bucket', prefix: '', region: 'us-east-1', partSize: 8 * MiB, life: 604_800, path: false, endpoint: undefined },
  );
  const c = parseS3Options({ location: 's3://b-1/in/coming', endpoint: 'https://minio.local:9000/', region: 'eu-west-1', partSize: '16MiB', linkLifetime: '12h' });
  assert.equal(c.prefix, 'in/coming/');
  assert.equal(c.endpoint, 'https://minio.local:9000');
  assert.equal(c.forcePathStyle, true);
  assert.equal(c.partSize, 16 * MiB);
  assert.equal(c.linkLifetimeSeconds, 43_200);
  assert.equal(parseS3Options({ location: 's3://bbb/', linkLifetime: 604_800 }).linkLifetimeSeconds, 604_800);
});

test('refusals name the setting and the allowed range', () => {
  const refused = (input: Parameters<typeof parseS3Options>[0], pattern: RegExp): void => {
    assert.throws(() => parseS3Options(input), (e: unknown) => e instanceof ConfigError && e.kind === 'usage' && pattern.test(e.message));
  };
  refused({ location: 'my-bucket/x' }, /GENESYS_UPLOAD_S3 .*s3:\/\/bucket/);
  refused({ location: 's3://A_B' }, /not a valid bucket name/);
  refused({ location: 's3://bbb', linkLifetime: '8d' }, /at most 7 days .*604800/);
  refused({ location: 's3://bbb', linkLifetime: 'forever' }, /GENESYS_UPLOAD_S3_LINK_LIFETIME/);
  refused({ location: 's3://bbb', partSize: '4MiB' }, /5 MiB to 5 GiB/);
  refused({ location: 's3://bbb', partSize: 6 * GiB }, /5 MiB to 5 GiB/);
  refused({ location: 's3://bbb', endpoint: 'ftp://x' }, /GENESYS_UPLOAD_S3_ENDPOINT/);
  refused({ location: 's3://bbb', endpoint: 'https://user:pw@x' }, /no user name, password/);
  refused({ location: 's3://bbb', region: 'EU WEST' }, /AWS_REGION/);
  refused({ location: 's3://bbb', publicBaseUrl: 'cdn.example' }, /GENESYS_UPLOAD_S3_PUBLIC_BASE_URL/);
});

test('from the environment', () => {
  assert.equal(s3InputFromEnv({}), undefined);
  const input = s3InputFromEnv({ GENESYS_UPLOAD_S3: 's3://bbb/p', AWS_REGION: 'eu-central-1', GENESYS_UPLOAD_S3_PART_SIZE: '10MiB' });
  assert.equal(input?.region, 'eu-central-1');
  assert.equal(parseS3Options(input!).partSize, 10 * MiB);
});

test('part size grows for files that would need more than 10,000 parts; one part is one PutObject', () => {
  assert.equal(partSizeFor(80 * GiB, 8 * MiB), 9 * MiB);
  assert.equal(planParts(80 * GiB, 8 * MiB).chunks, 9103);
  assert.equal(partSizeFor(78 * GiB, 8 * MiB), 8 * MiB);
  const huge = planParts(4 * 1024 * GiB, 8 * MiB);
  assert.ok(huge.chunks <= 10_000 && huge.chunkSize % MiB === 0);
  assert.equal(planParts(5 * MiB, 5 * MiB).chunks, 1);
  assert.equal(planParts(0, 5 * MiB).chunks, 0);
  assert.throws(() => partSizeFor(6 * 1024 * GiB, 8 * MiB), /5 TiB/);
  const store = new S3LinkStore({ location: 's3://bucket/p/' });
  assert.equal(store.refuses({ fileName: 'f', contentType: 'application/octet-stream', size: 5 * 1024 * GiB }), undefined);
  const refusal = store.refuses({ fileName: 'f', contentType: 'application/octet-stream', size: 6 * 1024 * GiB });
  assert.equal(refusal?.error.code, 'rejected.too_large');
  assert.match(refusal?.error.message ?? '', /5 TiB/);
  store.close();
  // Settings parsed once (the CLI checks them up front) are taken as they are, not parsed again.
  const parsed = parseS3Options({ location: 's3://bucket/p/', partSize: '16MiB' });
  const given = new S3LinkStore(parsed);
  assert.equal(given.options, parsed);
  given.close();
});

test('checksum and header helpers', () => {
  // S3's documented composite: base64(SHA-256(concat of the part digests)) and "-N".
  const empty = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  assert.match(compositeChecksum([empty, empty]), /^[A-Za-z0-9+/]{43}=-2$/);
  assert.equal(contentDisposition('a "b".txt'), `attachment; filename="a _b_.txt"; filename*=UTF-8''a%20%22b%22.txt`);
  assert.equal(contentDisposition("it's (1).pdf"), `attachment; filename="it's (1).pdf"; filename*=UTF-8''it%27s%20%281%29.pdf`);
});

test('SDK errors become UploadErrors from the <Code> even with an empty <Message>', () => {
  const sdk = (name: string, status: number, message = '') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, requestId: 'r-1' }, $fault: status >= 500 ? 'server' : 'client' });
  const auth = s3Error(sdk('SignatureDoesNotMatch', 403), 'start the upload');
  assert.equal(auth.kind, 'auth');
  assert.equal(auth.contextId, 'r-1');
  assert.match(auth.message, /AWS_SECRET_ACCESS_KEY/);
  assert.equal(s3Error(sdk('SlowDown', 503), 'x').kind, 'transient');
  assert.equal(s3Error(sdk('NoSuchBucket', 404), 'x').code, 'config.s3_bucket');
  assert.equal(s3Error(sdk('AuthorizationHeaderMalformed', 400), 'x').code, 'config.s3_region');
  assert.equal(s3Error(sdk('Weird', 400, 'UnknownError'), 'x').message, 'Could not x: S3 answered HTTP 400 Weird.');
  assert.equal(s3Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'x').code, 'network.error');
  assert.equal(s3Error(Object.assign(new Error('no creds'), { name: 'CredentialsProviderError' }), 'x').code, 'auth.s3_no_credentials');
});
