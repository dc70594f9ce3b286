/**
 * `genesys-upload demo`: the whole product on one machine. Starts the embedded emulator, makes a
 * sample file (or takes --file), uploads and delivers it with the progress bar, downloads the
 * stored file back, and checks that its SHA-256 is the source's.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { resolveConfig } from '../config/index.js';
import { createGenesysClient } from '../relay/index.js';
import { IntegrityError } from '../errors/index.js';
import { integerInRange } from './parse-number.js';
import { printResult, runUpload } from './run-upload.js';
import { reportError } from './report-error.js';
import { sha256Hex, writeSampleFile } from './sample-file.js';
import { formatBytes } from './format.js';
import { DELIVERY_MODES, type DeliveryMode } from '../relay/delivery-choice.js';
import { parseSize } from '../config/units.js';
import { ConfigError } from '../errors/index.js';

const MAX_SAMPLE = 4096 * 1024 * 1024;

/** --size (e.g. 200MiB) or --size-mib, or the destination's default. */
function sampleSize(flags: DemoFlags): number {
  if (flags.size === undefined) return (flags.sizeMib ?? DEFAULT_SIZE_MIB[flags.via]) * 1024 * 1024;
  const size = parseSize(flags.size, '--size');
  if (size > MAX_SAMPLE) throw new ConfigError('config.size', `--size: at most 4GiB for a generated sample (got ${flags.size}).`);
  return size;
}

/** Within Web Messaging's 10,240,000 bytes and the conversation profile's 25,000,000. */
const DEFAULT_SIZE_MIB = { 'genesys-files': 64, 'web-messaging': 8, conversation: 5 } as const;

interface DemoFlags {
  file?: string;
  sizeMib?: number;
  size?: string;
  via: 'genesys-files' | 'web-messaging' | 'conversation';
  delivery: DeliveryMode;
  concurrency: number;
  json: boolean;
  quiet: boolean;
}

export function demoCommand(): Command {
  return new Command('demo')
    .summary('run the whole flow against the embedded emulator')
    .description(
      'Start the embedded Genesys Cloud emulator, create a sample file (64 MiB unless --file is ' +
        'given), upload it in parallel chunks, send it in a message, download the stored file back ' +
        'and verify its SHA-256. Needs no credentials and no network. With --via web-messaging (8 MiB by default) ' +
        'the file is attached by a new guest of the demo deployment; with --via conversation (5 MiB) it goes into a ' +
        'new conversation from the agent side; either way the attached bytes\' SHA-256 is checked in the emulator. ' +
        'A file a destination cannot take (Web Messaging: over 10 MB) goes as a link to the emulator\'s S3 endpoint ' +
        '(--delivery auto, the default; --delivery link always), and the demo downloads the link in the message and checks ' +
        'its SHA-256: genesys-upload demo --via web-messaging --size 200MiB',
    )
    .option('--file <path>', 'upload this file instead of a generated sample')
    .option('--size-mib <n>', 'size of the generated sample in MiB (1-4096; default 64, web-messaging 8, conversation 5)', integerInRange(1, 4096))
    .option('--size <size>', 'size of the generated sample, e.g. 200MiB, 1GiB or bytes (instead of --size-mib)')
    .addOption(
      new Option('--delivery <mode>', 'auto: an attachment when the destination takes the file, else a link to the emulator\'s S3 endpoint; attachment; link')
        .choices([...DELIVERY_MODES])
        .default('auto'),
    )
    .addOption(
      new Option('--via <destination>', 'genesys-files (the Files API), web-messaging (a guest attachment) or conversation (agent-side media)')
        .choices(['genesys-files', 'web-messaging', 'conversation'])
        .default('genesys-files'),
    )
    .option('--concurrency <n>', 'chunks in flight at once (1-32)', integerInRange(1, 32), 4)
    .option('--json', 'print one JSON object with the result as the last line of stdout', false)
    .option('--quiet', 'no progress output', false)
    .action(async (flags: DemoFlags) => {
      process.exitCode = await demo(flags);
    });
}

async function demo(flags: DemoFlags): Promise<number> {
  // Loaded here, not at the top, so that `send` never pays for the emulator's code.
  const { startEmulator, DEMO_CLIENT } = await import('../emulator/index.js');
  const workDir = await mkdtemp(join(tmpdir(), 'genesys-upload-demo-'));
  const emulator = await startEmulator({ dataDir: join(workDir, 'emulator') });
  const say = (line: string): void => {
    if (!flags.quiet) process.stderr.write(`${line}\n`);
  };
  try {
    say(`Emulator (a local Genesys Cloud) listening at ${emulator.url}`);
    let filePath = flags.file;
    if (filePath === undefined) {
      filePath = join(workDir, 'sample.bin');
      const size = sampleSize(flags);
      say(`Creating a ${formatBytes(size)} sample file…`);
      await writeSampleFile(filePath, size);
    }
    if (flags.via !== 'genesys-files' || flags.delivery === 'link') {
      const { demoVia } = await import('./demo-via.js');
      const done = await demoVia(emulator, flags.via, filePath, flags, say);
      return typeof done === 'number' ? done : 0;
    }
    const config = resolveConfig({
      env: {},
      flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url },
    });
    const client = createGenesysClient(config);
    try {
      const outcome = await runUpload(
        client,
        {
          filePath,
          to: ['+15550100'],
          text: 'Here is the file you asked for.',
          language: 'en-US',
          concurrency: flags.concurrency,
        },
        flags,
      );
      if (!outcome.ok) return outcome.exitCode;
      const { result } = outcome;
      say('Downloading the stored file back to verify it…');
      const got = await sha256Hex(await client.fileContent(result.fileId));
      const want = await sha256Hex(createReadStream(filePath));
      if (got !== want || result.sha256 !== want) {
        throw new IntegrityError(
          'demo.sha256_mismatch',
          `The stored file's SHA-256 (${got}) differs from the source's (${want}).`,
        );
      }
      say(`Verified: the stored file's SHA-256 equals the source's (${want}).`);
      printResult(result, flags, { verified: true });
      return 0;
    } finally {
      await client.close();
    }
  } catch (error) {
    return reportError(error, { json: flags.json });
  } finally {
    await emulator.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
