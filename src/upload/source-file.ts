/**
 * Opens the file to upload and checks it before anything is sent: it must be a readable regular
 * file, not empty, and not larger than a known limit. Failures here are the user's to fix.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError, RejectedError } from '../errors/index.js';
import type { FileIdentity } from './file-guard.js';

export interface SourceFile {
  handle: FileHandle;
  identity: FileIdentity;
  size: number;
}

export async function openSourceFile(path: string, maxFileSize: number | undefined): Promise<SourceFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'error');
    throw new ConfigError('input.unreadable', `Cannot read ${path}: ${why}. Give the path of a readable file.`, { cause: error });
  }
  try {
    const s = await handle.stat({ bigint: true });
    if (!s.isFile()) throw new ConfigError('input.not_a_file', `${path} is not a regular file. Give the path of a file to upload.`);
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
