/**
 * The Web Messaging guest token of each job, kept apart from everything else: a secret (whoever
 * holds it writes in that customer's conversation), so never in the job row, the spool's tus
 * metadata, a view, a log or an error. One owner-only (0600) file per job under the private state
 * dir, at the path the CLI's `openWebMessagingVia` keeps a job's token (so the relay of a job,
 * after a restart too, continues as the same guest): a token given in the upload's metadata is
 * written there at creation; a new guest's is written there before its first upload.
 *
 * A token is removed when its job is delivered or its intake ends unfinished (expired,
 * terminated); a job whose relay failed keeps it until the job is retried or removed by
 * retention, so that a retry writes into the same conversation. `sweep` removes every token no
 * live job owns (a crash between two steps, a creation that failed).
 */
import { rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { writeGuestToken } from '../../destinations/web-messaging/index.js';
import type { RecordedTarget } from '../../journal/index.js';
import { canonical, guestTokenPath } from '../../relay/web-messaging-via.js';
import { ensurePrivateDir } from '../private-fs.js';
import type { Job } from './job.js';
import type { JobStore } from './job-store.js';

const LIVE_STATES = ['receiving', 'queued', 'relaying', 'failed'] as const;

export class GuestTokens {
  readonly directory: string;
  readonly #stateDir: string;
  readonly #spoolPath: (id: string) => string;
  readonly #target: RecordedTarget;
  readonly #logger: Logger;

  /** `spoolPath(id)`: the spooled file of job `id` (its directory must exist). */
  constructor(options: { stateDir: string; spoolPath: (id: string) => string; target: RecordedTarget; logger: Logger }) {
    this.#stateDir = options.stateDir;
    this.directory = join(options.stateDir, 'guests');
    this.#spoolPath = options.spoolPath;
    this.#target = options.target;
    this.#logger = options.logger;
  }

  /** Where job `id`'s token is kept (the spool file need not exist yet: its directory is resolved). */
  pathOf(id: string): string {
    return guestTokenPath(this.#stateDir, canonical(this.#spoolPath(id)), this.#target);
  }

  async keep(id: string, token: string): Promise<void> {
    await ensurePrivateDir(this.directory);
    await writeGuestToken(this.pathOf(id), token);
  }

  /**
   * What a job's change means for its token: delivered, or an intake that ended unfinished,
   * forgets it — synchronously (one unlink), so it is gone before anyone hears of the change.
   */
  onChange(job: Job): void {
    if (job.destination !== 'web-messaging') return;
    const intakeEnded = job.state === 'failed' && job.error?.code.startsWith('intake.') === true;
    if (job.state !== 'delivered' && !intakeEnded) return;
    try {
      rmSync(this.pathOf(job.id), { force: true });
    } catch (error) {
      this.#logger.warn({ job: job.id, step: 'guest-token-cleanup', err: String(error) }, 'could not remove a finished job\'s guest token; the sweep retries');
    }
  }

  /** Removes every kept token that no live job owns. Returns how many. */
  async sweep(store: JobStore): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch {
      return 0;
    }
    const owned = new Set<string>();
    for (const state of LIVE_STATES) {
      for (const job of store.inState(state)) {
        if (job.destination !== 'web-messaging') continue;
        if (state === 'failed' && job.error?.code.startsWith('intake.') === true) continue;
        owned.add(this.pathOf(job.id));
      }
    }
    let removed = 0;
    for (const name of names) {
      const path = join(this.directory, name);
      if (!name.endsWith('.token') || owned.has(path)) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }
}
