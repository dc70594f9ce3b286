/**
 * Opens the file to upload and checks it before anything is sent: it must be a readable regular
 * file, not empty, and not larger than a known limit. Failures here are the user's to fix.
 *
 * The path is stat'ed before it is opened: opening a FIFO for reading blocks until a writer comes,
 * forever and beyond Ctrl-C's reach, so a FIFO, socket or device is refused without being opened.
 * The open itself is non-blocking too, for a path swapped for a FIFO between the two calls, and the
 * opened file is checked again (same inode) so what is read is what was checked.
 */
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ConfigError, RejectedError } from '../errors/index.js';
import type { FileIdentity } from './file-guard.js';

export interface SourceFile {
  handle: FileHandle;
  identity: FileIdentity;
  size: number;
}

/** O_NONBLOCK where the platform has it (not Windows, which has no FIFOs to block on). */
const READ_NONBLOCK = constants.O_NONBLOCK === undefined ? 'r' : constants.O_RDONLY | constants.O_NONBLOCK;

function unreadable(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'error');
  return new ConfigError('input.unreadable', `Cannot read ${path}: ${why}. Give the path of a readable file.`, { cause: error });
}

function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function notAFile(path: string, what: string): ConfigError {
  return new ConfigError(
    'input.not_a_file',
    `${path} is ${what}, not a regular file: only a file's known size can be uploaded in checked chunks. Copy the data into a file and send that.`,
  );
}

export async function openSourceFile(path: string, maxFileSize: number | undefined): Promise<SourceFile> {
  let before;
  try {
    before = await stat(path, { bigint: true });
  } catch (error) {
    throw unreadable(path, error);
  }
  if (!before.isFile()) throw notAFile(path, kindOf(before));
  let handle: FileHandle;
  try {
    handle = await open(path, READ_NONBLOCK);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) throw notAFile(path, kindOf(s));
    if (s.ino !== before.ino || s.dev !== before.dev) {
      throw new ConfigError('input.unreadable', `${path} was replaced while it was being opened. Run the command again once it stays put.`);
    }
    const size = Number(s.size);
    if (size === 0) throw new RejectedError('rejected.file_empty', `${path} is empty; Genesys Cloud does not accept empty files.`);
    if (maxFileSize !== undefined && size > maxFileSize) {
      throw new RejectedError(
        'rejected.too_large',
        `${path} is ${size} bytes, above the maximum file size of ${maxFileSize} bytes; nothing was sent.`,
        { details: { size, maxFileSize } },
      );
    }
    return { handle, size, identity: { size, mtimeNs: s.mtimeNs, ino: s.ino, dev: s.dev } };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
