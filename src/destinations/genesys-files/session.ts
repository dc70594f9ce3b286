/**
 * A remote upload of the tutorial's Files API (PROTOCOL.md §3-§5) as a seam session: each part is
 * PUT to the shared pre-signed URL with its Content-Range, the declared Content-Type and its
 * x-amz-checksum-sha256; an expired URL is replaced through the status call; complete sends the
 * ordered checksums and lists what must be sent again; the server's whole-file SHA-256 must be
 * ours. Its journalled state is the upload id alone (the URL is fetched fresh on resume).
 */
import { IntegrityError, RejectedError } from '../../errors/index.js';
import { resolveRetryPolicy } from '../../http/retry-policy.js';
import type { GenesysClient } from '../../relay/genesys-client.js';
import type { SegmentPlan } from '../../upload/plan.js';
import type { JsonValue, PartRequest, PartToPut, RemoteSession, StepContext, StoredFile, StoredPart } from '../destination.js';
import { callOptionsOf } from './call-options.js';
import { PresignedUrl } from './presigned-url.js';

const CLEANUP_RETRY = resolveRetryPolicy({ limit: 2, baseDelayMs: 250, maxDelayMs: 2000, maxRetryAfterMs: 5000, budgetMs: 15_000 });
const CLEANUP_TIMEOUT_MS = 20_000;

/** The journalled state of a session. */
export interface FilesSessionState {
  uploadId: string;
}

export function sessionStateOf(state: JsonValue): FilesSessionState | undefined {
  const uploadId = typeof state === 'object' && state !== null && !Array.isArray(state) ? state.uploadId : undefined;
  return typeof uploadId === 'string' && uploadId !== '' ? { uploadId } : undefined;
}

/**
 * Best-effort abort of a remote upload (PROTOCOL.md §4 DELETE). It must not hang a failed run: a
 * short retry policy and a deadline. Its own failure is swallowed: the upload expires on the
 * server anyway, and the user needs the first error, not this one.
 */
export async function abortRemoteUpload(client: GenesysClient, uploadId: string): Promise<void> {
  await client.abort(uploadId, { retry: CLEANUP_RETRY, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) }).catch(() => undefined);
}

export interface FilesSessionInit {
  uploadId: string;
  presignedUrl: string;
  fileName: string;
  contentType: string;
  plan: SegmentPlan;
  held: ReadonlyMap<number, StoredPart>;
  resumed: boolean;
}

function listedIndexes(error: RejectedError, chunks: number): number[] {
  const details = Array.isArray(error.details) ? (error.details as Array<{ index: number }>) : [];
  const indexes = [...new Set(details.map((d) => d.index))].sort((a, b) => a - b);
  if (indexes.length === 0 || indexes.some((i) => i >= chunks)) {
    throw new RejectedError(
      error.code,
      `${error.message} The server did not say which segments (or named segments that do not exist), so they cannot be re-sent.`,
      { status: error.status, remoteCode: error.remoteCode, contextId: error.contextId, details: error.details },
    );
  }
  return indexes;
}

export class FilesSession implements RemoteSession {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly resumed: boolean;
  readonly plan: SegmentPlan;
  readonly held: ReadonlyMap<number, StoredPart>;
  readonly #client: GenesysClient;
  readonly #url: PresignedUrl;
  /** Set once complete answered: the server holds the file, there is nothing left to abort. */
  #completed = false;

  constructor(client: GenesysClient, init: FilesSessionInit) {
    this.#client = client;
    this.id = init.uploadId;
    this.fileName = init.fileName;
    this.contentType = init.contentType;
    this.resumed = init.resumed;
    this.plan = init.plan;
    this.held = init.held;
    this.#url = new PresignedUrl(init.presignedUrl);
  }

  state(): JsonValue {
    return { uploadId: this.id };
  }

  partRequest(part: PartToPut): PartRequest {
    const { url, version } = this.#url.current;
    const end = part.start + part.length - 1;
    return {
      url,
      version,
      headers: {
        'content-range': `bytes ${part.start}-${end}/${this.plan.totalSize}`,
        'content-type': this.contentType,
        'x-amz-checksum-sha256': part.checksumBase64,
      },
    };
  }

  refresh(version: number, step: StepContext): Promise<void> {
    return this.#url.refresh(
      version,
      () => this.#client.status(this.id, callOptionsOf(step)),
      (expiresAt) => step.emit({ type: 'url-refreshed', expiresAt }),
    );
  }

  accept(part: PartToPut, etag: string | undefined): StoredPart | 'damaged' {
    // The storage's ETag is the hex SHA-256 of what it stored (PROTOCOL.md §3).
    if (etag !== undefined && etag !== part.checksum.slice('sha256:'.length)) return 'damaged';
    return { index: part.index, size: part.length, checksum: part.checksum, etag };
  }

  async complete(parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
    let result;
    try {
      const checksums = Array.from({ length: this.plan.chunks }, (_, i) => parts[i]?.checksum ?? '');
      result = await this.#client.complete(this.id, { checksums, contentType: this.contentType }, callOptionsOf(step));
      this.#completed = true;
    } catch (error) {
      const listing = error instanceof RejectedError && (error.code === 'upload.checksum_mismatch' || error.code === 'upload.incomplete');
      if (!listing) throw error;
      return { resend: listedIndexes(error, this.plan.chunks) };
    }
    if (result.sha256 !== whole.sha256 || result.size !== whole.size) {
      throw new IntegrityError(
        'integrity.sha256_mismatch',
        `The server stored a different file: its SHA-256 is ${result.sha256} (${result.size} bytes), ours is ${whole.sha256} (${whole.size} bytes).`,
        { details: { fileId: result.fileId, serverSha256: result.sha256, sha256: whole.sha256 } },
      );
    }
    return {
      stored: { ref: result.fileId, fileName: this.fileName, contentType: this.contentType, size: whole.size, sha256: whole.sha256, verified: true },
    };
  }

  abort(): Promise<void> {
    if (this.#completed) return Promise.resolve();
    return abortRemoteUpload(this.#client, this.id);
  }
}
