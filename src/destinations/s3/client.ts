/**
 * The AWS SDK client for the control calls, built once per store. `WHEN_REQUIRED` checksums: the
 * SDK's default (`WHEN_SUPPORTED`) would add CRC32 trailers in `aws-chunked` bodies, which
 * S3-compatible stores such as Ceph RGW refuse (411 MissingContentLength); we send our SHA-256
 * explicitly. Path-style addressing with an endpoint. Credentials: explicit ones (library callers,
 * tests) or the SDK's default chain. The SDK retries control calls (standard mode: throttling,
 * 5xx, resets, clock skew corrected from the store's Date header).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { s3Error } from './errors.js';
import type { S3StoreOptions } from './options.js';

export function createS3Client(options: S3StoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials !== undefined && { credentials: { ...options.credentials } }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.controlAttempts,
    retryMode: 'standard',
  });
}

/** Our clock as the store sees it: the SDK keeps the offset it learnt from the store's Date header. */
export function storeNow(client: S3Client): Date {
  const offset = client.config.systemClockOffset;
  // Whole seconds: a SigV4 date has no fraction, so an expiry computed from this one is exact.
  return new Date(Math.floor((Date.now() + (typeof offset === 'number' ? offset : 0)) / 1000) * 1000);
}

/** One control call through the SDK; failures become UploadErrors saying what was being done. */
export async function control<T>(what: string, signal: AbortSignal | undefined, call: (options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
  try {
    return await call(signal === undefined ? {} : { abortSignal: signal });
  } catch (error) {
    throw s3Error(error, what, signal);
  }
}
