/**
 * `demo` delivering as a link through the emulator's S3 endpoint: a Web Messaging sample over the
 * 10 MB limit goes as a link by itself (auto), a conversation one when asked (--delivery link);
 * either way the demo downloads the link in the message and checks its SHA-256, and prints no
 * signature.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';

const SIGNATURE = /X-Amz-Signature|X-Amz-Credential/i;

for (const [via, extra] of [
  ['web-messaging', ['--size', '11MiB']],
  ['conversation', ['--size', '6MiB', '--delivery', 'link']],
] as const) {
  test(`demo --via ${via} ${extra.join(' ')}: delivered as a link that downloads the source's SHA-256`, async () => {
    const run = await runCli(['demo', '--via', via, ...extra, '--json']).done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Verified: the link in message \S+ downloads the source's SHA-256/);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { delivery: string; destination: string; verified: boolean; link: { key: string } };
    assert.equal(result.delivery, 'link');
    assert.equal(result.destination, `${via}+s3`);
    assert.equal(result.verified, true);
    assert.match(result.link.key, /^demo\/[0-9a-f]{16}\/sample\.bin$/);
    assert.doesNotMatch(run.stdout + run.stderr, SIGNATURE);
  });
}
