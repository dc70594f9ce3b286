/**
 * Which uploads have a chunk being appended in place (checksum-append.ts) right now, and how many
 * such appends have ended: while one is in flight, the upload's spool file may be full-size without
 * being verified, so the completion sweep (TusIntake.completeReceived) must not take it for a
 * complete intake. Kept apart from tus-intake.ts: a small piece of bookkeeping with its own rule.
 */
export class InPlaceAppends {
  /** Uploads whose chunk is being appended in place: their file's size is not yet a verified offset. */
  readonly #appending = new Set<string>();
  /** Appends ended so far, all uploads (the completion sweep's check that none ended under it). */
  #ended = 0;

  /** Runs `work`, an append of a chunk of `id`; until it ends, `id` is in flight. */
  async run<T>(id: string, work: () => Promise<T>): Promise<T> {
    this.#appending.add(id);
    try {
      return await work();
    } finally {
      this.#appending.delete(id);
      this.#ended += 1;
    }
  }

  has(id: string): boolean {
    return this.#appending.has(id);
  }

  /** Appends ended so far: equal before and after a check means none ended during it. */
  get ended(): number {
    return this.#ended;
  }
}
