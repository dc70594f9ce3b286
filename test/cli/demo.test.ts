/**
 * `genesys-upload demo` end to end in a child process: embedded emulator, generated file,
 * upload, delivery, download-back verification.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/run-cli.js';

test('demo uploads a generated file, verifies the stored copy and prints the message id', async () => {
  const { code, stdout, stderr } = await runCli(['demo', '--size-mib', '12', '--json']).done;
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(result.ok, true);
  assert.equal(result.verified, true);
  assert.equal(result.size, 12 * 1024 * 1024);
  assert.equal(result.chunks, 3, '12 MiB is above 10 MiB, so 5 MiB chunks: 3 of them');
  assert.match(result.messageId, /\S/);
  assert.match(result.sha256, /^[0-9a-f]{64}$/);
  assert.match(stderr, /Verified: the stored file's SHA-256 equals the source's/);
});

test('demo without --json prints the message id alone on stdout', async () => {
  const { code, stdout, stderr } = await runCli(['demo', '--size-mib', '1']).done;
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim().split('\n').length, 1);
  assert.match(stderr, /Emulator \(a local Genesys Cloud\) listening at http:\/\/127\.0\.0\.1:\d+/);
});

for (const [via, size, detail] of [
  ['web-messaging', 8, 'attachmentId'],
  ['conversation', 5, 'mediaId'],
] as const) {
  test(`demo --via ${via} sends a ${size} MiB file and checks the attached bytes in the emulator`, async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--via', via, '--json']).done;
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.equal(result.ok, true);
    assert.equal(result.verified, true);
    assert.equal(result.destination, via);
    assert.equal(result.size, size * 1024 * 1024);
    assert.match(result.details[detail], /\S/);
    assert.match(stderr, /Verified: the bytes attached to message \S+ have the source's SHA-256/);
  });
}
