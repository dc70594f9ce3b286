/**
 * Streaming SHA-256 over stored segment files: never more than one read buffer in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const READ_BUFFER = 1024 * 1024;

export async function hashFilesInto(hash: Hash, paths: string[], signal: AbortSignal): Promise<void> {
  for (const path of paths) {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_BUFFER, signal })) {
      hash.update(chunk as Buffer);
    }
  }
}

export async function sha256OfFiles(paths: string[], signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await hashFilesInto(hash, paths, signal);
  return hash.digest('hex');
}
