/**
 * The tus checksum extension for a PATCH, writing each byte once: the chunk is appended straight
 * into the upload's spool file at its offset while it is hashed, and cut back to that offset
 * (truncate) when the digest differs, the chunk is too long, or its body breaks off. Only then
 * does @tus/server see the request, as an empty PATCH at the new offset (tus-routes.ts), so its
 * answer, its lock and its completion hook work as for any chunk.
 *
 * Crash safety: the spool file's size is the upload's offset (@tus/file-store), so unverified
 * bytes must never outlive a crash. Before the first byte is written, a marker
 * `<partialDir>/<id>.append` records the offset the chunk starts at; it is removed only once the
 * chunk is verified (or cut back). At start, `rollBackInterruptedAppends` cuts every marked file
 * back to its marker's offset, so a kill -9 mid-chunk, or between the last byte and the digest
 * check, leaves the offset at the last verified chunk; the client's HEAD then asks for that chunk
 * again. (Like the rest of the spool, this is safe against a process crash, not a power loss:
 * nothing is fsynced.)
 */
import { timingSafeEqual, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExpectedChecksum } from './preflight.js';
import { HashingLimiter, TooLarge } from './hashing-limiter.js';

export type AppendOutcome =
  /** No `path`: unlike a spooled chunk (checksum-spool.ts), it is already in the upload's file. */
  | { kind: 'verified'; size: number; hex: string; path?: undefined }
  | { kind: 'mismatch'; size: number; actual: string }
  | { kind: 'too-large'; limit: number }
  /** The upload's spool file is gone (terminated or expired meanwhile): nothing was written. */
  | { kind: 'gone' };

export interface AppendTarget {
  /** The upload's id (its spool file's and its marker's name). */
  id: string;
  /** The upload's spool file. */
  path: string;
  /** Where the chunk starts: the upload's current offset (the file's size). */
  offset: number;
  /** Bytes the chunk may hold (the rest of the upload). */
  limit: number;
  /** Directory of the in-progress markers (emptied at every start). */
  markerDir: string;
  /** A copy of the upload's whole-file hash at `offset`, fed the chunk too (kept only if it is verified). */
  whole?: Hash | undefined;
}


const MARKER = /^([0-9a-f]{32})\.append$/;
const markerPath = (dir: string, id: string): string => join(dir, `${id}.append`);

/**
 * Appends `body` at `target.offset` while hashing it. A verified chunk stays; every other
 * outcome leaves the file as it was. Rejects (file cut back) when the body fails, e.g. the client
 * went away or `signal` aborted. The caller holds the upload's lock.
 */
export async function appendAndVerify(body: Readable, expected: ExpectedChecksum, target: AppendTarget, signal?: AbortSignal): Promise<AppendOutcome> {
  const marker = markerPath(target.markerDir, target.id);
  try {
    await stat(target.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  await writeFile(marker, String(target.offset), { mode: 0o600 });
  const hashing = new HashingLimiter(expected.algorithm, target.limit, target.whole);
  const sink = createWriteStream(target.path, { flags: 'r+', start: target.offset });
  // Registered first: an aborted pipeline returns before the stream's writes in flight are done,
  // and cutting back before they land would let them grow the file again.
  const closed = new Promise<void>((resolve) => sink.once('close', resolve));
  let verified = false;
  try {
    await pipeline(body, hashing, sink, signal === undefined ? {} : { signal });
    const digest = hashing.hash.digest();
    if (digest.length === expected.digest.length && timingSafeEqual(digest, expected.digest)) {
      verified = true;
      return { kind: 'verified', size: hashing.size, hex: digest.toString('hex') };
    }
    return { kind: 'mismatch', size: hashing.size, actual: digest.toString('base64') };
  } catch (error) {
    if (error instanceof TooLarge) return { kind: 'too-large', limit: target.limit };
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  } finally {
    await closed;
    // Cut back before the marker goes: a crash in between is rolled back at the next start.
    if (!verified) {
      await truncate(target.path, target.offset).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await rm(marker, { force: true });
  }
}

/**
 * At start, before anything reads an offset: cuts each upload that was mid-chunk back to where the
 * chunk began, and removes the markers. Returns the ids cut back.
 */
export async function rollBackInterruptedAppends(markerDir: string, intakeDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(markerDir);
  } catch {
    return [];
  }
  const rolledBack: string[] = [];
  for (const name of names) {
    const id = MARKER.exec(name)?.[1];
    if (id === undefined) continue;
    const text = (await readFile(join(markerDir, name), 'utf8').catch(() => '')).trim();
    const offset = Number(text);
    // An empty marker was being written when the process died: no byte of the chunk was appended.
    if (text !== '' && Number.isSafeInteger(offset) && offset >= 0) {
      const path = join(intakeDir, id);
      const size = await stat(path).then(
        (stats) => stats.size,
        () => undefined, // the upload is gone
      );
      // Never extend: only bytes past the marker's offset are unverified.
      if (size !== undefined && size > offset) {
        await truncate(path, offset);
        rolledBack.push(id);
      }
    }
    await rm(join(markerDir, name), { force: true });
  }
  return rolledBack;
}
