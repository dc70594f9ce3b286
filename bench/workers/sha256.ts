/**
 * Baseline: SHA-256 of the whole file in one process, streamed with large reads. This is the
 * "single-core SHA-256 rate" our client is judged against (it must hash every byte too), and its
 * digest is what the other rows' delivered bytes are checked against.
 * Input: {"filePath": string}.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { measureSelf, readWorkerInput } from '../lib/self-measure.js';
import { MiB } from '../lib/sizes.js';

interface Input {
  filePath: string;
}

const input = readWorkerInput<Input>();

await measureSelf(async () => {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(input.filePath, { highWaterMark: 4 * MiB })) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
  }
  return { bytes, extra: { sha256: hash.digest('hex') } };
});
