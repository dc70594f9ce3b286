/**
 * Detects a source file that changes while it is being uploaded: size, modification time (ns) and
 * inode are recorded before the upload and compared before complete. A changed file fails with an
 * IntegrityError and is never completed — the server would otherwise accept a mix of old and new
 * bytes.
 */
import { stat } from 'node:fs/promises';
import { IntegrityError } from '../errors/index.js';

export interface FileIdentity {
  size: number;
  mtimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

export async function identify(path: string): Promise<FileIdentity> {
  const s = await stat(path, { bigint: true });
  return { size: Number(s.size), mtimeNs: s.mtimeNs, ino: s.ino, dev: s.dev };
}

export async function assertUnchanged(path: string, before: FileIdentity, when: string): Promise<void> {
  let now: FileIdentity;
  try {
    now = await identify(path);
  } catch (error) {
    throw new IntegrityError('integrity.file_changed', `The file ${path} disappeared ${when}; nothing was completed.`, { cause: error });
  }
  const changes: string[] = [];
  if (now.size !== before.size) changes.push(`size ${before.size} → ${now.size} bytes`);
  if (now.mtimeNs !== before.mtimeNs) changes.push('modification time');
  if (now.ino !== before.ino || now.dev !== before.dev) changes.push('replaced by another file');
  if (changes.length > 0) {
    throw new IntegrityError(
      'integrity.file_changed',
      `The file ${path} changed ${when} (${changes.join(', ')}); nothing was completed. ` +
        'Upload a file that is not being written to (copy it first if it is still growing).',
    );
  }
}
