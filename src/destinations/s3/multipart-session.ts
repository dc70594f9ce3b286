/**
 * An S3 multipart upload as a seam session. Parts are PUT to pre-signed UploadPart URLs (signed
 * per attempt, the checksum a signed header) on the engine's own path; the ETags the store answers
 * (MD5s) are kept for completion. Complete lists every part's ETag and checksum in order, and the
 * composite checksum the store answers must be ours. A store without flexible checksums answers
 * none: the file is then "not verified by the store" (size checked), never a failure.
 */
import { IntegrityError, UploadError } from '../../errors/index.js';
import type { SegmentPlan } from '../../upload/plan.js';
import type { PartRequest, PartToPut, StepContext, StoredFile, StoredPart } from '../destination.js';
import { base64OfChecksum, bareEtag, compositeChecksum, multipartEtag } from './checksums.js';
import type { S3Connection } from './client.js';
import { headObject } from './head-object.js';
import { heldParts, listParts } from './list-parts.js';
import { ObjectSession } from './object-session.js';
import type { S3StoreOptions } from './options.js';
import { signUploadPart, type PartTarget } from './presign.js';

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

export class MultipartSession extends ObjectSession<MultipartState> {
  readonly #target: PartTarget;
  /** The composite checksum of an upload found already finished (finished-upload.ts): nothing to complete. */
  readonly #finished: string | undefined;

  constructor(
    connection: S3Connection,
    options: S3StoreOptions,
    state: MultipartState,
    plan: SegmentPlan,
    held: ReadonlyMap<number, StoredPart>,
    resumed: boolean,
    finished?: string,
  ) {
    const target = { bucket: state.bucket, key: state.key, uploadId: state.uploadId };
    super({
      connection,
      options,
      state,
      id: state.uploadId,
      plan,
      held,
      resumed,
      renew: async (signal) => {
        await listParts(connection, target, signal).catch(() => undefined);
      },
    });
    this.#target = target;
    this.#finished = finished;
  }

  async partRequest(part: PartToPut): Promise<PartRequest> {
    const version = this.urls.version;
    const { signer } = await this.connection.load();
    const signed = await signUploadPart(signer, this.#target, part.index + 1, part.checksumBase64, this.connection.now(), this.options.partUrlLifetimeSeconds);
    return { url: signed.url, headers: signed.headers, version };
  }

  async complete(parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
    const ordered = Array.from({ length: this.plan.chunks }, (_, i) => parts[i]);
    const unusable = ordered.flatMap((p, i) => (p === undefined || p.checksum === undefined || p.etag === undefined || p.etag === '' ? [i] : []));
    const checksums = ordered.map((p) => p?.checksum ?? '');
    if (this.#finished !== undefined) return this.#alreadyFinished(this.#finished, checksums, whole, step.signal);
    if (unusable.length > 0) return { resend: unusable };
    let answer;
    try {
      answer = await this.connection.control('complete the S3 multipart upload', step.signal, (client, sdk, o) =>
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
        const head = await headObject(this.connection, this.#target, step.signal);
        if (head?.size === whole.size && (head.checksum === undefined || head.checksum === compositeChecksum(checksums))) {
          this.completed = true;
          return { stored: await this.storedFile(whole, head.checksum, step.signal) };
        }
      }
      throw error;
    }
    this.completed = true;
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
      return { stored: await this.storedFile(whole, composite, step.signal) };
    }
    // No composite: not verified by the store. Its multipart ETag, when it gives one in S3's
    // `md5-N` form, must at least be the one its part ETags make (other stores answer other
    // forms — s3rver the whole object's MD5 — which we cannot check); the size must be ours.
    const expectedEtag = multipartEtag(ordered.map((p) => p?.etag));
    const etag = bareEtag(answer.ETag);
    if (/^[0-9a-f]{32}-\d+$/.test(etag) && expectedEtag !== undefined && etag !== expectedEtag) {
      throw new IntegrityError('integrity.etag_mismatch', `The S3 store's multipart ETag (${etag}) does not match its part ETags (${expectedEtag}). Send the file again.`);
    }
    await this.sizedHead(whole, step.signal);
    return { stored: await this.storedFile(whole, undefined, step.signal) };
  }

  async abort(): Promise<void> {
    if (this.completed) return;
    await abortMultipart(this.connection, this.#target);
  }

  /** After InvalidPart/BadDigest: the parts the store lacks or holds differently (all, if it cannot tell). */
  async #partsToResend(ordered: (StoredPart | undefined)[], signal: AbortSignal): Promise<number[]> {
    const listed = await listParts(this.connection, this.#target, signal);
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
    this.completed = true;
    return { stored: await this.storedFile(whole, composite, signal) };
  }
}

/** Best effort, never throws, never hangs a failed run (S3Connection.cleanup). */
export async function abortMultipart(connection: S3Connection, target: PartTarget): Promise<void> {
  await connection.cleanup('abort the multipart upload', (client, sdk, o) =>
    client.send(new sdk.AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId }), o),
  );
}
