import type { JsonValue, Receipt, StoredFile } from '../destinations/destination.js';

/**
 * What the resume journal holds about one upload. An entry is written as the upload goes, so that
 * after a crash at any instant it says what is known to be done (server-side state is re-read on
 * resume: the journal is the client's memory, the upload status endpoint is the truth).
 */

/**
 * - uploading: the remote session exists; parts are being stored
 * - completed: the store completed and verified the file; no message yet
 * - sending:   the message was (or is being) sent and its answer was never recorded. A later run
 *              asks the platform whether it exists (the notifier's `find`) before sending; only
 *              a platform that cannot tell leaves it "uncertain" (shown so when no process holds it).
 * - delivered: messageId recorded
 * - failed:    stopped for a reason a retry would not fix (the remote upload was aborted)
 * - abandoned: replaced by a fresh upload (--restart, or the server forgot the upload)
 */
export type JournalState = 'uploading' | 'completed' | 'sending' | 'delivered' | 'failed' | 'abandoned';

/** States after which nothing more happens to an entry; these are pruned after the retention. */
export const FINISHED_STATES: readonly JournalState[] = Object.freeze(['delivered', 'failed', 'abandoned']);

/** What a person sees in `uploads`: `sending` without a live holder is `uncertain`. */
export type DisplayState = JournalState | 'uncertain';

/** The identity of the source file when the upload started; a resume requires all of it to match. */
export interface RecordedFile {
  /** Absolute, symlinks resolved. */
  path: string;
  size: number;
  /** Nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  mtimeNs: string;
  ino: string;
  dev: string;
  /** "sha256:<hex>" of the first and the last chunk of the upload's plan. */
  headSha256: string;
  tailSha256: string;
}

/** Where the file goes: human identifiers only, never the secret. */
export interface RecordedTarget {
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  /** e.g. "region mypurecloud.ie (https://api.mypurecloud.ie), OAuth client abc". */
  description: string;
}

export interface RecordedDelivery {
  to: string[];
  /** The message text actually used (the default is resolved before it is recorded). */
  text: string;
  language: string;
}

export interface LockHolder {
  pid: number;
  hostname: string;
  /** Epoch ms when it took the lock. */
  since: number;
}

export interface JournalEntry {
  id: string;
  state: JournalState;
  /** `state`, except `sending` with no live holder, which is `uncertain`. */
  displayState: DisplayState;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | undefined;
  file: RecordedFile;
  target: RecordedTarget;
  /** The destination's name ("genesys-files", …). */
  destination: string;
  /** The remote session's own state (what resumes it), as the destination gave it. */
  sessionState: JsonValue;
  /** The remote session's id (an upload id), for display. */
  uploadId: string;
  fileName: string;
  contentType: string;
  chunkSize: number;
  maxChunks: number;
  chunks: number;
  /** The file as the store completed it. */
  stored: StoredFile | undefined;
  /** The notifier's prepared intent (a guest…), journalled before the send. */
  intent: JsonValue | undefined;
  /** The notifier's receipt once the message is known to exist. */
  receipt: Receipt | undefined;
  /** Segments recorded as stored, and their bytes. */
  segmentsStored: number;
  bytesStored: number;
  /** Display copies: the stored file's reference when it is a string, its SHA-256. */
  fileId: string | undefined;
  sha256: string | undefined;
  delivery: RecordedDelivery;
  /** Display copy of the receipt's guestId detail, if any. */
  guestId: string | undefined;
  /** Epoch ms when the message was about to be sent (cleared if it provably was not). */
  messageAttemptAt: number | undefined;
  messageId: string | undefined;
  deliveredAt: number | undefined;
  error: { code: string; message: string } | undefined;
  /** A live process working on this entry right now, if any. */
  lockedBy: LockHolder | undefined;
}

export interface StoredSegmentRecord {
  index: number;
  size: number;
  checksum: string;
}

/** Everything known when an entry is created: right after the remote session opened. */
export interface NewEntry {
  file: RecordedFile;
  target: RecordedTarget;
  destination: string;
  sessionState: JsonValue;
  uploadId: string;
  fileName: string;
  contentType: string;
  chunkSize: number;
  maxChunks: number;
  chunks: number;
  delivery: RecordedDelivery;
}

/** Which entries belong to the same job: one file to one org as one OAuth client. */
export interface JobKey {
  filePath: string;
  apiUrl: string;
  clientId: string;
}
