/**
 * `genesys-upload emulator`: run the local Genesys Cloud emulator until SIGINT/SIGTERM.
 * Stdout gets exactly one line, the base URL, once it listens; nothing else. Settings come from
 * flags, then a JSON config file (any startEmulator option), then the defaults.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { UploadError } from '../errors/index.js';
import { ALL_PERMISSIONS } from '../emulator/types.js';
import { startEmulator, type EmulatorClient, type FaultRule, type Permission, type StartEmulatorOptions } from '../emulator/index.js';
import { parseStartOptions } from '../emulator/settings.js';
import { parseSizeFlag } from './parse-number.js';

interface EmulatorFlags {
  host?: string;
  port?: number;
  dataDir?: string;
  config?: string;
  tokenTtl?: number;
  urlTtl?: number;
  chunkSize?: number;
  singleChunkMax?: number;
  maxChunks?: number;
  maxFileSize?: number;
  allowedTypes?: string[];
  apiRateLimit?: { requests: number; windowSeconds: number };
  storageRateLimit?: number;
  client?: EmulatorClient[];
  fault?: FaultRule[];
  seed?: number;
  s3Port?: number;
}

function parseCount(value: string): number {
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
  }
  return Number(value);
}

function parseRate(value: string): { requests: number; windowSeconds: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected REQUESTS/SECONDS such as 300/60, got "${value}".`);
  return { requests: Number(m[1]), windowSeconds: Number(m[2]) };
}

const PERMISSIONS: readonly Permission[] = ALL_PERMISSIONS;

/** ID:SECRET (every permission) or ID:SECRET:PERM1,PERM2 (permission names contain ":" themselves). */
export function parseClient(value: string, previous: EmulatorClient[] = []): EmulatorClient[] {
  const m = /^([^:]+):([^:]+)(?::(.*))?$/.exec(value);
  if (!m) {
    throw new InvalidArgumentError(
      'expected ID:SECRET or ID:SECRET:PERM1,PERM2 (a secret containing ":" must come from --config).',
    );
  }
  const [, id = '', secret = '', perms] = m;
  const listed = perms === undefined ? [...PERMISSIONS] : perms.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = listed.filter((p) => !PERMISSIONS.includes(p as Permission));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown permission(s) ${unknown.join(', ')}; use ${PERMISSIONS.join(', ')}.`);
  }
  return [...previous, { id, secret, permissions: listed as Permission[] }];
}

function parseFault(value: string, previous: FaultRule[] = []): FaultRule[] {
  let rule: unknown;
  try {
    rule = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`expected a JSON fault rule such as '{"route":"segment","action":"status","status":503}'.`);
  }
  return [...previous, ...(Array.isArray(rule) ? rule : [rule])] as FaultRule[];
}

function parseList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

async function readConfigFile(path: string): Promise<StartEmulatorOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`--config: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`--config: ${path} is not valid JSON.`);
  }
  const options = parseStartOptions(json);
  // A relative dataDir in the file is relative to the file, not to wherever the command runs.
  return options.dataDir === undefined ? options : { ...options, dataDir: resolve(dirname(path), options.dataDir) };
}

