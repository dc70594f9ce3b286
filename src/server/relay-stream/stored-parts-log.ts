/**
 * The parts a stream stored, one line each (`index size checksum`), appended beside the stream's
 * sidecar as each part is stored. After a crash between the store's completion and the hand-over
 * (stored-upload.ts), the resume gives them to the store, which can then recognise the finished
 * object (an S3 upload completed just before the crash: its composite checksum is these parts')
 * instead of uploading the file again. Appended synchronously: a line is a few dozen bytes per
 * multi-MiB part, and it must be there before the completion that may follow at once.
 */
import { appendFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { StoredPart } from '../../destinations/destination.js';

const LINE = /^(\d{1,9}) (\d{1,16}) (sha256:[0-9a-f]{64})$/;

export class StoredPartsLog {
  readonly #dir: string;
  readonly #logger: Logger;

  constructor(dir: string, logger: Logger) {
    this.#dir = dir;
    this.#logger = logger;
  }

  #path(id: string): string {
    return join(this.#dir, `${id}.parts`);
  }

  append(id: string, part: { index: number; size: number; checksum: string }): void {
    try {
      appendFileSync(this.#path(id), `${part.index} ${part.size} ${part.checksum}\n`, { mode: 0o600 });
    } catch (error) {
      // Without it a crash right after completion uploads the file again; nothing worse.
      this.#logger.warn({ job: id, step: 'stream-part-log', err: String(error) }, 'could not log a stored part');
    }
  }

  /** The logged parts (a later line for the same part wins); none without a log. A torn last line is ignored. */
  async read(id: string): Promise<StoredPart[]> {
    const text = await readFile(this.#path(id), 'utf8').catch(() => '');
    const parts = new Map<number, StoredPart>();
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (m !== null) parts.set(Number(m[1]), { index: Number(m[1]), size: Number(m[2]), checksum: m[3]! });
    }
    return [...parts.values()];
  }

  async remove(id: string): Promise<void> {
    await rm(this.#path(id), { force: true });
  }
}
