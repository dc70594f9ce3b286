/**
 * The AWS SDK is loaded on first use: importing the store and making one (what a process that
 * configures a link store does before it knows whether a file goes as a link) loads neither
 * `@aws-sdk/client-s3` nor the presigner; the first control call loads the SDK, never the presigner.
 * A child process, so that no other test's imports count.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const STORE = fileURLToPath(new URL('../../../src/destinations/s3/index.ts', import.meta.url));

const PROBE = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = (name) => Object.keys(require.cache).some((path) => path.replaceAll('\\\\', '/').includes('@aws-sdk/' + name + '/'));
const { S3LinkStore } = await import(${JSON.stringify(STORE)});
const store = new S3LinkStore({ location: 's3://bucket/prefix/', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' } });
const before = { sdk: loaded('client-s3'), presigner: loaded('s3-request-presigner') };
await store.s3Client();
const after = { sdk: loaded('client-s3'), presigner: loaded('s3-request-presigner') };
store.close();
console.log(JSON.stringify({ before, after }));
`;

test('the store loads the AWS SDK on first use, and never the presigner', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 60_000,
  });
  assert.deepEqual(JSON.parse(stdout.trim().split('\n').pop() ?? '{}'), {
    before: { sdk: false, presigner: false },
    after: { sdk: true, presigner: false },
  });
});
