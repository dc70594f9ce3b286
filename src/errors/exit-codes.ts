import { UploadError, type FailureKind } from './upload-error.js';

/**
 * Exit status of the CLI by failure class. Stable: scripts depend on them, and the README lists
 * them. 130 is the shell convention for "terminated by SIGINT".
 */
export const EXIT_CODES: Readonly<Record<'ok' | FailureKind, number>> = Object.freeze({
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  rejected: 4,
  integrity: 5,
  transient: 6,
  interrupted: 130,
});

export function exitCodeFor(error: unknown): number {
  if (error instanceof UploadError) return EXIT_CODES[error.kind];
  return EXIT_CODES.internal;
}
