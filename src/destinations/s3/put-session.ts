/**
 * A file that fits one part, as one PutObject (S3 verifies x-amz-checksum-sha256, 400 BadDigest
 * otherwise) on the engine's path; an empty file (no part at all) is put by the SDK at completion.
 * Completion asks HeadObject for the stored checksum: ours, or "not verified by the store" when it
 * keeps none.
 */
import { createHash } from 'node:crypto';
import { IntegrityError } from '../../errors/index.js';
import type { SegmentPlan } from '../../upload/plan.js';
import type { JsonValue, PartRequest, PartToPut, RemoteSession, StepContext, StoredFile, StoredPart } from '../destination.js';
import { bareEtag, base64OfChecksum, contentDisposition } from './checksums.js';
import type { S3Connection } from './client.js';
import { headObject } from './head-object.js';
import { objectLink } from './link.js';
import type { S3StoreOptions } from './options.js';
import { signPutObject } from './presign.js';
import { UrlGeneration } from './url-generation.js';

export interface PutState {
  kind: 'put';
  bucket: string;
  key: string;
  fileName: string;
  contentType: string;
  size: number;
}

export class PutSession implements RemoteSession {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly resumed: boolean;
  readonly plan: SegmentPlan;
  readonly held: ReadonlyMap<number, StoredPart> = new Map();
  readonly #connection: S3Connection;
  readonly #options: S3StoreOptions;
  readonly #state: PutState;
  readonly #urls: UrlGeneration;
  #completed = false;

  constructor(connection: S3Connection, options: S3StoreOptions, state: PutState, plan: SegmentPlan, resumed: boolean) {
    this.#connection = connection;
    this.#options = options;
    this.#state = state;
    this.id = state.key;
    this.fileName = state.fileName;
    this.contentType = state.contentType;
    this.plan = plan;
    this.resumed = resumed;
    // Any signed call re-learns the store's clock (the SDK corrects its offset from the Date header).
    this.#urls = new UrlGeneration(async (signal) => {
      await headObject(connection, state, signal).catch(() => undefined);
    });
  }

  get key(): string {
    return this.#state.key;
  }

  state(): JsonValue {
    return { ...this.#state };
  }

  async partRequest(part: PartToPut): Promise<PartRequest> {
    const checksum = { hex: part.checksum.replace(/^sha256:/, ''), base64: part.checksumBase64 };
    const { signer } = await this.#connection.load();
    const signed = await signPutObject(signer, this.#state, checksum, this.#connection.now(), this.#options.partUrlLifetimeSeconds);
    return { url: signed.url, headers: signed.headers, version: this.#urls.version };
  }

  async refresh(version: number, step: StepContext): Promise<void> {
    if (!(await this.#urls.refresh(version, step.signal))) return;
    step.emit({ type: 'url-refreshed', expiresAt: new Date(this.#connection.now().getTime() + this.#options.partUrlLifetimeSeconds * 1000).toISOString() });
  }

  accept(part: PartToPut, etag: string | undefined): StoredPart | 'damaged' {
    return { index: part.index, size: part.length, checksum: part.checksum, etag: etag === undefined ? undefined : bareEtag(etag) };
  }

  async complete(_parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
    const { bucket, key } = this.#state;
    const ours = base64OfChecksum(whole.sha256);
    if (this.plan.chunks === 0) {
      const empty = createHash('sha256').digest();
      await this.#connection.control('store the empty file', step.signal, (client, sdk, o) =>
        client.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: Buffer.alloc(0),
            ContentLength: 0,
            ChecksumSHA256: empty.toString('base64'),
            ContentType: this.contentType,
            ContentDisposition: contentDisposition(this.fileName),
            Metadata: { sha256: empty.toString('hex') },
          }),
          o,
        ),
      );
    }
    const head = await this.#connection.control('check the stored object', step.signal, (client, sdk, o) => client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }), o));
    if (head.ContentLength !== whole.size) {
      throw new IntegrityError('integrity.size_mismatch', `The S3 store holds ${head.ContentLength ?? 'no'} bytes for the object, not the ${whole.size} we sent. Send the file again.`);
    }
    const theirs = head.ChecksumSHA256;
    const verified = theirs !== undefined && theirs !== '';
    if (verified && theirs !== ours) {
      // A single PUT's checksum is the whole file's: a difference is damage after the check.
      return { resend: [0] };
    }
    this.#completed = true;
    const link = await objectLink(this.#connection, this.#options, { bucket, key });
    return {
      stored: {
        ref: { bucket, key, ...(verified && { checksumSHA256: theirs }) },
        fileName: this.fileName,
        contentType: this.contentType,
        size: whole.size,
        sha256: whole.sha256,
        verified,
        link,
      },
    };
  }

  /** Removes an object this session may have put (best effort): an unfinished send leaves nothing. */
  async abort(): Promise<void> {
    if (this.#completed) return;
    const { bucket, key } = this.#state;
    await this.#connection.cleanup('remove the unfinished object', (client, sdk, o) => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }), o));
  }
}
