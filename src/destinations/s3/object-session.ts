/**
 * What the S3 store's two sessions share (multipart-session.ts, put-session.ts): the object they
 * write and their journalled state, the generation of their pre-signed URLs, how a part's 2xx
 * answer is kept, the check of the stored object's size, and the stored file with its link.
 */
import { IntegrityError } from '../../errors/index.js';
import type { SegmentPlan } from '../../upload/plan.js';
import type { JsonValue, PartRequest, PartToPut, RemoteSession, StepContext, StoredFile, StoredPart } from '../destination.js';
import { bareEtag } from './checksums.js';
import type { S3Connection } from './client.js';
import { headObject, type HeadAnswer } from './head-object.js';
import { objectLink } from './link.js';
import type { S3StoreOptions } from './options.js';
import { UrlGeneration } from './url-generation.js';

/** The journalled state every session has (no secret). */
export interface ObjectState {
  bucket: string;
  key: string;
  fileName: string;
  contentType: string;
  size: number;
}

export interface SessionBasics<S extends ObjectState> {
  connection: S3Connection;
  options: S3StoreOptions;
  state: S;
  /** The remote upload's id for events and messages. */
  id: string;
  plan: SegmentPlan;
  held: ReadonlyMap<number, StoredPart>;
  resumed: boolean;
  /**
   * Renews the part URLs: any signed call re-learns the store's clock (the SDK corrects its offset
   * from the Date header), so that the next signatures are dated as the store counts time.
   */
  renew: (signal: AbortSignal) => Promise<void>;
}

export abstract class ObjectSession<S extends ObjectState> implements RemoteSession {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly resumed: boolean;
  readonly plan: SegmentPlan;
  readonly held: ReadonlyMap<number, StoredPart>;
  protected readonly connection: S3Connection;
  protected readonly options: S3StoreOptions;
  protected readonly saved: S;
  protected readonly urls: UrlGeneration;
  protected completed = false;

  constructor(basics: SessionBasics<S>) {
    this.connection = basics.connection;
    this.options = basics.options;
    this.saved = basics.state;
    this.id = basics.id;
    this.fileName = basics.state.fileName;
    this.contentType = basics.state.contentType;
    this.plan = basics.plan;
    this.held = basics.held;
    this.resumed = basics.resumed;
    this.urls = new UrlGeneration(basics.renew);
  }

  get key(): string {
    return this.saved.key;
  }

  state(): JsonValue {
    return { ...this.saved } as unknown as JsonValue;
  }

  abstract partRequest(part: PartToPut): Promise<PartRequest>;
  abstract complete(parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }>;
  abstract abort(): Promise<void>;

  async refresh(version: number, step: StepContext): Promise<void> {
    if (!(await this.urls.refresh(version, step.signal))) return;
    step.emit({ type: 'url-refreshed', expiresAt: new Date(this.connection.now().getTime() + this.options.partUrlLifetimeSeconds * 1000).toISOString() });
  }

  accept(part: PartToPut, etag: string | undefined): StoredPart | 'damaged' {
    // The ETag is the MD5 of what the store received, which we do not compute: the store itself
    // checked the bytes against x-amz-checksum-sha256 (or answered BadDigest). Kept for Complete.
    return { index: part.index, size: part.length, checksum: part.checksum, etag: etag === undefined ? undefined : bareEtag(etag) };
  }

  /** HeadObject of the object, whose size must be the file's (else an IntegrityError). */
  protected async sizedHead(whole: { size: number }, signal: AbortSignal): Promise<HeadAnswer> {
    const head = await headObject(this.connection, this.saved, signal);
    if (head?.size !== whole.size) {
      throw new IntegrityError('integrity.size_mismatch', `The S3 store holds ${head?.size ?? 'no'} bytes for the object, not the ${whole.size} we sent. Send the file again.`);
    }
    return head;
  }

  /** The stored file and its link; `checksum` is the store's own (undefined: not verified by the store). */
  protected async storedFile(whole: { sha256: string; size: number }, checksum: string | undefined, signal: AbortSignal): Promise<StoredFile> {
    signal.throwIfAborted();
    const { bucket, key } = this.saved;
    const link = await objectLink(this.connection, this.options, { bucket, key });
    return {
      ref: { bucket, key, ...(checksum !== undefined && { checksumSHA256: checksum }) },
      fileName: this.fileName,
      contentType: this.contentType,
      size: whole.size,
      sha256: whole.sha256,
      verified: checksum !== undefined,
      link,
    };
  }
}
