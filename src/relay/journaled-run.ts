/**
 * One journalled send in progress: what its steps (journaled-send.ts, journaled-upload.ts,
 * journaled-delivery.ts) share — the via, the journal and the job's key, the delivery asked for,
 * the step context of the remote calls outside the engine, and the counters of the result.
 */
import { InternalError } from '../errors/index.js';
import type { Destination, StepContext } from '../destinations/destination.js';
import type { JobKey, Journal, JournalEntry, RecordedDelivery } from '../journal/index.js';
import type { UploadEvent } from '../upload/events.js';
import type { SendViaOptions } from './send-via.js';
import type { Via } from './via.js';

export interface Run {
  via: Via;
  journal: Journal;
  options: SendViaOptions;
  key: JobKey;
  /** What this run asks to deliver (the text as requested: a link's is the intro). */
  delivery: RecordedDelivery;
  /** Whether the journalled entry asked for another delivery (its intent is then not reused for a link). */
  deliveryChanged: boolean;
  point: (entryId: string) => void;
  emit: (event: UploadEvent) => void;
  /** The destination of this send: its store and notifier. */
  destination: Destination;
  /** Remote steps outside the engine (resume, delivery); counts their retries. */
  step: StepContext;
  startedAt: number;
  retries: number;
}

export function failMissing(id: string): never {
  throw new InternalError('journal.entry_missing', `The journal entry ${id} disappeared while in use (was the state directory removed?).`);
}

export function failMissingStored(entry: JournalEntry): never {
  throw new InternalError('journal.entry_incomplete', `The journal entry ${entry.id} is completed but records no stored file; run again with --restart.`);
}
