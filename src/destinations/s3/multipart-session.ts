/**
 * An S3 multipart upload as a seam session. Parts are PUT to pre-signed UploadPart URLs (signed
 * per attempt, the checksum a signed header) on the engine's own path; the ETags the store answers
 * (MD5s) are kept for completion. Complete lists every part's ETag and checksum in order, and the
 * composite checksum the store answers must be ours. A store without flexible checksums answers
 * none: the file is then "not verified by the store" (size checked), never a failure.
 */
import { IntegrityError, UploadError } from '../../errors/index.js';
import type { SegmentPlan } from '../../upload/plan.js';
import type { JsonValue, PartRequest, PartToPut, RemoteSession, StepContext, StoredFile, StoredPart } from '../destination.js';
import { base64OfChecksum, bareEtag, compositeChecksum, multipartEtag } from './checksums.js';
import type { S3Connection } from './client.js';
import { headObject } from './head-object.js';
import { objectLink } from './link.js';
import { heldParts, listParts } from './list-parts.js';
import type { S3StoreOptions } from './options.js';
import { signUploadPart, type PartTarget } from './presign.js';
import { UrlGeneration } from './url-generation.js';

/** What a later run needs to resume (journalled; no secret). */
export interface MultipartState {
  kind: 'multipart';
  bucket: string;
  key: string;
  uploadId: string;
  fileName: string;
  contentType: string;
  size: number;
  partSize: number;
}

export class MultipartSession implements RemoteSession {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly resumed: boolean;
  readonly plan: SegmentPlan;
  readonly held: ReadonlyMap<number, StoredPart>;
  readonly #connection: S3Connection;
  readonly #options: S3StoreOptions;
  readonly #state: MultipartState;
  readonly #target: PartTarget;
  readonly #urls: UrlGeneration;
  /** The composite checksum of an upload found already finished (finished-upload.ts): nothing to complete. */
  readonly #finished: string | undefined;
  #completed = false;

