/**
 * Byte sizes as people type them ("1GiB", "256MiB", "512KiB", "1GB", "1048576") and as the table
 * prints them. Binary suffixes are powers of 1024, decimal ones powers of 1000.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: KiB,
  mib: MiB,
  gib: GiB,
  k: KiB,
  m: MiB,
  g: GiB,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

/** Parses one size; throws naming the bad input and the accepted forms. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : UNITS[unit];
  if (!match || factor === undefined) {
    throw new RangeError(`size "${text}" is not understood: use e.g. 1GiB, 256MiB, 512KiB or a byte count`);
  }
  const bytes = Math.round(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new RangeError(`size "${text}" must be at least 1 byte and a safe integer`);
  }
  return bytes;
}

/** Parses a comma-separated list of sizes ("1GiB,4GiB"). */
export function parseSizeList(text: string): number[] {
  const parts = text.split(',').filter((part) => part.trim() !== '');
  if (parts.length === 0) throw new RangeError(`--sizes "${text}" names no size`);
  return parts.map(parseSize);
}

/** Prints a size with the largest binary unit that keeps it at least 1 ("1 GiB", "1.5 MiB"). */
export function formatSize(bytes: number): string {
  const units: Array<[string, number]> = [
    ['GiB', GiB],
    ['MiB', MiB],
    ['KiB', KiB],
  ];
  for (const [name, factor] of units) {
    if (bytes >= factor) {
      const value = bytes / factor;
      return `${Number.isInteger(value) ? value : value.toFixed(2)} ${name}`;
    }
  }
  return `${bytes} B`;
}
