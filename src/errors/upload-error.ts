/**
 * The error classes of the project. Every error that reaches a user is an `UploadError` with a
 * stable `code` and a failure `kind`, which the CLI maps to its exit status and the service to a
 * job's error class. Messages say what happened, why, and what to do (the tone of the tutorial's
 * "Common Errors" section). They never contain secrets or pre-signed URL signatures.
 */

/** The failure classes a user (or a script) can act on differently. */
export type FailureKind =
  | 'usage' // bad flags, bad configuration, unreadable input file
  | 'auth' // authentication or permission
  | 'rejected' // the platform refused the request (4xx other than auth)
  | 'integrity' // the bytes are not what we meant to send
  | 'transient' // retries exhausted on 429/5xx/network errors
  | 'interrupted' // aborted by the user (Ctrl-C) or an AbortSignal
  | 'internal'; // a bug or an unexpected answer

export interface UploadErrorOptions {
  cause?: unknown;
  /** HTTP status of the response that caused it, if any. */
  status?: number;
  /** Genesys error-body `code` or S3 `<Code>`, if any. */
  remoteCode?: string;
  /** Genesys `contextId` / `ININ-Correlation-Id` or S3 `RequestId`, for support tickets. */
  contextId?: string;
  /** Structured details from the response (e.g. checksum.mismatch entries). */
  details?: unknown;
}

export class UploadError extends Error {
  override readonly name: string = 'UploadError';
  readonly code: string;
  readonly kind: FailureKind;
  readonly status: number | undefined;
  readonly remoteCode: string | undefined;
  readonly contextId: string | undefined;
  readonly details: unknown;

  constructor(kind: FailureKind, code: string, message: string, options: UploadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.status = options.status;
    this.remoteCode = options.remoteCode;
    this.contextId = options.contextId;
    this.details = options.details;
  }

  /** A JSON-safe view for `--json` output, logs and job records. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      code: this.code,
      message: this.message,
      ...(this.status !== undefined && { status: this.status }),
      ...(this.remoteCode !== undefined && { remoteCode: this.remoteCode }),
      ...(this.contextId !== undefined && { contextId: this.contextId }),
      ...(this.details !== undefined && { details: this.details }),
    };
  }
}

export class ConfigError extends UploadError {
  override readonly name = 'ConfigError';
  constructor(code: string, message: string, options?: UploadErrorOptions) {
    super('usage', code, message, options);
  }
}

export class AuthError extends UploadError {
  override readonly name = 'AuthError';
  constructor(code: string, message: string, options?: UploadErrorOptions) {
    super('auth', code, message, options);
  }
}

export class RejectedError extends UploadError {
  override readonly name = 'RejectedError';
  constructor(code: string, message: string, options?: UploadErrorOptions) {
    super('rejected', code, message, options);
  }
}

export class IntegrityError extends UploadError {
  override readonly name = 'IntegrityError';
  constructor(code: string, message: string, options?: UploadErrorOptions) {
    super('integrity', code, message, options);
  }
}

export class TransientError extends UploadError {
  override readonly name = 'TransientError';
  constructor(code: string, message: string, options?: UploadErrorOptions) {
    super('transient', code, message, options);
  }
}

export class InterruptedError extends UploadError {
  override readonly name = 'InterruptedError';
  constructor(message = 'The upload was interrupted.', options?: UploadErrorOptions) {
    super('interrupted', 'interrupted', message, options);
  }
}

export class InternalError extends UploadError {
  override readonly name = 'InternalError';
  constructor(code: string, message: string, options?: UploadErrorOptions) {
    super('internal', code, message, options);
  }
}
