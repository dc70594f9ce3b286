/**
 * The tus checksum extension, which @tus/server does not implement, for a creation that carries
 * its first chunk (there is no upload file to append to yet; PATCHes use checksum-append.ts): the
 * chunk is first written to a temporary file inside the spool dir while it is hashed.
 * Only when the whole chunk arrived and its digest equals the announced one are the bytes handed
 * on to @tus/server (from the temporary file); otherwise nothing is appended and the offset stays.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExpectedChecksum } from './preflight.js';
import { HashingLimiter, TooLarge } from './hashing-limiter.js';

export type SpoolOutcome =
  | { kind: 'verified'; path: string; size: number; hex: string }
  | { kind: 'mismatch'; size: number; actual: string }
  | { kind: 'too-large'; limit: number };


/**
 * Reads `body` to a new file under `dir` (at most `limit` bytes). A verified chunk's file is the
 * caller's to remove after use; every other outcome leaves nothing behind. Rejects (file removed)
 * when the body fails, e.g. the client went away.
 */
export async function spoolAndVerify(body: Readable, expected: ExpectedChecksum, dir: string, limit: number, signal?: AbortSignal): Promise<SpoolOutcome> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomBytes(12).toString('hex')}.part`);
  const hashing = new HashingLimiter(expected.algorithm, limit);
  try {
    await pipeline(body, hashing, createWriteStream(path, { flags: 'wx' }), signal === undefined ? {} : { signal });
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof TooLarge) return { kind: 'too-large', limit };
    throw error;
  }
  const digest = hashing.hash.digest();
  if (digest.length === expected.digest.length && timingSafeEqual(digest, expected.digest)) {
    return { kind: 'verified', path, size: hashing.size, hex: digest.toString('hex') };
  }
  await rm(path, { force: true });
  return { kind: 'mismatch', size: hashing.size, actual: digest.toString('base64') };
}
