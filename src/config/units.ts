/**
 * Sizes and durations as people type them, one grammar for every flag, variable and setting:
 * `5242880`, `8MiB`, `10 MB`, `1.5GiB` (IEC units are powers of 1024, SI units and bare K/M/G/T
 * powers of 1000); `90s`, `30m`, `24h`, `7d`, `500ms`, or bare seconds.
 *
 * `bytesOf` and `millisecondsOf` only read the text (undefined when it is not one); each caller
 * says what it accepts and words its own refusal: the CLI's flag parsers (src/cli/parse-number.ts)
 * for commander, `parseSize` and `parseDuration` below for settings (a ConfigError naming them).
 */
import { ConfigError } from '../errors/index.js';

const BYTES: Readonly<Record<string, number>> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

/** A byte count, rounded to the byte when a unit makes a fraction; a fraction of a byte is none. */
export function bytesOf(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = BYTES[(match?.[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) return undefined;
  const n = Number(match[1]);
  const bytes = unit === 1 ? n : Math.round(n * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const MILLISECONDS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in whole milliseconds; without a unit, seconds. */
export function millisecondsOf(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (match === null) return undefined;
  const ms = Math.round(Number(match[1]) * (MILLISECONDS[(match[2] ?? 's').toLowerCase()] ?? NaN));
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** A setting's size in bytes, above 0: a number as it is, a string as `bytesOf` reads it. */
export function parseSize(value: number | string, setting: string): number {
  const bytes = typeof value === 'number' ? value : bytesOf(value);
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ConfigError('config.size', `${setting} must be a size such as 8MiB, 64MB or a number of bytes (got "${value}").`);
  }
  return bytes;
}

/** A setting's duration in whole seconds, above 0: a number as it is, a string as `millisecondsOf` reads it. */
export function parseDuration(value: number | string, setting: string): number {
  const ms = typeof value === 'number' ? undefined : millisecondsOf(value);
  const seconds = typeof value === 'number' ? value : ms !== undefined && ms % 1000 === 0 ? ms / 1000 : undefined;
  if (seconds === undefined || !Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new ConfigError('config.duration', `${setting} must be a duration such as 7d, 12h, 30m or a number of seconds (got "${value}").`);
  }
  return seconds;
}
