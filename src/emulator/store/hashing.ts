/**
 * Streaming SHA-256 over stored segment files: never more than one read buffer in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';

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

/**
 * The same, synchronously: for a value computed only when the state view is read (an inspection,
 * not a request), so that the request that stored the bytes need not read them again.
 */
export function sha256OfFilesSync(paths: string[]): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(READ_BUFFER);
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest('hex');
}
