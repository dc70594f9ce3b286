/**
 * The seam between the upload engine and a destination.
 *
 * A destination is two parts composed per send:
 * - a **store**: where the bytes go. It opens (or resumes) a remote session that says how the file
 *   is laid out in parts (server-chosen chunks, client-chosen S3 parts, or one whole-file PUT),
 *   which parts it already holds, how each part is PUT (URL + headers, never an Authorization
 *   header), and how the parts are completed and verified;
 * - a **notifier**: how the conversation learns of the stored file (a message with an attachment,
 *   or a text with a link), exactly once: an intent is journalled before the send, and a send
 *   whose answer was lost is settled by asking the platform (`find`), never by guessing.
 *
 * The engine (reading, hashing, buffer pool, workers, retries, AIMD, the journal, events) knows
 * only these interfaces. Destinations keep their own state as JSON, which the journal stores
 * opaquely next to the destination's name. Secrets never go into that JSON (a guest token, say, is
 * kept apart in an owner-only file).
 */
import type { UploadError } from '../errors/index.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import type { UploadEvent } from '../upload/events.js';
import type { SegmentPlan } from '../upload/plan.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What is known of the file before a session opens. */
export interface FileFacts {
  /** Sanitised. */
  fileName: string;
  /** Bare media type. */
  contentType: string;
  size: number;
}

/** What every remote step gets from the engine. */
export interface StepContext {
  signal: AbortSignal;
  retry: RetryPolicy;
  emit: (event: UploadEvent) => void;
}

/** One PUT of one part, as the engine will send it (it adds Content-Length and the body). */
export interface PartRequest {
  url: string;
  /** Every header to send, exactly (Content-Type, x-amz-*, Content-Range…); never Authorization. */
  headers: Record<string, string>;
  /** Which URL generation this is, so an expiry triggers exactly one shared refresh. */
  version: number;
}

export interface PartToPut {
  index: number;
  start: number;
  length: number;
  /** "sha256:<hex>" */
  checksum: string;
  /** The same digest, base64 (x-amz-checksum-sha256). */
  checksumBase64: string;
}

/** A part the store holds: what resume compares against, and what completion lists. */
export interface StoredPart {
  index: number;
  size: number;
  /** "sha256:<hex>", or undefined when the store does not say (a store without checksums). */
  checksum: string | undefined;
  /** The store's ETag for the part, when it gives one (S3 needs them to complete). */
  etag?: string | undefined;
}

/** The file as stored: what the notifier delivers. */
export interface StoredFile {
  /** The destination's reference (file id, attachment id, media id, object key…). */
  ref: JsonValue;
  fileName: string;
  contentType: string;
  size: number;
  /** Ours, computed in order while reading. */
  sha256: string;
  /** Whether the store confirmed the whole content (false: a store that cannot tell). */
  verified: boolean;
  /** For a link store: where the file can be downloaded and until when. */
  link?: { url: string; expiresAt: string | undefined } | undefined;
}

export interface RemoteSession {
  /** The remote upload's id, for events and messages (no secret). */
  readonly id: string;
  /** The name and media type the store recorded (a resumed session keeps its own). */
  readonly fileName: string;
  readonly contentType: string;
  /** True when the session was continued (`Store.resume`), false when it was opened now. */
  readonly resumed: boolean;
  readonly plan: SegmentPlan;
  /** Parts the store already holds (resume); empty for a new session. */
  readonly held: ReadonlyMap<number, StoredPart>;
  /** What a later run needs to resume this session (journalled as is; no secrets). */
  state(): JsonValue;
  partRequest(part: PartToPut): PartRequest | Promise<PartRequest>;
  /** The URL of `version` expired: get a fresh one (shared by every part waiting on it). */
  refresh(version: number, step: StepContext): Promise<void>;
  /** Judges a 2xx answer: the part as stored, or 'damaged' when the store's digest differs from ours. */
  accept(part: PartToPut, etag: string | undefined): StoredPart | 'damaged';
  /**
   * Every part stored: complete and verify; either the parts to send again (the engine re-reads,
   * re-sends and calls complete again, a bounded number of rounds), or the stored file. A store
   * whose own digest of the whole file differs from ours throws an IntegrityError.
   */
  complete(parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }>;
  /** Best effort, never throws: remove what was stored. */
  abort(): Promise<void>;
}

/** A file a destination cannot take (too large, type or extension refused), known before any upload. */
export interface Refusal {
  error: UploadError;
}

export interface Store {
  readonly name: string;
  /** Checks before any request; undefined when the file fits. */
  refuses?(file: FileFacts): Refusal | undefined;
  open(file: FileFacts, step: StepContext): Promise<RemoteSession>;
  /**
   * Continues a journalled session; undefined when the remote side forgot it (start over).
   * `journalledParts`, when the caller has them, are the parts the journal recorded as stored: a
   * store may use them to recognise an upload it finished before the journal could record it.
   */
  resume(state: JsonValue, file: FileFacts, step: StepContext, journalledParts?: readonly StoredPart[]): Promise<RemoteSession | undefined>;
  /** Best effort, never throws: removes a journalled session that will not be continued (--restart). */
  discard(state: JsonValue): Promise<void>;
}

/** What the message says and carries. */
export interface Delivery {
  stored: StoredFile;
  /** Final text (a link message's text is built by the caller within `maxTextLength`). */
  text: string;
}

export interface Receipt {
  messageId: string;
  /** Anything else worth reporting (guest id, communication id…). */
  details?: Record<string, string> | undefined;
}

export interface Notifier {
  readonly name: string;
  /** The channel's text limit, for link messages: characters or UTF-8 bytes. */
  readonly maxText: { length: number; unit: 'characters' | 'bytes' };
  /**
   * The text limit of this very target when it depends on it (a conversation's SMS communication
   * takes 765 characters, not 2000); may ask the platform. Absent: `maxText`. A link message is
   * checked against it before the upload and built within it.
   */
  textLimit?(step: StepContext): Promise<{ length: number; unit: 'characters' | 'bytes'; label?: string | undefined }>;
  /**
   * Everything needed to send, prepared and safe to repeat (a guest, a communication id…). The
   * result is journalled before `send`.
   */
  prepare(delivery: Delivery, step: StepContext): Promise<JsonValue>;
  send(intent: JsonValue, delivery: Delivery, step: StepContext): Promise<Receipt>;
  /** Whether a failed `send` proves that no message was created (then nothing needs settling). */
  provablyNotSent(error: unknown): boolean;
  /** Whether a failed `send` says the intent went stale (an expired guest): prepare anew, send once more. */
  staleIntent(error: unknown): boolean;
  /**
   * Settles a send whose answer was lost: the receipt if the message exists, undefined if it
   * provably does not. A failure to ask (the network) throws, and the send stays unsettled for a
   * later run. Absent when the platform cannot tell: such a send is left `uncertain` (at most once).
   */
  find?(intent: JsonValue, delivery: Delivery, step: StepContext): Promise<Receipt | undefined>;
}

export interface Destination {
  /** Recorded in the journal and the job records ("genesys-files", "web-messaging", …). */
  readonly name: string;
  /** Human description of where it goes (no secret), for messages and the journal. */
  readonly description: string;
  /** Identifies the target for the journal's job key (org + client, deployment + guest…; no secret). */
  readonly targetKey: string;
  readonly store: Store;
  readonly notifier: Notifier;
  close(): Promise<void>;
}
