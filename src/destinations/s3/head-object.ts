/**
 * HeadObject with `ChecksumMode: ENABLED`: the object's size and the checksum the store keeps for
 * it (a single PUT's SHA-256, or a multipart object's composite `…-N`); undefined when the store
 * holds no such object (404). A store without flexible checksums answers none: `checksum` is then
 * undefined, which says nothing about the bytes.
 */
import { UploadError } from '../../errors/index.js';
import type { S3Connection } from './client.js';

export interface HeadAnswer {
  size: number | undefined;
  /** base64 SHA-256, or a composite `base64-N`; undefined when the store keeps none. */
  checksum: string | undefined;
}

export interface ObjectTarget {
  bucket: string;
  key: string;
}

export async function headObject(connection: S3Connection, target: ObjectTarget, signal: AbortSignal | undefined): Promise<HeadAnswer | undefined> {
  try {
    const head = await connection.control('check the stored object', signal, (client, sdk, o) =>
      client.send(new sdk.HeadObjectCommand({ Bucket: target.bucket, Key: target.key, ChecksumMode: 'ENABLED' }), o),
    );
    return { size: head.ContentLength, checksum: head.ChecksumSHA256 === '' ? undefined : head.ChecksumSHA256 };
  } catch (error) {
    if (error instanceof UploadError && error.status === 404) return undefined;
    throw error;
  }
}
