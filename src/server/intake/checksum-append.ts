/**
 * The tus checksum extension for a PATCH, writing each byte once: the chunk is hashed as it
 * arrives and written into the upload's spool file at its offset, and cut back to that offset
 * (truncate) when the digest differs, the chunk is too long, or its body breaks off. Only then
 * does @tus/server see the request, as an empty PATCH at the new offset (tus-routes.ts), so its
 * answer, its lock and its completion hook work as for any chunk.
 *
 * Each network read (~64 KiB) is hashed and written while it is still in the CPU's cache, with a
 * synchronous positional write: measured on the service, a thread-pool round trip per read cost
 * more than the write itself, and gathering the chunk into one large write cost more again (the
 * kernel then copies it from memory, not from the cache). A write that takes long (a busy disk:
 * SLOW_WRITE_MS) turns writes asynchronous for a while (SLOW_DISK_MS), so a slow disk never holds
 * the event loop for long. (Keeping verified chunks in memory for the relay, instead of its
 * reading them back, was measured too: no CPU saved, 60–80 MiB more memory for 16 uploads.)
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
import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { open, readdir, readFile, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ExpectedChecksum } from './preflight.js';
import { TooLarge } from './hashing-limiter.js';

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

/** A synchronous write slower than this means a busy disk... */
const SLOW_WRITE_MS = 100;
/** ...and writes go through the thread pool for this long. */
const SLOW_DISK_MS = 5_000;
let asyncWritesUntil = 0;

/** Writes go through the thread pool for the next `ms` (what a slow write does; tests use it too). */
export function preferAsyncWrites(ms: number): void {
  asyncWritesUntil = performance.now() + ms;
}

const MARKER = /^([0-9a-f]{32})\.append$/;
const markerPath = (dir: string, id: string): string => join(dir, `${id}.append`);

/**
 * Writes `data` at `position`: synchronously while the disk keeps up (undefined: done), else
 * through the thread pool (a promise).
 */
function writeAt(handle: FileHandle, data: Buffer, position: number): Promise<void> | undefined {
  let done = 0;
  while (done < data.length && performance.now() >= asyncWritesUntil) {
    const started = performance.now();
    done += writeSync(handle.fd, data, done, data.length - done, position + done);
    const took = performance.now() - started;
    if (took > SLOW_WRITE_MS) preferAsyncWrites(SLOW_DISK_MS);
  }
  if (done === data.length) return undefined;
  return (async () => {
    while (done < data.length) done += (await handle.write(data, done, data.length - done, position + done)).bytesWritten;
  })();
}


/**
 * Appends `body` at `target.offset` while hashing it. A verified chunk stays; every other
 * outcome leaves the file as it was. Rejects (file cut back) when the body fails, e.g. the client
 * went away or `signal` aborted. The caller holds the upload's lock.
 */
export async function appendAndVerify(body: Readable, expected: ExpectedChecksum, target: AppendTarget, signal?: AbortSignal): Promise<AppendOutcome> {
  let handle: FileHandle;
  try {
    handle = await open(target.path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  const marker = markerPath(target.markerDir, target.id);
  const { offset, limit, whole } = target;
  let verified = false;
  /** Bytes received (and written, or being written). */
  let size = 0;
  /** A write through the thread pool in progress (the body is paused meanwhile). */
  let writing: Promise<void> | undefined;
  /** A failed write through the thread pool: the body may have ended already, so it is kept here too. */
  let writeError: unknown;
  let onData: ((chunk: Buffer) => void) | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await writeFile(marker, String(offset), { mode: 0o600 });
    signal?.throwIfAborted();
    const hash = createHash(expected.algorithm);
    // 'data' events, not async iteration: a paused stream's read() joins what it buffered into a
    // new buffer (a copy, and memory the garbage collector must then find).
    const ended = finished(body);
    onAbort = () => void body.destroy(signal?.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    onData = (chunk: Buffer) => {
      if (body.destroyed) return;
      try {
        const from = size;
        size += chunk.length;
        if (size > limit) throw new TooLarge();
        hash.update(chunk);
        whole?.update(chunk);
        const pending = writeAt(handle, chunk, offset + from);
        if (pending !== undefined) {
          body.pause();
          writing = pending.then(
            () => void body.resume(),
            (error: unknown) => {
              writeError ??= error;
              body.destroy(error as Error);
            },
          );
        }
      } catch (error) {
        body.destroy(error as Error);
      }
    };
    body.on('data', onData);
    try {
      await ended;
    } catch (error) {
      if (error instanceof TooLarge) return { kind: 'too-large', limit };
      throw error;
    }
    await writing;
    if (writeError !== undefined) throw writeError;
    signal?.throwIfAborted();
    const digest = hash.digest();
    if (digest.length !== expected.digest.length || !timingSafeEqual(digest, expected.digest)) {
      return { kind: 'mismatch', size, actual: digest.toString('base64') };
    }
    verified = true;
    return { kind: 'verified', size, hex: digest.toString('hex') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  } finally {
    if (onData !== undefined) body.off('data', onData);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    // A write still in flight lands before the file is cut back.
    await writing?.catch(() => undefined);
    await handle.close();
    // Cut back before the marker goes: a crash in between is rolled back at the next start.
    if (!verified && size > 0) {
      await truncate(target.path, offset).catch((error: NodeJS.ErrnoException) => {
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
