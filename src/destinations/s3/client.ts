/**
 * The AWS SDK client for the control calls, loaded and built on first use: importing
 * `@aws-sdk/client-s3` costs about 23 MiB of memory, which a process that configures a link store
 * but sends its file as an attachment never needs to pay. `WHEN_REQUIRED` checksums: the SDK's
 * default (`WHEN_SUPPORTED`) would add CRC32 trailers in `aws-chunked` bodies, which S3-compatible
 * stores such as Ceph RGW refuse (411 MissingContentLength); we send our SHA-256 explicitly.
 * Path-style addressing with an endpoint. Credentials: explicit ones (library callers, tests) or
 * the SDK's default chain. The SDK retries control calls (standard mode: throttling, 5xx, resets,
 * clock skew corrected from the store's Date header).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Error } from './errors.js';
import type { S3StoreOptions } from './options.js';
import { UrlSigner } from './signer.js';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** The longest a cleanup call may hold a run that already failed. */
export const CLEANUP_TIMEOUT_MS = 20_000;

let sdkLoading: Promise<S3Sdk> | undefined;

/** The SDK module, imported once per process on first use. */
export function loadS3Sdk(): Promise<S3Sdk> {
  sdkLoading ??= import('@aws-sdk/client-s3');
  return sdkLoading;
}

export async function createS3Client(options: S3StoreOptions): Promise<S3Client> {
  const { S3Client } = await loadS3Sdk();
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
export function storeNow(client: S3Client | undefined): Date {
  const offset = client?.config.systemClockOffset;
  // Whole seconds: a SigV4 date has no fraction, so an expiry computed from this one is exact.
  return new Date(Math.floor((Date.now() + (typeof offset === 'number' ? offset : 0)) / 1000) * 1000);
}

interface Loaded {
  client: S3Client;
  sdk: S3Sdk;
  signer: UrlSigner;
}

/** A store's connection: the SDK client and the URL signer, made on first use and shared by its sessions. */
export class S3Connection {
  readonly #options: S3StoreOptions;
  readonly #given: S3Client | undefined;
  #loading: Promise<Loaded> | undefined;
  #loaded: Loaded | undefined;
  #closed = false;

  constructor(options: S3StoreOptions, client?: S3Client) {
    this.#options = options;
    this.#given = client;
  }

  /** The SDK client, the SDK module and the signer (loading them the first time). */
  load(): Promise<Loaded> {
    this.#loading ??= (async () => {
      const sdk = await loadS3Sdk();
      const client = this.#given ?? (await createS3Client(this.#options));
      // A close that came while loading still destroys the client.
      if (this.#closed) client.destroy();
      this.#loaded = { client, sdk, signer: new UrlSigner(client) };
      return this.#loaded;
    })();
    return this.#loading;
  }

  async client(): Promise<S3Client> {
    return (await this.load()).client;
  }

  /** The store's clock (ours until the SDK has talked to the store). */
  now(): Date {
    return storeNow(this.#loaded?.client);
  }

  /** One control call through the SDK; failures become UploadErrors saying what was being done. */
  async control<T>(what: string, signal: AbortSignal | undefined, call: (client: S3Client, sdk: S3Sdk, options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      const { client, sdk } = await this.load();
      return await call(client, sdk, signal === undefined ? {} : { abortSignal: signal });
    } catch (error) {
      throw s3Error(error, what, signal);
    }
  }

  /**
   * A cleanup call (abort an upload, remove an unfinished object): best effort, never throws, and
   * never holds a failed run longer than CLEANUP_TIMEOUT_MS — the bucket's lifecycle rule is the
   * backstop.
   */
  async cleanup(what: string, call: (client: S3Client, sdk: S3Sdk, options: { abortSignal: AbortSignal }) => Promise<unknown>): Promise<void> {
    await this.control(what, undefined, (client, sdk) => call(client, sdk, { abortSignal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) })).catch(() => undefined);
  }

  close(): void {
    this.#closed = true;
    this.#loaded?.client.destroy();
  }
}
