/**
 * The service bench's yardstick: one process hashes every file of the run with SHA-256, one pass,
 * in turn (4 MiB reads). Its CPU per GiB is the "single pass" the service's CPU is compared with;
 * one process for all files keeps per-process start-up costs (JIT warm-up, thread pool) out of a
 * figure measured on small files. Its digests are what the delivered files are checked against.
 * Input: {"filePaths": string[]}.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { measureSelf, readWorkerInput } from '../lib/self-measure.js';
import { MiB } from '../lib/sizes.js';

const input = readWorkerInput<{ filePaths: string[] }>();

await measureSelf(async () => {
  const sha256s: string[] = [];
  let bytes = 0;
  for (const filePath of input.filePaths) {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(filePath, { highWaterMark: 4 * MiB })) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      bytes += buffer.length;
    }
    sha256s.push(hash.digest('hex'));
  }
  return { bytes, extra: { sha256s } };
});
