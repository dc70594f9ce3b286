/**
 * The link a message carries: the configured public base URL + the object's key (a bucket behind a
 * CDN: no expiry of ours), or a pre-signed GetObject URL that lives the configured lifetime (at
 * most SigV4's 7 days). Either way the browser saves the file under its original name, from the
 * Content-Disposition stored with the object.
 */
import type { S3Connection } from './client.js';
import type { S3StoreOptions } from './options.js';
import { signGetObject } from './presign.js';
import { escapeKey } from './uri.js';

export interface ObjectLink {
  url: string;
  /** ISO 8601; undefined for a public base URL. */
  expiresAt: string | undefined;
}

export async function objectLink(
  connection: S3Connection,
  options: Pick<S3StoreOptions, 'publicBaseUrl' | 'linkLifetimeSeconds'>,
  object: { bucket: string; key: string },
  lifetimeSeconds = options.linkLifetimeSeconds,
): Promise<ObjectLink> {
  if (options.publicBaseUrl !== undefined) return { url: `${options.publicBaseUrl}/${escapeKey(object.key)}`, expiresAt: undefined };
  const { signer } = await connection.load();
  const at = connection.now();
  const url = await signGetObject(signer, object.bucket, object.key, at, lifetimeSeconds);
  return { url, expiresAt: new Date(at.getTime() + lifetimeSeconds * 1000).toISOString() };
}
