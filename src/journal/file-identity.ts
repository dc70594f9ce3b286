/**
 * Is the file on disk still the one a journal entry was recorded for? Path, size, modification
 * time (ns), inode and device must match, and so must the SHA-256 of the first and last chunk (two
 * chunk reads: cheap, and they catch a file rewritten with its old mtime restored). Returns what
 * changed, in words; empty when nothing did.
 *
 * A file recorded without those digests (both empty: GROWING_FINGERPRINT) was written by its
 * recorder itself — the service's spool file, which it received, verified and recorded — and is
 * checked by its identity only: reading its first and last chunk again would only hash bytes the
 * recorder hashed on their way in (a quarter of a 64 MiB upload's bytes, in 5 MiB parts). A file
 * the CLI sends always has them.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { fingerprint } from '../upload/fingerprint.js';
import { planSegments } from '../upload/plan.js';
import type { RecordedFile } from './types.js';

/** Whether `recorded` has no first and last chunk digests (its recorder wrote the file: see above). */
function isWrittenByRecorder(recorded: Pick<RecordedFile, 'headSha256' | 'tailSha256'>): boolean {
  return recorded.headSha256 === '' && recorded.tailSha256 === '';
}

export async function fileChanges(recorded: RecordedFile, plan: { chunkSize: number; maxChunks: number }, signal?: AbortSignal): Promise<string[]> {
  let handle: FileHandle;
  try {
    handle = await open(recorded.path, 'r');
  } catch (error) {
    return [`it cannot be opened any more (${(error as NodeJS.ErrnoException).code ?? 'error'})`];
  }
  try {
    const now = await handle.stat({ bigint: true });
    const changes: string[] = [];
    if (Number(now.size) !== recorded.size) changes.push(`size ${recorded.size} → ${now.size} bytes`);
    if (now.mtimeNs.toString() !== recorded.mtimeNs) changes.push('modification time');
    if (now.ino.toString() !== recorded.ino || now.dev.toString() !== recorded.dev) changes.push('replaced by another file');
    if (changes.length > 0 || isWrittenByRecorder(recorded)) return changes;
    const chunks = await fingerprint(handle, planSegments(recorded.size, plan.chunkSize, Math.max(plan.maxChunks, 1)), signal);
    if (chunks.headSha256 !== recorded.headSha256) changes.push('content of the first chunk');
    if (chunks.tailSha256 !== recorded.tailSha256) changes.push('content of the last chunk');
    return changes;
  } finally {
    await handle.close();
  }
}
