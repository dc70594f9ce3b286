/** The progress printer's lines in a log (no TTY): one line per upload, the stored reference as the event carries it. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ProgressReporter } from '../../src/cli/progress.js';

function printed(events: Parameters<ProgressReporter['handle']>[0][]): string[] {
  const stream = new PassThrough();
  const reporter = new ProgressReporter({ stream: stream as unknown as NodeJS.WriteStream, now: () => 0 });
  for (const event of events) reporter.handle(event);
  reporter.stop();
  return String(stream.read() ?? '').trimEnd().split('\n');
}

const initiated = { type: 'initiated', uploadId: 'u-1', fileName: 'a.pdf', contentType: 'application/pdf', totalSize: 10, chunkSize: 10, chunks: 1 } as const;

test('a file id and a reference of ids: "Stored as file" and "Stored: name id, …"', () => {
  assert.deepEqual(printed([initiated, { type: 'completed', fileId: 'f-9', ref: 'f-9', sha256: 'ab' }]), [
    'Uploading a.pdf (10 B, 1 chunk of 10 B, application/pdf)',
    'Stored as file f-9 (sha256 ab)',
  ]);
  const ref = { conversationId: 'c:1', mediaId: 'm,2' };
  assert.deepEqual(printed([{ type: 'completed', fileId: JSON.stringify(ref), ref, sha256: 'cd' }]), ['Stored: conversationId c:1, mediaId m,2 (sha256 cd)']);
});
