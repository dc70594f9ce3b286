/**
 * Atomic JSON metadata writes: write a temp file beside the target, then rename over it, so a
 * crash leaves either the old or the new document, never half of one. Writes to one path are
 * serialized in call order, so the last call's value is what ends up on disk.
 */
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';

export class JsonWriter {
  #tails = new Map<string, Promise<void>>();

  write(path: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    const previous = this.#tails.get(path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => writeAtomically(path, text));
    const tail = next.catch(() => undefined);
    this.#tails.set(path, tail);
    void tail.then(() => {
      if (this.#tails.get(path) === tail) this.#tails.delete(path);
    });
    return next;
  }

  /** Resolves when every write issued so far has finished (used by close()). */
  async flush(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
