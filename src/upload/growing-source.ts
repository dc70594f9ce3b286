/**
 * A source file that is still being written when its upload starts (the service's spool while
 * the client's bytes arrive). The caller knows the final size and says when each byte range is
 * there and verified; it may also hand over what it hashed already, so that each byte is hashed
 * once per part and once for the whole file in the pipeline as a whole:
 *
 * - `knownChecksum`: the SHA-256 of a part the caller computed on its way in (a client chunk that
 *   covers exactly that part); the engine then reads the part without hashing it again;
 * - `wholeSha256`: the file's SHA-256 computed in order by the caller. When it is given, the
 *   engine does not hash the whole file itself; when the caller lost track before the first part
 *   is read (`tracksWhole`), the engine hashes in order as it reads; when it loses track later
 *   (`wholeSha256` answers undefined) the engine hashes the file once more at the end.
 *
 * The file only grows while the upload runs; the identity check of a finished file (file-guard.ts)
 * is replaced by "it has exactly the declared size" before completion.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ConfigError, IntegrityError } from '../errors/index.js';
import type { ChunkFingerprint } from './fingerprint.js';
import type { SourceFile } from './source-file.js';

export interface GrowingSource {
  /** The file's final size in bytes. */
  size: number;
  /** Resolves once bytes [0, end) are in the file and verified; rejects when `signal` aborts or the source failed. */
  waitFor(end: number, signal: AbortSignal): Promise<void>;
  /** "sha256:<hex>" of part `index` ([start, start + length)) when the caller hashed exactly that range already. */
  knownChecksum?(index: number, start: number, length: number): string | undefined;
  /** The whole file's SHA-256 (hex), asked once every byte is available; undefined: the engine hashes it. */
  wholeSha256?(): string | undefined;
  /** Asked when the first part is read: false when the caller already lost track of the whole-file hash (the engine then hashes in order). */
  tracksWhole?(): boolean;
}

/**
 * A growing file has no first and last chunk to fingerprint yet: resume is the caller's (its own
 * record). A journal entry recorded with it is checked by the file's identity only (file-identity.ts).
 */
export const GROWING_FINGERPRINT: ChunkFingerprint = Object.freeze({ headSha256: '', tailSha256: '' });

const READ_NONBLOCK = constants.O_NONBLOCK === undefined ? 'r' : constants.O_RDONLY | constants.O_NONBLOCK;

/** Opens the growing file; its size is the declared one, whatever it holds now. */
export async function openGrowingFile(path: string, size: number, maxFileSize: number | undefined): Promise<SourceFile> {
  if (!Number.isSafeInteger(size) || size < 1) throw new ConfigError('config.growing_size', `A growing source needs its final size (>= 1 byte); got ${String(size)}.`);
  if (maxFileSize !== undefined && size > maxFileSize) {
    throw new ConfigError('config.max_file_size', `The file will be ${size} bytes, above the maximum file size of ${maxFileSize} bytes.`);
  }
  const handle = await open(path, READ_NONBLOCK);
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) throw new ConfigError('input.not_a_file', `${path} is not a regular file.`);
    return { handle, size, identity: { size, mtimeNs: s.mtimeNs, ino: s.ino, dev: s.dev } };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Before completion: the file holds exactly the declared bytes (it neither stopped short nor grew past them). */
export async function assertGrown(path: string, size: number): Promise<void> {
  const now = await stat(path).catch((error: unknown) => {
    throw new IntegrityError('integrity.file_changed', `The file ${path} disappeared during the upload; nothing was completed.`, { cause: error });
  });
  if (now.size !== size) {
    throw new IntegrityError('integrity.file_changed', `The file ${path} holds ${now.size} bytes, not the ${size} declared; nothing was completed.`);
  }
}
