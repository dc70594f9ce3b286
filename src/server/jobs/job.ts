/**
 * A relay job as the service keeps it and as the API shows it. The tus upload id is the job id.
 *
 *   receiving → queued → relaying → delivered
 *       ↓          ↑         ↓
 *     failed ←─────┴─(retry)─┘
 *
 * A job fails while receiving when its intake expires or is terminated; it fails while relaying
 * when the engine gives up. Only a failed job whose intake is complete can be retried.
 */
import type { FailureKind } from '../../errors/index.js';

export const JOB_STATES = ['receiving', 'queued', 'relaying', 'delivered', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobError {
  /** The failure class (src/errors): usage, auth, rejected, integrity, transient, interrupted, internal. */
  kind: FailureKind;
  /** A stable code, e.g. `intake.expired`, `storage.BadDigest`, `config.to`. */
  code: string;
  /** What happened and what to do, for people. */
  message: string;
}

/** What the client asked for at intake (from the tus metadata). */
export interface JobSpec {
  /** Sanitised file name (what Genesys will show). */
  fileName: string;
  contentType: string;
  size: number;
  /** Where the job is relayed: "genesys-files", "web-messaging" or "conversation". */
  destination: string;
  /** genesys-files: the recipients; empty for the other destinations. */
  to: string[];
  text: string | undefined;
  /** genesys-files: the guest language. */
  language: string | undefined;
  /**
   * The destination's ids, never a secret: conversationId and communicationId (conversation);
   * guest ("new" or "existing") and, once connected, guestId (web-messaging); and what the relay
   * learns (attachmentId, mediaId, fileId…).
   */
  details: Record<string, string>;
}

export interface Job extends JobSpec {
  id: string;
  state: JobState;
  intakeBytes: number;
  relayBytes: number;
  uploadId: string | undefined;
  fileId: string | undefined;
  messageId: string | undefined;
  sha256: string | undefined;
  error: JobError | undefined;
  /** Relay attempts started (a retry or a restart adds one). */
  attempts: number;
  createdAt: number;
  updatedAt: number;
  /** When the intake completed. */
  receivedAt: number | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** SHA-256 (hex) of the API key that created the job; undefined when created without keys. */
  owner?: string | undefined;
}

/** The API's view of a job: GET /api/jobs/:id, each SSE event, and the list. */
export interface JobView {
  id: string;
  state: JobState;
  fileName: string;
  contentType: string;
  size: number;
  /** Where the job is relayed: genesys-files, web-messaging or conversation. */
  destination: string;
  /** The destination's ids (conversationId, guestId, attachmentId, mediaId…); never a secret. */
  details: Record<string, string>;
  to: string[];
  text: string | null;
  language: string | null;
  intake: { bytes: number; total: number };
  relay: { bytes: number; total: number };
  fileId: string | null;
  messageId: string | null;
  sha256: string | null;
  error: JobError | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  receivedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    state: job.state,
    fileName: job.fileName,
    contentType: job.contentType,
    size: job.size,
    destination: job.destination,
    details: { ...job.details },
    to: [...job.to],
    text: job.text ?? null,
    language: job.language ?? null,
    intake: { bytes: job.intakeBytes, total: job.size },
    relay: { bytes: job.relayBytes, total: job.size },
    fileId: job.fileId ?? null,
    messageId: job.messageId ?? null,
    sha256: job.sha256 ?? null,
    error: job.error === undefined ? null : { ...job.error },
    attempts: job.attempts,
    createdAt: iso(job.createdAt) ?? '',
    updatedAt: iso(job.updatedAt) ?? '',
    receivedAt: iso(job.receivedAt),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

export function isTerminal(state: JobState): boolean {
  return state === 'delivered' || state === 'failed';
}
