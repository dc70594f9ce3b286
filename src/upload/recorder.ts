/**
 * What the engine tells a durable record (the resume journal) as the upload goes. Every call is
 * synchronous and made at the moment the fact becomes true — a part right after the store
 * confirmed it and before it counts as stored — so a crash can lose at most the facts that were
 * still in flight. A throwing recorder fails the upload (a journal that cannot be written would
 * make a later resume unsafe).
 */
import type { JsonValue, StoredFile } from '../destinations/destination.js';
import type { FileIdentity } from './file-guard.js';
import type { ChunkFingerprint } from './fingerprint.js';
import type { SegmentPlan } from './plan.js';

/** A new remote session (not called when one is resumed: its record exists). */
export interface OpenedUpload {
  /** The session's id (an upload id). */
  id: string;
  /** What resumes it (`RemoteSession.state()`); no secrets. */
  state: JsonValue;
  fileName: string;
  contentType: string;
  plan: SegmentPlan;
  identity: FileIdentity;
  fingerprint: ChunkFingerprint;
}

export interface UploadRecorder {
  opened(upload: OpenedUpload): void;
  segmentStored(index: number, size: number, checksum: string): void;
  completed(stored: StoredFile): void;
}
