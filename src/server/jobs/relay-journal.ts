/**
 * The engine's resume journal (src/journal), opened in the service's state dir and handed to
 * every relay attempt: with it, a relay interrupted by a crash or a restart continues its remote
 * upload without re-sending the stored segments, and a message is never sent twice (the journal
 * records the intent before the message POST). The job record keeps fileId/messageId as well, as
 * the API's view and as the fallback when no journal can be opened.
 */
import type { Logger } from 'pino';
import { openJournal, type Journal } from '../../journal/index.js';
import type { Job } from './job.js';

export interface RelayJournal {
  readonly journal: Journal;
  /** Engine options for one relay attempt of `job`. */
  engineOptions(job: Job): { journal: Journal };
  close(): void;
}

export async function openRelayJournal(stateDir: string, logger: Logger): Promise<RelayJournal | undefined> {
  let journal: Journal;
  try {
    journal = openJournal({ stateDir });
  } catch (error) {
    // The service still works without it: a restart then re-sends a half-stored upload from the start.
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'resume journal unavailable; relays restart from scratch after a crash');
    return undefined;
  }
  return {
    journal,
    engineOptions: () => ({ journal }),
    close: () => journal.close(),
  };
}
