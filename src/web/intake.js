/**
 * The resumable intake of one file: a tus-js-client Upload to the service's /files/ endpoint.
 *
 * Resuming: tus-js-client keeps each unfinished upload's URL in localStorage under the file's
 * fingerprint (name, type, size, last-modified, endpoint). When the same file is chosen again after
 * a reload or a dropped connection, we continue that upload (a HEAD gets the offset the service
 * already holds) instead of starting over, provided the recipients and text are the same; a
 * finished upload's entry is removed (removeFingerprintOnSuccess).
 */
import { ChecksumHttpStack } from './checksum-stack.js';
import { jobIdFromUploadUrl } from './format.js';

export const CHUNK_SIZE = 8 * 1024 * 1024;
/** The creation's answer names the part size of a destination relayed while receiving. */
export const PART_SIZE_HEADER = 'Genesys-Upload-Part-Size';
/** tus-js-client's own retries of a failed request before it reports an error (milliseconds). */
export const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
/** Checksum mismatch: the chunk was damaged on the way; sending it again is the fix. */
const CHECKSUM_MISMATCH = 460;

/**
 * @param {object} options
 * @param {File} options.file
 * @param {Record<string, string>} options.metadata filename, filetype, to, text, language
 * @param {Record<string, string>} options.headers e.g. Authorization
 * @param {boolean} options.checksums send Upload-Checksum with every PATCH
 * @param {(sent: number, total: number) => void} options.onProgress
 * @param {(info: {jobId: string, resumed: boolean}) => void} options.onJob the job id is known
 * @param {(offset: number) => void} options.onResumed an earlier upload continues from offset
 * @param {(attempt: number, of: number) => void} [options.onRetry] a request failed and is tried again
 * @returns {Promise<{upload: any, done: Promise<{jobId: string}>}>}
 */
export async function startIntake(options) {
  const tus = window.tus;
  if (!tus?.isSupported) throw new Error('This browser cannot upload resumably (tus is not supported).');
  let upload;
  let previousUrl = null;
  let awaitingFirstProgress = false;
  const done = new Promise((resolve, reject) => {
    upload = new tus.Upload(options.file, {
      endpoint: new URL('/files/', window.location.href).href,
      chunkSize: CHUNK_SIZE,
      retryDelays: RETRY_DELAYS,
      metadata: options.metadata,
      headers: options.headers,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      ...(options.checksums ? { httpStack: new ChecksumHttpStack(tus.defaultOptions.httpStack) } : {}),
      onShouldRetry(error, attempt, uploadOptions) {
        const retry =
          error.originalResponse?.getStatus() === CHECKSUM_MISMATCH || tus.defaultOptions.onShouldRetry(error, attempt, uploadOptions);
        if (retry) options.onRetry?.(attempt + 1, RETRY_DELAYS.length);
        return retry;
      },
      onAfterResponse(request, response) {
        // Relaying while receiving, the service says its destination's part size at creation:
        // chunks of exactly that size let each chunk's checksum serve as the part's (no re-hash).
        if (request.getMethod() !== 'POST' && request.getMethod() !== 'HEAD') return;
        const partSize = Number(response.getHeader(PART_SIZE_HEADER));
        if (Number.isSafeInteger(partSize) && partSize > 0) upload.options.chunkSize = partSize;
      },
      onUploadUrlAvailable() {
        const resumed = previousUrl !== null && upload.url === previousUrl;
        awaitingFirstProgress = resumed;
        options.onJob({ jobId: jobIdFromUploadUrl(upload.url), resumed });
      },
      onProgress(sent, total) {
        // tus-js-client reports the offset the service already holds before sending the next chunk.
        if (awaitingFirstProgress) {
          awaitingFirstProgress = false;
          options.onResumed(sent);
        }
        options.onProgress(sent, total);
      },
      onSuccess() {
        resolve({ jobId: jobIdFromUploadUrl(upload.url) });
      },
      onError: reject,
    });
  });
  const previous = await matchingPreviousUpload(upload, options.metadata);
  if (previous) {
    previousUrl = previous.uploadUrl;
    upload.resumeFromPreviousUpload(previous);
  }
  upload.start();
  return { upload, done };
}

/** The newest earlier upload of this file with the same recipients, text and language, if any. */
async function matchingPreviousUpload(upload, metadata) {
  const previous = await upload.findPreviousUploads();
  const same = (entry) => ['filename', 'to', 'text', 'language'].every((key) => (entry.metadata?.[key] ?? '') === (metadata[key] ?? ''));
  const candidates = previous.filter((entry) => entry.uploadUrl && same(entry));
  candidates.sort((a, b) => String(b.creationTime).localeCompare(String(a.creationTime)));
  return candidates[0];
}

/** Unfinished uploads remembered in this browser (any file), newest first. */
export async function rememberedUploads() {
  const storage = window.tus?.defaultOptions?.urlStorage;
  if (!storage || !window.tus.canStoreURLs) return [];
  const all = await storage.findAllUploads();
  return all.filter((entry) => entry.uploadUrl).sort((a, b) => String(b.creationTime).localeCompare(String(a.creationTime)));
}

/** Forgets a remembered upload and asks the service to delete what it received (best effort). */
export async function discardRemembered(entry, headers) {
  const tus = window.tus;
  try {
    await tus.Upload.terminate(entry.uploadUrl, { headers, retryDelays: [] });
  } catch {
    // Already gone (expired or finished): forgetting it locally is all that is left to do.
  }
  await tus.defaultOptions.urlStorage.removeUpload(entry.urlStorageKey);
}
