/** Commander argument parsers that reject bad numbers with a message naming the flag. */
import { InvalidArgumentError } from 'commander';
import { bytesOf, millisecondsOf } from '../config/units.js';

export function integerInRange(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}".`);
    }
    return n;
  };
}

export function positiveNumber(max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`expected a number above 0 and at most ${max}, got "${value}".`);
    }
    return n;
  };
}

/** A byte count, 0 included: `5242880`, `5MiB`, `10 MB`, `1GiB` (config/units.ts). */
export function parseSizeFlag(value: string): number {
  const bytes = bytesOf(value);
  if (bytes === undefined) throw new InvalidArgumentError(`expected a whole number of bytes such as 5242880 or 5MiB, got "${value}".`);
  return bytes;
}

/** A duration of at least a second, in milliseconds: `90s`, `30m`, `24h`, `7d`, `500ms`, or bare seconds. */
export function parseDurationFlag(value: string): number {
  const ms = millisecondsOf(value);
  if (ms === undefined || ms < 1000) throw new InvalidArgumentError(`expected a duration of at least 1s such as 90s, 30m, 24h or 7d, got "${value}".`);
  return ms;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
