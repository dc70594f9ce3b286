/** The benchmark's command-line flags, parsed and validated once, with their defaults. */
import { parseArgs } from 'node:util';
import { formatSize, GiB, parseSize, parseSizeList } from './sizes.js';

export interface BenchOptions {
  /** File sizes to run, smallest first; one entry unless --sizes was given. */
  sizes: number[];
  concurrency: number;
  keep: boolean;
  json: boolean;
}

export const DEFAULTS = { size: GiB, concurrency: 4 } as const;

export const USAGE = `npm run bench [-- options]

  --size SIZE          file size (default ${formatSize(DEFAULTS.size)}), e.g. 256MiB, 1GiB
  --sizes A,B,...      run every row at each size and compare our client's peak RSS (e.g. 1GiB,4GiB)
  --concurrency N      parallel segment uploads for our client and lib-storage's queueSize (default ${DEFAULTS.concurrency})
  --keep               keep the temp dir (test files, emulator data)
  --json               also write the results as JSON to bench/out/
  --help               this text`;

/** `--size`/`--sizes` (smallest first) and `--concurrency` (1..64), as every bench takes them. Throws RangeError. */
export function parseSizesAndConcurrency(
  values: { size?: string | undefined; sizes?: string | undefined; concurrency?: string | undefined },
  defaults: { size: number; concurrency: number } = DEFAULTS,
): { sizes: number[]; concurrency: number } {
  if (values.size !== undefined && values.sizes !== undefined) throw new RangeError('give --size or --sizes, not both');
  const sizes = values.sizes !== undefined ? parseSizeList(values.sizes) : [values.size !== undefined ? parseSize(values.size) : defaults.size];
  sizes.sort((a, b) => a - b);
  const concurrency = values.concurrency === undefined ? defaults.concurrency : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new RangeError(`--concurrency must be an integer from 1 to 64, got "${values.concurrency}"`);
  }
  return { sizes, concurrency };
}

/** Returns the options, or undefined when --help was asked for. Throws RangeError on a bad flag. */
export function parseBenchArgs(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string' },
      sizes: { type: 'string' },
      concurrency: { type: 'string' },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const { sizes, concurrency } = parseSizesAndConcurrency(values);
  return { sizes, concurrency, keep: values.keep ?? false, json: values.json ?? false };
}
