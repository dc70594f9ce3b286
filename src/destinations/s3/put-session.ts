/**
 * A file that fits one part, as one PutObject (S3 verifies x-amz-checksum-sha256, 400 BadDigest
 * otherwise) on the engine's path; an empty file (no part at all) is put by the SDK at completion.
 * Completion asks HeadObject for the stored checksum: ours, or "not verified by the store" when it
 * keeps none.
 */
import { createHash } from 'node:crypto';
import type { SegmentPlan } from '../../upload/plan.js';
import type { PartRequest, PartToPut, StepContext, StoredFile, StoredPart } from '../destination.js';
import { base64OfChecksum, contentDisposition } from './checksums.js';
import type { S3Connection } from './client.js';
import { headObject } from './head-object.js';
import { ObjectSession } from './object-session.js';
import type { S3StoreOptions } from './options.js';
import { signPutObject } from './presign.js';

export interface PutState {
  kind: 'put';
  bucket: string;
  key: string;
  fileName: string;
  contentType: string;
  size: number;
}

export class PutSession extends ObjectSession<PutState> {
  constructor(connection: S3Connection, options: S3StoreOptions, state: PutState, plan: SegmentPlan, resumed: boolean) {
    super({
      connection,
      options,
      state,
      id: state.key,
      plan,
      held: new Map(),
      resumed,
      renew: async (signal) => {
        await headObject(connection, state, signal).catch(() => undefined);
      },
    });
  }

  async partRequest(part: PartToPut): Promise<PartRequest> {
    const checksum = { hex: part.checksum.replace(/^sha256:/, ''), base64: part.checksumBase64 };
    const { signer } = await this.connection.load();
    const signed = await signPutObject(signer, this.saved, checksum, this.connection.now(), this.options.partUrlLifetimeSeconds);
    return { url: signed.url, headers: signed.headers, version: this.urls.version };
  }

  async complete(_parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
    const { bucket, key } = this.saved;
    if (this.plan.chunks === 0) {
      const empty = createHash('sha256').digest();
      await this.connection.control('store the empty file', step.signal, (client, sdk, o) =>
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
    const theirs = (await this.sizedHead(whole, step.signal)).checksum;
    // A single PUT's checksum is the whole file's: a difference is damage after the check.
    if (theirs !== undefined && theirs !== base64OfChecksum(whole.sha256)) return { resend: [0] };
    this.completed = true;
    return { stored: await this.storedFile(whole, theirs, step.signal) };
  }

  /** Removes an object this session may have put (best effort): an unfinished send leaves nothing. */
  async abort(): Promise<void> {
    if (this.completed) return;
    const { bucket, key } = this.saved;
    await this.connection.cleanup('remove the unfinished object', (client, sdk, o) => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key }), o));
  }
}
