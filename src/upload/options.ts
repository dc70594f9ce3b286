/**
 * The options of one upload, their defaults (declared once) and their validation. A bad option
 * throws a ConfigError naming the option and what is allowed.
 */
import { ConfigError } from '../errors/index.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import type { UploadEventListener } from './events.js';

export interface UploadFileOptions {
  filePath: string;
  /** Media type to declare; default: guessed from the extension. */
  contentType?: string | undefined;
  /** Name to upload under (sanitised); default: the file's own name. */
  fileName?: string | undefined;
  /** Segments in flight at once; default 4, 1..32. */
  concurrency?: number | undefined;
  /** Hard cap on storage requests per second. */
  maxRps?: number | undefined;
  /** Leave the remote upload in place when the upload fails (default: abort it). */
  keepOnError?: boolean | undefined;
  /** Overrides of the client's retry policy for this upload. */
  retry?: Partial<RetryPolicy> | undefined;
  /** Refuse files above this many bytes before contacting the server (the org's known limit). */
  maxFileSize?: number | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: UploadEventListener | undefined;
}

export const UPLOAD_DEFAULTS = Object.freeze({ concurrency: 4, keepOnError: false });
export const MAX_CONCURRENCY = 32;

export interface ValidUploadOptions {
  concurrency: number;
  maxRps: number | undefined;
  keepOnError: boolean;
  maxFileSize: number | undefined;
}

export function validateUploadOptions(options: UploadFileOptions): ValidUploadOptions {
  if (typeof options.filePath !== 'string' || options.filePath === '') {
    throw new ConfigError('config.file', 'filePath: give the path of the file to upload.');
  }
  const concurrency = options.concurrency ?? UPLOAD_DEFAULTS.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new ConfigError('config.concurrency', `concurrency must be an integer from 1 to ${MAX_CONCURRENCY}; got ${String(concurrency)}.`);
  }
  const { maxRps, maxFileSize } = options;
  if (maxRps !== undefined && !(Number.isFinite(maxRps) && maxRps > 0)) {
    throw new ConfigError('config.max_rps', `maxRps must be a number above 0; got ${String(maxRps)}.`);
  }
  if (maxFileSize !== undefined && !(Number.isSafeInteger(maxFileSize) && maxFileSize >= 1)) {
    throw new ConfigError('config.max_file_size', `maxFileSize must be a whole number of bytes >= 1; got ${String(maxFileSize)}.`);
  }
  return { concurrency, maxRps, keepOnError: options.keepOnError ?? UPLOAD_DEFAULTS.keepOnError, maxFileSize };
}
