/**
 * A directory of small JSON records (files, guests, messages), one `<id>.json` each, mirrored in
 * memory in creation order. Records are written once and never change.
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isId } from '../ids.js';
import type { JsonWriter } from './json-writer.js';

export class RecordStore<T extends { id: string; createdAt: string }> {
  readonly #dir: string;
  readonly #writer: JsonWriter;
  readonly #items = new Map<string, T>();

  private constructor(dir: string, writer: JsonWriter) {
    this.#dir = dir;
    this.#writer = writer;
  }

  static async open<T extends { id: string; createdAt: string }>(dir: string, writer: JsonWriter): Promise<RecordStore<T>> {
    const store = new RecordStore<T>(dir, writer);
    await mkdir(dir, { recursive: true });
    const loaded: T[] = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.includes('.tmp-')) {
        await unlink(path).catch(() => undefined); // an interrupted atomic write
        continue;
      }
      const m = /^(.+)\.json$/.exec(name);
      if (!m || !isId(m[1])) continue;
      try {
        const record = JSON.parse(await readFile(path, 'utf8')) as T;
        if (record && record.id === m[1] && typeof record.createdAt === 'string') loaded.push(record);
      } catch {
        // An unreadable record is skipped rather than stopping the emulator from starting.
      }
    }
    loaded.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const record of loaded) store.#items.set(record.id, record);
    return store;
  }

  get(id: string): T | undefined {
    return isId(id) ? this.#items.get(id) : undefined;
  }

  all(): T[] {
    return [...this.#items.values()];
  }

  async add(record: T): Promise<void> {
    await this.#writer.write(join(this.#dir, `${record.id}.json`), record);
    this.#items.set(record.id, record);
  }
}
