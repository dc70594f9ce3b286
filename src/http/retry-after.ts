/**
 * `Retry-After` (RFC 9110 §10.2.3): either a non-negative integer of seconds or an HTTP-date.
 * Returns the wait in milliseconds, or undefined when the header is absent or unparseable (the
 * caller then applies its own default, e.g. 3 s for a 429 per PROTOCOL.md §8).
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // HTTP-date: only the IMF-fixdate family that Date.parse understands; a date in the past means now.
  if (!/^[A-Za-z]{3},? /.test(text) && !/GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The wait PROTOCOL.md §8 prescribes for a 429 without a usable Retry-After. */
export const DEFAULT_429_WAIT_MS = 3000;
