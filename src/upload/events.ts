/**
 * What an upload reports while it runs. The engine never prints: the CLI's progress bar, the
 * service's job view, logs and metrics all read these. A discriminated union on `type`.
 */
import type { JsonValue } from '../destinations/destination.js';

export type UploadEvent =
  | {
      type: 'initiated';
      uploadId: string;
      /** The name used (after sanitising). */
      fileName: string;
      contentType: string;
      totalSize: number;
      chunkSize: number;
      chunks: number;
    }
  | {
      type: 'segment-stored';
      index: number;
      size: number;
      /** "sha256:<hex>" */
      checksum: string;
      /** Distinct bytes stored so far (re-sends not counted twice). */
      bytesStored: number;
      totalBytes: number;
      /** True when the server already held this segment with the same checksum (resume): nothing was sent. */
      skipped?: boolean;
    }
  | {
      type: 'retry';
      /** 1 for the first retry of this operation. */
      attempt: number;
      delayMs: number;
      reason: string;
      status?: number;
      code?: string;
      segmentIndex?: number;
      route: 'storage' | 'api' | 'token';
    }
  | {
      type: 'rate-adjusted';
      inFlightLimit: number;
      /** Storage request starts per second; null when not limited. */
      requestsPerSecond: number | null;
    }
  | { type: 'url-refreshed'; expiresAt: string }
  | { type: 'completing'; round: number }
  | {
      type: 'completed';
      /** `ref` as one string: the file id itself, or the JSON of a reference that is not one. */
      fileId: string;
      /** The destination's reference to what it stored (a file id, or ids such as `{attachmentId}`). */
      ref: JsonValue;
      sha256: string;
    }
  | { type: 'delivering' }
  | { type: 'delivered'; guestId: string; messageId: string }
  | { type: 'aborting'; uploadId: string }
  /** An earlier, interrupted run of this job was found in the journal and is continued. */
  | {
      type: 'resumed';
      journalId: string;
      uploadId: string;
      /** What is left to do: the upload (then delivery), or only the delivery. */
      phase: 'upload' | 'delivery';
      /** What the server said it holds (checked against the file before anything is skipped). */
      segmentsOnServer: number;
      bytesOnServer: number;
      totalBytes: number;
    }
  /** The journalled upload cannot be continued (the server forgot it, or aborted it): a new one starts. */
  | { type: 'starting-over'; journalId: string; uploadId: string; reason: string }
  /** The run failed but the upload is kept for a later resume (transient failure or interruption). */
  | { type: 'resumable'; journalId: string; uploadId: string; bytesStored: number; totalBytes: number };

export type UploadEventType = UploadEvent['type'];
export type UploadEventListener = (event: UploadEvent) => void;
