/** The resume journal: durable local state per upload (see journal.ts). */
export { openJournal, type Journal, type OpenJournalOptions } from './journal.js';
export {
  defaultStateDir,
  parseKeepDays,
  retentionFromEnv,
  DEFAULT_KEEP_DAYS,
  DEFAULT_RETENTION_MS,
  DAY_MS,
  STATE_DIR_ENV,
  KEEP_DAYS_ENV,
} from './state-dir.js';
export type { LockResult } from './locks.js';
export {
  FINISHED_STATES,
  type DisplayState,
  type JobKey,
  type JournalEntry,
  type JournalState,
  type LockHolder,
  type NewEntry,
  type RecordedDelivery,
  type RecordedFile,
  type RecordedTarget,
  type StoredSegmentRecord,
} from './types.js';