  constructor(
    connection: S3Connection,
    options: S3StoreOptions,
    state: MultipartState,
    plan: SegmentPlan,
    held: ReadonlyMap<number, StoredPart>,
    resumed: boolean,
    finished?: string,
  ) {
    this.#connection = connection;
    this.#finished = finished;
    this.#options = options;
    this.#state = state;
    this.#target = { bucket: state.bucket, key: state.key, uploadId: state.uploadId };
    this.id = state.uploadId;
    this.fileName = state.fileName;
    this.contentType = state.contentType;
    this.plan = plan;
    this.held = held;
    this.resumed = resumed;
    // A refresh re-learns the store's clock (any signed call does: the SDK corrects its offset
    // from the Date header), so that the next signatures are dated as the store counts time.
    this.#urls = new UrlGeneration(async (signal) => {
      await listParts(connection, this.#target, signal).catch(() => undefined);
    });
  }

  get key(): string {
    return this.#state.key;
  }

  state(): JsonValue {
    return { ...this.#state };
  }

  async partRequest(part: PartToPut): Promise<PartRequest> {
    const version = this.#urls.version;
    const { signer } = await this.#connection.load();
    const signed = await signUploadPart(signer, this.#target, part.index + 1, part.checksumBase64, this.#connection.now(), this.#options.partUrlLifetimeSeconds);
    return { url: signed.url, headers: signed.headers, version };
  }

  async refresh(version: number, step: StepContext): Promise<void> {
    if (!(await this.#urls.refresh(version, step.signal))) return;
    const expiresAt = new Date(this.#connection.now().getTime() + this.#options.partUrlLifetimeSeconds * 1000).toISOString();
    step.emit({ type: 'url-refreshed', expiresAt });
  }

  accept(part: PartToPut, etag: string | undefined): StoredPart | 'damaged' {
    // The ETag is the MD5 of what the store received, which we do not compute: the store itself
    // checked the bytes against x-amz-checksum-sha256 (or answered BadDigest). Keep it for Complete.
    return { index: part.index, size: part.length, checksum: part.checksum, etag: etag === undefined ? undefined : bareEtag(etag) };
  }

  async complete(parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
    const ordered = Array.from({ length: this.plan.chunks }, (_, i) => parts[i]);
    const unusable = ordered.flatMap((p, i) => (p === undefined || p.checksum === undefined || p.etag === undefined || p.etag === '' ? [i] : []));
    const checksums = ordered.map((p) => p?.checksum ?? '');
    if (this.#finished !== undefined) return this.#alreadyFinished(this.#finished, checksums, whole, step.signal);
    if (unusable.length > 0) return { resend: unusable };
    let answer;
    try {
      answer = await this.#connection.control('complete the S3 multipart upload', step.signal, (client, sdk, o) =>
        client.send(
          new sdk.CompleteMultipartUploadCommand({
            Bucket: this.#target.bucket,
            Key: this.#target.key,
            UploadId: this.#target.uploadId,
            MultipartUpload: { Parts: ordered.map((p, i) => ({ PartNumber: i + 1, ETag: `"${p?.etag ?? ''}"`, ChecksumSHA256: base64OfChecksum(checksums[i] ?? '') })) },
          }),
          o,
        ),
      );
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      if (error.remoteCode === 'InvalidPart' || error.remoteCode === 'BadDigest' || error.remoteCode === 'InvalidPartOrder') {
        return { resend: await this.#partsToResend(ordered, step.signal) };
      }
      // A Complete whose answer was lost and that the SDK repeated: the store already made the
      // object — ours when its size is, and its composite checksum too when the store keeps one.
      if (error.remoteCode === 'NoSuchUpload') {
        const head = await headObject(this.#connection, this.#target, step.signal);
        if (head?.size === whole.size && (head.checksum === undefined || head.checksum === compositeChecksum(checksums))) {
          this.#completed = true;
          return { stored: await this.#stored(whole, head.checksum, step.signal) };
        }
      }
      throw error;
    }
    this.#completed = true;
    const composite = answer.ChecksumSHA256;
    if (composite !== undefined && composite !== '') {
      const ours = composite.includes('-') ? compositeChecksum(checksums) : base64OfChecksum(whole.sha256);
      if (composite !== ours) {
        throw new IntegrityError(
          'integrity.composite_mismatch',
          `The S3 store's checksum of the object (${composite}) is not ours (${ours}): it holds different bytes than we sent. Send the file again.`,
          { details: { key: this.#target.key, store: composite, ours } },
        );
      }
      return { stored: await this.#stored(whole, composite, step.signal) };
    }
    // No composite: not verified by the store. Its multipart ETag, when it gives one in S3's
    // `md5-N` form, must at least be the one its part ETags make (other stores answer other
    // forms — s3rver the whole object's MD5 — which we cannot check); the size must be ours.
    const expectedEtag = multipartEtag(ordered.map((p) => p?.etag));
    const etag = bareEtag(answer.ETag);
    if (/^[0-9a-f]{32}-\d+$/.test(etag) && expectedEtag !== undefined && etag !== expectedEtag) {
      throw new IntegrityError('integrity.etag_mismatch', `The S3 store's multipart ETag (${etag}) does not match its part ETags (${expectedEtag}). Send the file again.`);
    }
    const size = (await headObject(this.#connection, this.#target, step.signal))?.size;
    if (size !== whole.size) {
      throw new IntegrityError('integrity.size_mismatch', `The S3 store holds ${size ?? 'no'} bytes for the object, not the ${whole.size} we sent. Send the file again.`);
    }
    return { stored: await this.#stored(whole, undefined, step.signal) };
  }

  async abort(): Promise<void> {
    if (this.#completed) return;
    await abortMultipart(this.#connection, this.#target);
  }

  /** After InvalidPart/BadDigest: the parts the store lacks or holds differently (all, if it cannot tell). */
  async #partsToResend(ordered: (StoredPart | undefined)[], signal: AbortSignal): Promise<number[]> {
    const listed = await listParts(this.#connection, this.#target, signal);
    const held = listed === undefined ? new Map<number, StoredPart>() : heldParts(this.plan, listed);
    const differ = ordered.flatMap((ours, i) => {
      const theirs = held.get(i);
      const same = ours !== undefined && theirs !== undefined && (theirs.checksum === undefined || theirs.checksum === ours.checksum) && theirs.etag === ours.etag;
      return same ? [] : [i];
    });
    return differ.length > 0 ? differ : ordered.map((_, i) => i);
  }

  /** Completion of an upload found finished on resume: the parts the engine checked against the file make the store's composite. */
  async #alreadyFinished(composite: string, checksums: string[], whole: { sha256: string; size: number }, signal: AbortSignal): Promise<{ stored: StoredFile }> {
    const ours = compositeChecksum(checksums);
    if (ours !== composite) {
      throw new IntegrityError(
        'integrity.composite_mismatch',
        `The S3 object of the finished upload (${composite}) is not the file as it is now (${ours}). Send the file again (--restart).`,
        { details: { key: this.#target.key, store: composite, ours } },
      );
    }
    this.#completed = true;
    return { stored: await this.#stored(whole, composite, signal) };
  }

  async #stored(whole: { sha256: string; size: number }, composite: string | undefined, signal: AbortSignal): Promise<StoredFile> {
    signal.throwIfAborted();
    const link = await objectLink(this.#connection, this.#options, { bucket: this.#target.bucket, key: this.#target.key });
    return {
      ref: { bucket: this.#target.bucket, key: this.#target.key, ...(composite !== undefined && { checksumSHA256: composite }) },
      fileName: this.fileName,
      contentType: this.contentType,
      size: whole.size,
      sha256: whole.sha256,
      verified: composite !== undefined,
      link,
    };
  }
}

/** Best effort, never throws, never hangs a failed run (S3Connection.cleanup). */
export async function abortMultipart(connection: S3Connection, target: PartTarget): Promise<void> {
  await connection.cleanup('abort the multipart upload', (client, sdk, o) =>
    client.send(new sdk.AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId }), o),
  );
}
