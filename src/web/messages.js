/**
 * What went wrong, in plain words: intake errors (from tus-js-client, by HTTP status), API errors,
 * and a job's relay failure. Each message says what happened and what to do next.
 */
import { describeTypes, formatBytes } from './format.js';

/** Status of the response behind a tus-js-client DetailedError or an ApiError; 0 = no response. */
export function statusOf(error) {
  if (typeof error?.status === 'number') return error.status;
  return error?.originalResponse?.getStatus?.() ?? 0;
}

/** A short server-provided sentence from the response body, when there is one. */
function serverSaid(error) {
  const body = error?.originalResponse?.getBody?.() ?? '';
  if (typeof body !== 'string' || body === '') return '';
  try {
    const parsed = JSON.parse(body);
    const said = parsed?.message ?? parsed?.error?.message ?? parsed?.error;
    return typeof said === 'string' ? said : '';
  } catch {
    return body.length <= 200 && !/[<>]/.test(body) ? body.trim() : '';
  }
}

/**
 * @param {any} error from tus-js-client's onError (or thrown before the upload started)
 * @param {{maxSize?: number, allowedTypes?: string[]}} config from /api/config
 * @param {File} file
 */
export function explainIntakeError(error, config, file) {
  const status = statusOf(error);
  switch (status) {
    case 0:
      if (error instanceof TypeError || /tus:|network|xhr/i.test(String(error?.message))) {
        return 'The connection to the service was lost. Press Resume to continue from where the upload stopped.';
      }
      return String(error?.message ?? error);
    case 401:
    case 403:
      return 'The API key was not accepted. Check the key and try again.';
    case 404:
    case 410:
      return 'The service no longer has the earlier part of this upload (it may have expired). Send the file again to start over.';
    case 413:
      return config?.maxSize
        ? `The file is ${formatBytes(file.size)}, larger than the ${formatBytes(config.maxSize)} limit.`
        : 'The file is larger than the service accepts.';
    case 415:
      return `Files of type ${file.type || 'unknown'} are not accepted here. Accepted: ${describeTypes(config?.allowedTypes, 8)}.`;
    case 460:
      return 'Part of the file arrived damaged several times in a row. Check the network and press Resume.';
    case 429:
    case 503:
      return 'The service is busy right now. Wait a moment and press Resume.';
    default: {
      const said = serverSaid(error);
      return `The service refused the upload (HTTP ${status})${said ? `: ${said}` : '.'}`;
    }
  }
}

/** A failed job's error, as the service reported it. */
export function explainJobFailure(job) {
  const error = job?.error;
  const detail = error?.message ? ` ${error.message}` : '';
  const code = error?.code ? ` (${error.code})` : '';
  return `Delivery to Genesys Cloud failed.${detail}${code}`;
}

/** Errors from /api calls outside the upload itself. */
export function explainApiError(error) {
  const status = statusOf(error);
  if (status === 0) return 'The service could not be reached. Check that it is running, then reload the page.';
  if (status === 401 || status === 403) return 'The API key was not accepted. Check the key and try again.';
  if (status === 404) return 'The service does not know this job any more.';
  return error?.message ?? String(error);
}

/** Words for each job state, shown in the status badge. */
export const STATE_LABELS = {
  idle: 'Ready',
  receiving: 'Uploading to the service',
  queued: 'Waiting to be delivered',
  relaying: 'Delivering to Genesys Cloud',
  delivered: 'Delivered',
  failed: 'Failed',
  paused: 'Paused',
};
