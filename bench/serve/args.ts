/** The service benchmark's flags, parsed and validated once, with their defaults. */
import { parseArgs } from 'node:util';
import { formatSize, MiB, parseSize } from '../lib/sizes.js';

export interface ServeBenchOptions {
  uploads: number;
  /** Bytes per uploaded file. */
  size: number;
  /** Bytes per tus PATCH. */
  chunkSize: number;
  /** Send `Upload-Checksum: sha256` with every PATCH (as the web page does; the default). */
  checksums: boolean;
  /** One 1 GiB upload (--one-gib): the last-byte → delivered latency is held to its target. */
  oneGiB: boolean;
  /** Run the service with its embedded emulator (`serve --emulator`) instead of a separate emulator process. */
  embedded: boolean;
  /** Passed to `serve` when given; otherwise the service's defaults apply. */
  maxJobs: number | undefined;
  concurrency: number | undefined;
  /** False: the service relays only after intake (--no-relay-while-receiving), for comparison. */
  relayWhileReceiving: boolean;
  /**
   * attachment: the tutorial's Files API (the default). link: `serve --via web-messaging --delivery
   * link` with the emulator's S3 endpoint as the link store (the file goes to S3, a link message
   * to a new guest's conversation).
   */
  delivery: 'attachment' | 'link';
  keep: boolean;
}

export const DEFAULTS = { uploads: 16, size: 64 * MiB, chunkSize: 8 * MiB } as const;

export const USAGE = `node --import tsx bench/serve/run.ts [options]

  --uploads N          concurrent uploads (default ${DEFAULTS.uploads})
  --size SIZE          size of each file (default ${formatSize(DEFAULTS.size)}), e.g. 16MiB, 1GiB
  --chunk-size SIZE    bytes per tus PATCH (default ${formatSize(DEFAULTS.chunkSize)}, as the web page)
  --no-checksums       plain PATCHes; by default every PATCH carries Upload-Checksum: sha256, as the
                       page sends them (--checksums is accepted and is the default)
  --one-gib            one upload of 1 GiB (same as --uploads 1 --size 1GiB): the last intake byte
                       to delivered latency is then held to its <= 2 s target
  --embedded           run \`serve --emulator\` (emulator inside the service process) instead of a
                       separate emulator process; the service's CPU and RSS then include the emulator's
  --max-jobs N         relay jobs at once (default: the service's default)
  --concurrency N      segments in flight per relay job (default: the service's default)
  --no-relay-while-receiving   the service relays each file only after its last byte (as before)
  --delivery MODE      attachment (default): into the emulator's Files API; link: \`serve --via
                       web-messaging --delivery link\` storing each file in the emulator's S3
                       endpoint and sending a link message (not with --embedded)
  --keep               keep the temp dir (files, spool, state, logs)
  --help               this text`;

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** Returns the options, or undefined when --help was asked for. Throws RangeError on a bad flag. */
export function parseServeBenchArgs(argv: string[]): ServeBenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      uploads: { type: 'string' },
      size: { type: 'string' },
      'chunk-size': { type: 'string' },
      checksums: { type: 'boolean', default: false },
      'no-checksums': { type: 'boolean', default: false },
      'one-gib': { type: 'boolean', default: false },
      embedded: { type: 'boolean', default: false },
      'max-jobs': { type: 'string' },
      concurrency: { type: 'string' },
      'no-relay-while-receiving': { type: 'boolean', default: false },
      delivery: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const chunkSize = values['chunk-size'] === undefined ? DEFAULTS.chunkSize : parseSize(values['chunk-size']);
  if (chunkSize > 1024 * MiB) throw new RangeError('--chunk-size must be at most 1 GiB');
  if (values.checksums && values['no-checksums']) throw new RangeError('--checksums and --no-checksums contradict each other');
  const oneGiB = values['one-gib'] ?? false;
  const delivery = values.delivery ?? 'attachment';
  if (delivery !== 'attachment' && delivery !== 'link') throw new RangeError(`--delivery must be attachment or link, got "${delivery}"`);
  if (delivery === 'link' && (values.embedded ?? false)) throw new RangeError('--delivery link needs the separate emulator process (its S3 endpoint); drop --embedded');
  if (oneGiB && (values.uploads !== undefined || values.size !== undefined)) throw new RangeError('--one-gib sets --uploads and --size; give neither with it');
  return {
    uploads: oneGiB ? 1 : (integer('uploads', values.uploads, 1, 256) ?? DEFAULTS.uploads),
    size: oneGiB ? 1024 * MiB : values.size === undefined ? DEFAULTS.size : parseSize(values.size),
    chunkSize,
    checksums: !(values['no-checksums'] ?? false),
    oneGiB,
    embedded: values.embedded ?? false,
    maxJobs: integer('max-jobs', values['max-jobs'], 1, 64),
    concurrency: integer('concurrency', values.concurrency, 1, 32),
    relayWhileReceiving: !(values['no-relay-while-receiving'] ?? false),
    delivery,
    keep: values.keep ?? false,
  };
}
