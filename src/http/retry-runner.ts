/**
 * Runs one operation under a retry policy: classifies each failure, asks the pure `decideRetry`,
 * reports the retry, waits (abortably), and tries again; or turns the last failure into the error
 * the user sees. An aborted signal always ends the loop with an InterruptedError.
 */
import { InterruptedError, TransientError, UploadError } from '../errors/index.js';
import type { Clock, Random } from './clock.js';
import { isAbortError, networkErrorCode } from './network-errors.js';
import { decideRetry, type Failure, type GiveUpReason, type Idempotency, type RetryPolicy } from './retry-policy.js';

/**
 * Thrown by an attempt whose response was an HTTP error: `failure` feeds the retry decision and
 * `error` is what the caller gets if it is not retried.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly failure: Failure,
    readonly error: UploadError,
  ) {
    super(error.message, { cause: error });
  }
}

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: string;
  status?: number;
  code?: string;
}

/** A counter that an upload bumps on progress (a stored segment); operations then start counting afresh. */
export class ProgressEpoch {
  value = 0;
  bump(): void {
    this.value++;
  }
}

export interface RunWithRetryOptions {
  /** What is being done, for messages: e.g. "initiate the upload", "store segment 3". */
  what: string;
  policy: RetryPolicy;
  idempotency: Idempotency;
  clock: Clock;
  random: Random;
  signal?: AbortSignal | undefined;
  onRetry?: ((info: RetryInfo) => void) | undefined;
  progress?: ProgressEpoch | undefined;
}

export function interrupted(signal: AbortSignal | undefined, cause?: unknown): InterruptedError {
  const reason: unknown = signal?.reason;
  if (reason instanceof InterruptedError) return reason;
  return new InterruptedError(undefined, { cause: cause ?? reason });
}

function describeFailure(failure: Failure, error: unknown): string {
  if (failure.kind === 'network') return failure.code ?? (error instanceof Error ? error.message : 'network error');
  const remote = error instanceof AttemptFailure ? error.error.remoteCode : undefined;
  return `HTTP ${failure.status}${remote === undefined ? '' : ` ${remote}`}`;
}

export async function runWithRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RunWithRetryOptions): Promise<T> {
  const { clock, signal } = options;
  let retries = 0;
  let attempts = 0;
  let since = clock.now();
  const firstStart = since;
  let epoch = options.progress?.value;
  for (;;) {
    if (signal?.aborted) throw interrupted(signal);
    try {
      attempts++;
      return await attempt(attempts);
    } catch (error) {
      if (signal?.aborted) throw interrupted(signal, error);
      if (error instanceof UploadError) throw error;
      if (isAbortError(error)) throw interrupted(signal, error);
      const failure: Failure =
        error instanceof AttemptFailure ? error.failure : { kind: 'network', code: networkErrorCode(error) };
      if (failure.kind === 'network' && failure.code === undefined) throw error; // a bug, not the network
      if (options.progress !== undefined && options.progress.value !== epoch) {
        epoch = options.progress.value;
        retries = 0;
        since = clock.now();
      }
      const decision = decideRetry(
        options.policy,
        failure,
        { retries, elapsedMs: clock.now() - since },
        options.idempotency,
        options.random,
      );
      const reason = describeFailure(failure, error);
      if (!decision.retry) throw giveUp(decision.reason, error, failure, reason, attempts, clock.now() - firstStart, options);
      retries++;
      options.onRetry?.({
        attempt: retries,
        delayMs: decision.delayMs,
        reason,
        ...(failure.kind === 'status' ? { status: failure.status } : {}),
        ...(failure.kind === 'status' && error instanceof AttemptFailure && error.error.remoteCode !== undefined
          ? { code: error.error.remoteCode }
          : {}),
        ...(failure.kind === 'network' && failure.code !== undefined ? { code: failure.code } : {}),
      });
      try {
        await clock.sleep(decision.delayMs, signal);
      } catch (sleepError) {
        throw interrupted(signal, sleepError);
      }
    }
  }
}

function giveUp(
  reason: GiveUpReason,
  error: unknown,
  failure: Failure,
  described: string,
  attempts: number,
  elapsedMs: number,
  options: RunWithRetryOptions,
): UploadError {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const common = {
    cause: error,
    ...(failure.kind === 'status' ? { status: failure.status } : {}),
    ...(error instanceof AttemptFailure
      ? { remoteCode: error.error.remoteCode, contextId: error.error.contextId, details: error.error.details }
      : {}),
  };
  switch (reason) {
    case 'not-retryable':
      if (error instanceof AttemptFailure) return error.error;
      return new TransientError(
        'network.error',
        `Could not ${options.what}: ${described}. Check the network and the configured host, then try again.`,
        common,
      );
    case 'not-idempotent':
      if (error instanceof AttemptFailure) return error.error;
      return new TransientError(
        'network.not_retried',
        `Could not ${options.what}: the connection failed (${described}) after the request was sent. It was not retried ` +
          'because the server may have processed it and a retry could create a duplicate. Try again.',
        common,
      );
    case 'retry-after-too-long':
      return new TransientError(
        'retry.retry_after_too_long',
        `Gave up trying to ${options.what}: the server asked to wait longer than ${options.policy.maxRetryAfterMs / 1000} s ` +
          `(${described}) after ${attempts} attempt(s) over ${seconds} s. Try again later.`,
        common,
      );
    case 'attempts-exhausted':
    case 'budget-exhausted':
      return new TransientError(
        'retry.exhausted',
        `Gave up trying to ${options.what} after ${attempts} attempts over ${seconds} s in total ` +
          `(${reason === 'attempts-exhausted' ? 'attempt limit' : 'time budget'} reached); the last failure was ${described}. ` +
          'The service or the network is having trouble; try again later.',
        common,
      );
  }
}
