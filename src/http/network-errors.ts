/**
 * Finds the error code of a network failure. undici and Node nest causes (a `SocketError` with
 * `code: 'UND_ERR_SOCKET'` may carry an `ECONNRESET` cause), so the whole cause chain is searched
 * and the most specific system code wins over undici's generic wrappers.
 */
export function networkErrorCode(error: unknown): string | undefined {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes.find((code) => /^E[A-Z0-9]+$/.test(code)) ?? codes[0];
}

/** Codes that prove the request never reached the server, so even a non-idempotent POST may be retried. */
export const NOT_SENT_ERROR_CODES: readonly string[] = Object.freeze([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** True when `error` is (or wraps) an abort. */
export function isAbortError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const name = (error as { name?: unknown }).name;
  const code = (error as { code?: unknown }).code;
  return name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED';
}