/** Flags over config file over defaults. Faults add up; --client replaces the client list. */
export async function emulatorOptions(flags: EmulatorFlags): Promise<StartEmulatorOptions> {
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const fromFlags: StartEmulatorOptions = {
    host: flags.host,
    port: flags.port,
    dataDir: flags.dataDir,
    tokenTtlSeconds: flags.tokenTtl,
    urlTtlSeconds: flags.urlTtl,
    chunkSize: flags.chunkSize,
    singleChunkMaxSize: flags.singleChunkMax,
    maxChunks: flags.maxChunks,
    maxFileSize: flags.maxFileSize,
    allowedContentTypes: flags.allowedTypes,
    apiRateLimit: flags.apiRateLimit,
    storageRateLimitPerSecond: flags.storageRateLimit,
    clients: flags.client,
    seed: flags.seed,
    s3Port: flags.s3Port,
  };
  const merged: StartEmulatorOptions = { ...file };
  for (const [key, value] of Object.entries(fromFlags)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  merged.host ??= '127.0.0.1';
  merged.port ??= 8080;
  merged.faults = [...(file.faults ?? []), ...(flags.fault ?? [])];
  return parseStartOptions(merged);
}

const HELP_AFTER = `
The demo client works with no configuration:
  client id "demo-client", secret "demo-secret", every permission (files:upload, messaging:guest,
  messaging:send, and the conversation:* ones of conversation media). Giving --client replaces it
  (repeat --client for several clients).

One origin serves everything:
  POST /oauth/token                                   OAuth client credentials (Basic auth)
  /api/v2/files/uploads…, /api/v2/files/…             uploads, status, complete, files
  /api/v2/conversations/messaging/{guests,messages}    guests and messages
  PUT /storage/uploads/{uploadId}?X-Amz-…             the pre-signed segment URL
  /api/v2/conversations/{id}, …/messages/{id}/…        conversation media (docs/emulator-conversations.md)
  PUT /storage/conversation-media/{mediaId}?X-Amz-…    the pre-signed media URL

Emulator controls (never part of a real org), JSON (POST/PUT/PATCH need Content-Type: application/json):
  GET    /__emulator/state             counters per route, uploads, segments, files, messages, request log
  GET    /__emulator/config            settings (secrets shown as ***)
  PATCH  /__emulator/config            change settings, e.g. {"chunkSize": 1048576}
  GET    /__emulator/faults            the live fault rules
  POST   /__emulator/faults            add a rule or an array of rules → {"ids": [...]}
  DELETE /__emulator/faults[/ID]       remove all rules, or one
  POST   /__emulator/conversations     make a conversation (customer + agent) → its ids
  GET    /__emulator/clock             {"now": epoch ms}
  POST   /__emulator/clock             {"advanceMs": 3600000} moves token/URL expiry and rate windows

An S3-compatible endpoint (path-style) listens on its own port (--s3-port, default any free one):
  its URL is printed on stderr ("s3: http://…") and is "s3.url" in GET /__emulator/state.
  Bucket "genesys-uploads", region us-east-1, demo access key "GENESYSEMULATORDEMO0" (its secret,
  and how to change keys, buckets or the flavor with --config / PATCH {"s3": {…}}: docs/emulator-s3.md).

Fault rules: {"route": token|initiate|segment|status|abort|complete|file|content|guest|message|message-get
  |s3-create|s3-part|s3-complete|s3-list|s3-abort|s3-put|s3-get|s3-head|s3-delete
  |conversation|conversation-messages|media-uploads|media-status|media-put|media-content|conversation-send|messages-bulk
  |wm-upload|wm-download|wm-history,
  "action": status|stall|reset|corrupt|lose-response, "status": 503, "retryAfter": 2, "stallMs": 5000,
  "afterBytes": 1000, "segmentIndex": 3, "partNumber": 2, "count": 2, "probability": 0.1}

Examples:
  genesys-upload emulator --port 0
  genesys-upload emulator --data-dir ./emu-data --chunk-size 1MiB --single-chunk-max 0 \\
    --fault '{"route":"segment","action":"status","status":503,"count":3}'
  genesys-upload emulator --client app:s3cret:files:upload,messaging:send --api-rate-limit 60/60

Stdout carries one line, the base URL, once listening. Stops cleanly on Ctrl-C or SIGTERM.
Exit status: 0 stopped cleanly, 2 bad flags or settings (or the port is taken).`;

export function emulatorCommand(): Command {
  const command = new Command('emulator')
    .summary('run a local Genesys Cloud emulator (OAuth, uploads, storage, messages, faults)')
    .description(
      'Serve a local stand-in for Genesys Cloud: the OAuth token endpoint, the file upload API, the ' +
        'pre-signed storage URLs, guests and messages, with rate limits and injectable faults. ' +
        'Precedence: flags, then --config FILE (JSON with any startEmulator option, in camelCase), then defaults.',
    )
    .option('--host <host>', 'interface to listen on (default: 127.0.0.1)')
    .option('--port <port>', 'port, 0 picks a free one (default: 8080)', parseCount)
    .option('--data-dir <dir>', 'persist uploads, files, guests, messages here (default: a temp dir removed on exit)')
    .option('--config <file>', 'JSON file with startEmulator options (clients, chunkSize, faults, …)')
    .option('--token-ttl <seconds>', 'access token lifetime (default: 86400)', parseCount)
    .option('--url-ttl <seconds>', 'pre-signed URL lifetime (default: 3600)', parseCount)
    .option('--chunk-size <bytes>', 'chunk size for large files (default: 5MiB)', parseSizeFlag)
    .option('--single-chunk-max <bytes>', 'files up to this size get one chunk; 0 disables (default: 10MiB)', parseSizeFlag)
    .option('--max-chunks <n>', 'most chunks per upload (default: 10000)', parseCount)
    .option('--max-file-size <bytes>', 'largest accepted file (default: 50GiB)', parseSizeFlag)
    .option('--allowed-types <list>', 'comma-separated allowed media types (default: common document, image, audio, video types)', parseList)
    .option('--api-rate-limit <n/s>', 'API requests per window per token, e.g. 300/60 (default)', parseRate)
    .option('--storage-rate-limit <n>', 'storage requests per second per upload; 0 = none (default: 0)', parseCount)
    .option('--client <id:secret:perms>', 'an OAuth client; perms comma-separated (repeatable; replaces the demo client)', parseClient)
    .option('--fault <json>', 'a fault rule as JSON, or an array of them (repeatable)', parseFault)
    .option('--s3-port <port>', 'port of the S3-compatible endpoint; 0 picks a free one (default: 0)', parseCount)
    .option('--seed <n>', 'seed of the fault rules\' random source (default: 1)', parseCount)
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run genesys-upload emulator --help for usage)')
    .exitOverride()
    .action(async (flags: EmulatorFlags) => {
      await runEmulator(command, flags);
    });
  return command;
}

