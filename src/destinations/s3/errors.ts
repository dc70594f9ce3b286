/**
 * AWS SDK failures as the project's errors: a stable code, the failure kind, the S3 `<Code>` as
 * remoteCode and the request id as contextId, and a message that names the setting to fix. Made
 * from the `<Code>` (S3-compatible stores often send an empty `<Message>`); never a secret, never a
 * signature (S3's SignatureDoesNotMatch body echoes the string it signed, which we do not repeat).
 */
import { AuthError, ConfigError, InterruptedError, RejectedError, TransientError, UploadError } from '../../errors/index.js';
import { NOT_SENT_ERROR_CODES } from '../../http/network-errors.js';
import { SETTING } from './options.js';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $retryable?: unknown;
}

/** The S3 `<Code>` (or the SDK's error name) of a failure. */
export function s3CodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkErrorShape;
  return e.Code ?? e.name;
}

const NETWORK_CODES = new Set([...NOT_SENT_ERROR_CODES, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'TimeoutError', 'RequestTimeout']);
const TRANSIENT_CODES = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeTooSkewed', 'Throttling', 'ThrottlingException', 'TooManyRequests']);

function clip(text: string | undefined): string | undefined {
  if (text === undefined || text === '' || text === 'UnknownError') return undefined;
  return text.replace(/X-Amz-Signature=[0-9a-f]+/gi, 'X-Amz-Signature=…').slice(0, 200);
}

/** Turns any failure of an SDK call into an UploadError; `what` says which step ("complete the upload"). */
export function s3Error(error: unknown, what: string, signal?: AbortSignal): UploadError {
  if (error instanceof UploadError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  if (signal?.aborted === true || e.name === 'AbortError') return new InterruptedError(undefined, { cause: signal?.reason ?? error });
  const code = s3CodeOf(error);
  const status = e.$metadata?.httpStatusCode;
  const options = {
    cause: error,
    ...(status !== undefined && { status }),
    ...(code !== undefined && { remoteCode: code }),
    ...(e.$metadata?.requestId !== undefined && { contextId: e.$metadata.requestId }),
  };
  const said = `S3 answered ${status === undefined ? '' : `HTTP ${status} `}${code ?? 'an error'}${clip(e.message) === undefined || e.message === code ? '' : `: ${clip(e.message)}`}`;
  switch (code) {
    case 'InvalidAccessKeyId':
      return new AuthError('auth.s3_access_key', `Could not ${what}: the S3 store does not know the access key id (${said}). Check ${SETTING.accessKeyId}.`, options);
    case 'SignatureDoesNotMatch':
      return new AuthError(
        'auth.s3_signature',
        `Could not ${what}: the request signature does not match (${code}). The secret access key is wrong for this access key id: check ${SETTING.secretAccessKey}.`,
        options,
      );
    case 'ExpiredToken':
    case 'InvalidToken':
    case 'TokenRefreshRequired':
      return new AuthError('auth.s3_token', `Could not ${what}: the temporary AWS credentials expired or are invalid (${said}). Renew them (AWS_SESSION_TOKEN, your SSO login or role).`, options);
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return new AuthError(
        'auth.s3_access_denied',
        `Could not ${what}: access denied (${said}). The credentials need s3:PutObject, s3:GetObject, s3:ListMultipartUploadParts and s3:AbortMultipartUpload on the bucket of ${SETTING.location}.`,
        options,
      );
    case 'CredentialsProviderError':
      return new AuthError(
        'auth.s3_no_credentials',
        `Could not ${what}: no AWS credentials were found. Set ${SETTING.accessKeyId} and ${SETTING.secretAccessKey}, or AWS_PROFILE, or run where a role provides them.`,
        options,
      );
    case 'NoSuchBucket':
      return new ConfigError('config.s3_bucket', `Could not ${what}: the bucket does not exist (${said}). Check ${SETTING.location}.`, options);
    case 'AuthorizationHeaderMalformed':
    case 'PermanentRedirect':
    case 'IllegalLocationConstraintException':
      return new ConfigError('config.s3_region', `Could not ${what}: the bucket is in another region or behind another endpoint (${said}). Check ${SETTING.region} and ${SETTING.endpoint}.`, options);
    case 'EntityTooSmall':
      return new RejectedError('s3.entity_too_small', `Could not ${what}: the store refused a part under its minimum size (${said}).`, options);
    case 'EntityTooLarge':
      return new RejectedError('rejected.too_large', `Could not ${what}: the store refused the size (${said}).`, options);
    default:
      break;
  }
  const networkCode = e.code ?? e.name;
  if (status === undefined && networkCode !== undefined && NETWORK_CODES.has(networkCode)) {
    return new TransientError('network.error', `Could not ${what}: the connection to the S3 store failed (${networkCode}). Check ${SETTING.endpoint} and the network.`, options);
  }
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || (status !== undefined && (status === 429 || status >= 500)) || (status === undefined && e.$fault === 'server')) {
    return new TransientError('storage.unavailable', `Could not ${what}: the S3 store kept failing (${said}); retries exhausted. Try again later (resumable).`, options);
  }
  if (status === undefined) {
    return new TransientError('network.error', `Could not ${what}: ${clip(e.message) ?? 'the request to the S3 store failed'}.`, options);
  }
  return new RejectedError('storage.rejected', `Could not ${what}: ${said}.`, options);
}
