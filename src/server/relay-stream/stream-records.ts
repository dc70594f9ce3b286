/**
 * What a stream keeps on disk under `<spoolDir>/relay-stream/`, so that a restart resumes it:
 * `<id>.json`, the remote session's resume state, written when the stream opens it; and
 * `<id>.parts`, the parts it stored, one line each (`index size checksum`), appended as each part
 * is stored. After a crash between the store's completion and the hand-over
 * (stored-upload.ts), the resume gives them to the store, which can then recognise the finished
 * object (an S3 upload completed just before the crash: its composite checksum is these parts')
 * instead of uploading the file again. Appended synchronously: a line is a few dozen bytes per
 * multi-MiB part, and it must be there before the completion that may follow at once.
 */
import { appendFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { JsonValue, StoredPart } from '../../destinations/destination.js';

const LINE = /^(\d{1,9}) (\d{1,16}) (sha256:[0-9a-f]{64})$/;

export class StreamRecords {
  readonly #dir: string;
  readonly #logger: Logger;

  constructor(dir: string, logger: Logger) {
    this.#dir = dir;
    this.#logger = logger;
  }

  #path(id: string): string {
    return join(this.#dir, `${id}.parts`);
  }

  #sidecar(id: string): string {
    return join(this.#dir, `${id}.json`);
  }

  /** The session of `id` was opened: its resume state. */
  async opened(id: string, state: JsonValue): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await writeFile(this.#sidecar(id), JSON.stringify({ state }), { mode: 0o600 });
  }

  /** The ids of the streams recorded (at start: those to resume). */
  async ids(): Promise<string[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    return names.map((name) => /^([0-9a-f]{32})\.json$/.exec(name)?.[1]).filter((id): id is string => id !== undefined);
  }

  /** The resume state recorded for `id`. */
  async state(id: string): Promise<JsonValue> {
    return (JSON.parse(await readFile(this.#sidecar(id), 'utf8')) as { state: JsonValue }).state;
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

  /** The stream of `id` ended (stored, failed, or nothing left to stream): its records go. */
  async forget(id: string): Promise<void> {
    await rm(this.#sidecar(id), { force: true });
    await rm(this.#path(id), { force: true });
  }
}