const FLAG_OF: Record<string, string> = {
  host: '--host', port: '--port', dataDir: '--data-dir', tokenTtlSeconds: '--token-ttl', urlTtlSeconds: '--url-ttl',
  chunkSize: '--chunk-size', singleChunkMaxSize: '--single-chunk-max', maxChunks: '--max-chunks',
  maxFileSize: '--max-file-size', allowedContentTypes: '--allowed-types', apiRateLimit: '--api-rate-limit',
  storageRateLimitPerSecond: '--storage-rate-limit', clients: '--client', faults: '--fault', seed: '--seed', s3Port: '--s3-port',
};

/** Says which flag (or the config file) a bad setting came from. */
function whereFrom(error: unknown, flags: EmulatorFlags): string {
  const issues = error instanceof UploadError ? (error.details as Array<{ path?: unknown[] }> | undefined) : undefined;
  const setting = issues?.[0]?.path?.[0];
  const flag = typeof setting === 'string' ? FLAG_OF[setting] : undefined;
  if (flag === undefined) return '';
  return flags.config === undefined ? ` (from ${flag})` : ` (from ${flag} or ${flags.config})`;
}

async function runEmulator(command: Command, flags: EmulatorFlags): Promise<void> {
  let emulator;
  try {
    const options = await emulatorOptions(flags);
    emulator = await startEmulator(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL'
        ? `cannot listen (${code}): choose another --host/--port, or --port 0 for any free port.`
        : error instanceof Error
          ? `${error.message}${whereFrom(error, flags)}`
          : String(error);
    command.error(`error: ${message}`, { exitCode: 2, code: 'emulator.start' });
  }
  const running = emulator;
  process.stdout.write(`${running.url}\n`);
  // Stdout stays one line (scripts read it); the S3 endpoint's URL goes to stderr and the state view.
  process.stderr.write(`s3: ${running.s3Url}\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(done, (error: unknown) => {
        process.stderr.write(`error: closing the emulator failed: ${String(error)}\n`);
        process.exitCode = 1;
        done();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
