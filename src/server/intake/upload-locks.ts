/**
 * The lock the tus routes (tus-routes.ts) hold per upload while a checksummed chunk is spooled and
 * appended: a small piece of concurrency with its own rule (who supersedes whom), kept apart from
 * the routing so that it reads on its own.
 */

/**
 * One checksummed chunk (or offset query) at a time per upload: a promise chain per id. A newer
 * request supersedes the one still spooling (like @tus/server's own lock: the older request is
 * most likely from a connection the client already gave up on); one already appending its
 * verified chunk is waited for, so the newcomer sees the offset that append produced.
 */
export class UploadLocks {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #spooling = new Map<string, AbortController>();
  async run<T>(id: string, takeOver: boolean, work: (supersede: AbortSignal) => Promise<T>): Promise<T> {
    if (takeOver) this.#spooling.get(id)?.abort(new Superseded());
    const previous = this.#tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(id, tail);
    await previous;
    const controller = new AbortController();
    this.#spooling.set(id, controller);
    try {
      return await work(controller.signal);
    } finally {
      if (this.#spooling.get(id) === controller) this.#spooling.delete(id);
      release();
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    }
  }
  /** The holder of `id` is past spooling: it is waited for, not superseded. */
  appending(id: string, signal: AbortSignal): void {
    for (const [key, controller] of this.#spooling) if (key === id && controller.signal === signal) this.#spooling.delete(id);
  }
}

export class Superseded extends Error {
  override readonly name = 'Superseded';
}
