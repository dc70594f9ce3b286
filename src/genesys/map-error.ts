/**
 * Turns an {api} error response into the UploadError a user can act on (PROTOCOL.md §0, §1, §2).
 * Messages say what happened and what to do; they quote the server's message (which holds no
 * secrets of ours) but never a token or a pre-signed URL.
 */
import { AuthError, RejectedError, TransientError, UploadError, type UploadErrorOptions } from '../errors/index.js';
import type { RemoteError } from './error-body.js';

export interface ApiErrorContext {
  /** What we tried to do, as a verb phrase: "initiate the upload". */
  what: string;
  /** The file size, for 413. */
  fileSize?: number | undefined;
  /** The declared media type, for 415. */
  contentType?: string | undefined;
}

/** Permission names in a Genesys message, e.g. "files:upload" or "conversation:message:create". */
const PERMISSION = /\b[a-z][a-zA-Z]*(?::[a-zA-Z*]+){1,3}\b/;

/** The first permission name a platform message mentions, if any. */
export const permissionIn = (message: string | undefined): string | undefined => (message === undefined ? undefined : PERMISSION.exec(message)?.[0]);

/** What an error keeps of the platform's answer: the status, its code, context id and details. */
export function remoteErrorOptions(status: number, remote: RemoteError): UploadErrorOptions {
  return {
    status,
    ...(remote.code !== undefined && { remoteCode: remote.code }),
    ...(remote.contextId !== undefined && { contextId: remote.contextId }),
    ...(remote.details !== undefined && { details: remote.details }),
  };
}

export function apiError(status: number, remote: RemoteError, context: ApiErrorContext): UploadError {
  const options = remoteErrorOptions(status, remote);
  const said = remote.message === undefined ? '' : ` The service said: ${remote.message}`;
  const code = remote.code === undefined ? '' : ` ${remote.code}`;
  if (status === 401) {
    return new AuthError(
      'auth.bad_credentials',
      `Could not ${context.what}: the API rejected the access token (HTTP 401${code}) even after a fresh one was fetched. ` +
        'Check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET and that the OAuth client is active in this org.',
      options,
    );
  }
  if (status === 403) {
    if (remote.code === 'missing.permissions') {
      const permission = permissionIn(remote.message);
      const which = permission === undefined ? 'a required permission' : `the permission ${permission}`;
      return new AuthError(
        'auth.missing_permission',
        `Could not ${context.what}: the OAuth client lacks ${which}. Add ${permission ?? 'it'} to the OAuth client's role ` +
          `in Genesys Cloud Admin (Integrations > OAuth > your client > Roles), then try again.${said}`,
        { ...options, details: remote.details ?? (permission === undefined ? undefined : { permission }) },
      );
    }
    return new AuthError('auth.forbidden', `Could not ${context.what}: access denied (HTTP 403${code}).${said}`, options);
  }
  if (status === 413) {
    const size = context.fileSize === undefined ? 'the file' : `the file (${context.fileSize} bytes)`;
    return new RejectedError(
      'rejected.too_large',
      `Could not ${context.what}: ${size} is larger than the org accepts.${said || ' The org limits the file size and the number of chunks.'}`,
      options,
    );
  }
  if (status === 415) {
    const type = context.contentType === undefined ? 'the content type' : `the content type ${context.contentType}`;
    return new RejectedError(
      'rejected.content_type',
      `Could not ${context.what}: ${type} is not allowed by the org's content profile (HTTP 415${code}). ` +
        'Pass --content-type with an allowed type (for example application/octet-stream), or ask your Genesys Cloud admin to allow this one.',
      options,
    );
  }
  if (status === 429) {
    return new TransientError('api.rate_limited', `Could not ${context.what}: the API rate limit was exceeded (HTTP 429).${said}`, options);
  }
  if (status >= 500) {
    return new TransientError('api.server_error', `Could not ${context.what}: the service failed (HTTP ${status}${code}).${said}`, options);
  }
  return new RejectedError('api.rejected', `Genesys Cloud refused to ${context.what}: HTTP ${status}${code}.${said}`, options);
}
