/**
 * `genesys-upload serve`: run the proxy service until SIGINT/SIGTERM. Stdout gets exactly one
 * line, the service's URL, once it listens; the JSON log goes to stderr. Running relays are paused
 * on shutdown and continue at the next start.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { resolveConfig } from '../config/index.js';
import { ConfigError, UploadError } from '../errors/index.js';
import { defaultStateDir } from '../journal/state-dir.js';
import type { LogLevel, ServiceOptions } from '../server/index.js';
import { collect, integerInRange, parseDurationFlag, parseSizeFlag } from './parse-number.js';
import { reportError } from './report-error.js';
import { addTargetOptions, targetFlagsToConfigFlags, type TargetFlags } from './target-options.js';
import { addViaOption, resolveVia, type ViaName } from './via-options.js';
import { addWebMessagingOptions, DEPLOYMENT_ID_ENV, WEBMESSAGING_URL_ENV, type WebMessagingFlags } from './web-messaging-options.js';
import { ACCESS_TOKEN_ENV } from '../destinations/conversation/index.js';
import { addDeliveryOptions, linkStoreInput, type DeliveryFlags } from './delivery-options.js';

interface ServeFlags extends TargetFlags, Omit<WebMessagingFlags, 'guestTokenFile'>, DeliveryFlags {
  via?: string;
  accessTokenFile?: string;
  host: string;
  port: number;
  spoolDir?: string;
  stateDir?: string;
  maxSize?: number;
  allowedTypes?: string[];
  apiKey?: string[];
  adminKey?: string[];
  publicHost?: string[];
  allowOpen: boolean;
  idleTimeout?: number;
  maxConnections?: number;
  minBodyRate?: number;
  createRate?: number;
  maxIntakes?: number;
  minFreeSpace?: number;
  retention?: number;
  frameAncestors?: string;
  allowExecutables: boolean;
  maxJobs: number;
  concurrency: number;
  relayWhileReceiving: boolean;
  corsOrigin?: string[];
  intakeExpiry?: number;
  emulator: boolean;
  logLevel: LogLevel;
}

export const API_KEYS_ENV = 'GENESYS_UPLOAD_API_KEYS';
export const ADMIN_KEYS_ENV = 'GENESYS_UPLOAD_ADMIN_KEYS';

function parseList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
function parseLevel(value: string): LogLevel {
  if (!LEVELS.includes(value)) throw new InvalidArgumentError(`expected one of ${LEVELS.join(', ')}, got "${value}".`);
  return value as LogLevel;
}

const HELP_AFTER = `
Clients upload with tus 1.0 (https://tus.io) to /files/ with Upload-Metadata keys filename,
filetype and text, and those of the destination (--via):
  genesys-files  to (required; comma-separated or a JSON array), language
  web-messaging  guesttoken (optional: an existing guest's token, to write into that customer's
                 conversation; a secret, never logged or shown); absent, each upload is a new guest
  conversation   conversationid (required), communicationid (optional)
Checksums (Upload-Checksum, sha1 or sha256) are verified per chunk. Each completed intake becomes
a job that is relayed to Genesys Cloud and delivered in a message.

  GET  /                        the upload page          GET /api/config     limits for clients
  GET  /api/jobs[/:id]          jobs and their progress  POST /api/jobs/:id/retry
  GET  /api/jobs/:id/events     Server-Sent Events       GET /healthz  /readyz  /metrics

API keys (--api-key, or ${API_KEYS_ENV}=k1,k2 to keep them out of ps): every /files and /api
request then needs "Authorization: Bearer <key>", and each key sees only the jobs it created.
Admin keys (--admin-key, or ${ADMIN_KEYS_ENV}) see every job.
Only requests whose Host is a loopback name, the bound address or a --public-host are answered.

Examples:
  genesys-upload serve --emulator --port 0                # a demo with the embedded emulator
  genesys-upload serve --emulator --via web-messaging     # the emulator's demo Messenger deployment
  ${DEPLOYMENT_ID_ENV}=6f1c… genesys-upload serve --via web-messaging --region mypurecloud.ie --origin https://www.example.com
  GENESYS_REGION=mypurecloud.ie GENESYS_CLIENT_ID=… GENESYS_CLIENT_SECRET=… genesys-upload serve --via conversation
  GENESYS_REGION=mypurecloud.ie GENESYS_CLIENT_ID=… GENESYS_CLIENT_SECRET=… ${API_KEYS_ENV}=… \\
    genesys-upload serve --host 0.0.0.0 --public-host uploads.example.com --state-dir /var/lib/gu/state --spool-dir /var/lib/gu/spool \\
    --max-size 2GiB --allowed-types application/pdf,image/* --cors-origin https://app.example.com

Stdout carries one line, the URL, once listening. Logs are JSON on stderr.
Exit status: 0 stopped cleanly, 2 bad flags or settings (or the port is taken).`;

export function serveCommand(): Command {
  const command = new Command('serve')
    .summary('run the upload proxy service (tus intake, relay jobs, API, web page)')
    .description(
      'Accept resumable uploads over tus, spool them, relay each to Genesys Cloud with the same engine as ' +
        '`send` (at most --max-jobs at once), and report every job over a JSON API and Server-Sent Events. ' +
        'The org comes from the same settings as `send`; --emulator relays to an embedded emulator instead.',
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port, 0 picks a free one', integerInRange(0, 65_535), 8080)
    .option('--spool-dir <dir>', 'where intakes are spooled (default: <state dir>-spool)')
    .option('--state-dir <dir>', 'job database and resume journal (default: $GENESYS_UPLOAD_STATE_DIR/serve, else ~/.local/state/genesys-upload/serve)')
    .option('--max-size <bytes>', 'largest accepted file, e.g. 2GiB (default: 5GiB)', parseSizeFlag)
    .option('--allowed-types <list>', 'accepted media types, comma-separated; type/* and */* allowed (default: common document, image, audio, video types)', parseList)
    .option('--api-key <key>', `require this bearer key on /files and /api; it sees its own jobs (repeatable; also env ${API_KEYS_ENV})`, collect)
    .option('--admin-key <key>', `a bearer key that sees and acts on every job (repeatable; also env ${ADMIN_KEYS_ENV})`, collect)
    .option('--public-host <name>', 'a host name clients use to reach the service, e.g. uploads.example.com (repeatable)', collect)
    .option('--allow-open', 'allow a non-loopback --host without API keys (something in front must authenticate)', false)
    .option('--idle-timeout <duration>', 'drop connections idle this long (default: 120s)', parseDurationFlag)
    .option('--max-connections <n>', 'open connections at most (default: 512)', integerInRange(1, 1_000_000))
    .option('--min-body-rate <bytes>', 'cut off request bodies slower than this per second, over 30 s; 0 disables (default: 1KiB)', parseSizeFlag)
    .option('--create-rate <n>', 'upload creations per minute per key (or address without keys) (default: 60)', integerInRange(1, 1_000_000))
    .option('--max-intakes <n>', 'unfinished uploads at once (default: 100)', integerInRange(1, 1_000_000))
    .option('--min-free-space <bytes>', 'free space the spool disk keeps beyond unfinished uploads (default: 256MiB)', parseSizeFlag)
    .option('--retention <duration>', 'finished jobs (and failed jobs\' files) are removed this long after they finished (default: 7d)', parseDurationFlag)
    .option('--frame-ancestors <sources>', "who may frame the page: 'none', 'self' or origins (default: 'none')")
    .option('--allow-executables', 'accept programs and scripts (by name or type) when their type is allowed', false)
    .option('--max-jobs <n>', 'relay jobs running at once; the rest queue (1-64)', integerInRange(1, 64), 2)
    .option('--concurrency <n>', 'segments in flight per relay job (1-32)', integerInRange(1, 32), 4)
    .option('--no-relay-while-receiving', 'relay only once the whole file has arrived (default: parts relay as they arrive)')
    .option('--cors-origin <origin>', 'allow this browser origin, or * (repeatable; default: same origin only)', collect)
    .option('--intake-expiry <duration>', 'unfinished uploads are discarded this long after creation (default: 24h)', parseDurationFlag)
    .option('--emulator', 'relay to an embedded Genesys Cloud emulator (demo and tests)', false)
    .option('--access-token-file <path>', `conversation: a user access token in this file instead of client credentials (env ${ACCESS_TOKEN_ENV})`)
    .option('--log-level <level>', `log level (${LEVELS.join(', ')})`, parseLevel, 'info' as LogLevel);
  addViaOption(command);
  addDeliveryOptions(command);
  addWebMessagingOptions(command);
  // Per upload, not per service: the guest token comes in the upload's metadata (refused below).
  command.options.find((option) => option.long === '--guest-token-file')?.hideHelp();
  addTargetOptions(command)
    .addHelpText('after', HELP_AFTER)
    .action(async (flags: ServeFlags) => {
      process.exitCode = await serve(flags);
    });
  return command;
}

const keysFromEnv = (name: string): string[] => (process.env[name] ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '');

function serviceOptions(flags: ServeFlags): ServiceOptions {
  const stateDir = flags.stateDir ?? join(defaultStateDir(process.env), 'serve');
  return {
    host: flags.host,
    port: flags.port,
    stateDir,
    spoolDir: flags.spoolDir ?? `${stateDir}-spool`,
    maxSize: flags.maxSize,
    allowedTypes: flags.allowedTypes,
    apiKeys: [...(flags.apiKey ?? []), ...keysFromEnv(API_KEYS_ENV)],
    adminKeys: [...(flags.adminKey ?? []), ...keysFromEnv(ADMIN_KEYS_ENV)],
    publicHosts: flags.publicHost ?? [],
    allowOpen: flags.allowOpen,
    idleTimeoutMs: flags.idleTimeout,
    maxConnections: flags.maxConnections,
    minBodyRate: flags.minBodyRate,
    createRatePerMinute: flags.createRate,
    maxIntakes: flags.maxIntakes,
    minFreeSpace: flags.minFreeSpace,
    retentionMs: flags.retention,
    frameAncestors: flags.frameAncestors,
    allowExecutables: flags.allowExecutables,
    maxJobs: flags.maxJobs,
    concurrency: flags.concurrency,
    relayWhileReceiving: flags.relayWhileReceiving,
    corsOrigins: flags.corsOrigin ?? [],
    intakeExpiryMs: flags.intakeExpiry, // undefined: the service's default (24 h)
    logLevel: flags.logLevel,
    ...destinationOptions(flags),
  };
}

/** `--via` and its settings, from the same flags and environment as `send`. */
function destinationOptions(flags: ServeFlags & { guestTokenFile?: string }): Partial<ServiceOptions> {
  const via = resolveVia(flags, process.env);
  if (flags.guestTokenFile !== undefined) {
    throw new ConfigError('config.guest_token_file', 'serve takes a guest token per upload (Upload-Metadata "guesttoken"), not --guest-token-file; without one, each upload starts a new guest.');
  }
  const linkStore = linkStoreInput(flags, process.env);
  const delivery = { delivery: flags.delivery, ...(linkStore !== undefined && { linkStore }) };
  return { ...delivery, ...viaOptions(via, flags) };
}

function viaOptions(via: ViaName, flags: ServeFlags): Partial<ServiceOptions> {
  if (via === 'web-messaging') {
    const env = process.env;
    const wsUrl = flags.wsUrl ?? (flags.region === undefined ? env[WEBMESSAGING_URL_ENV] : undefined);
    const region = wsUrl === undefined ? (flags.region ?? env.GENESYS_REGION) : undefined;
    const webMessaging = { deploymentId: flags.deploymentId ?? env[DEPLOYMENT_ID_ENV], wsUrl, region, origin: flags.origin };
    // With --emulator and no socket given: the emulator's own, and its demo deployment.
    if (flags.emulator) return { via, emulator: true, webMessaging: wsUrl === undefined && flags.region === undefined ? { origin: flags.origin, deploymentId: flags.deploymentId } : webMessaging };
    return { via, webMessaging };
  }
  const conversation = via === 'conversation' ? { conversation: { accessTokenFile: flags.accessTokenFile, accessToken: process.env[ACCESS_TOKEN_ENV] } } : {};
  if (flags.emulator) return { via, emulator: true, ...conversation };
  return { via, ...conversation, target: resolveConfig({ env: process.env, flags: targetFlagsToConfigFlags(flags) }) };
}

async function serve(flags: ServeFlags): Promise<number> {
  // Loaded here so that `genesys-upload --help` does not load fastify, tus and SQLite.
  const { startService } = await import('../server/index.js');
  let service;
  try {
    service = await startService(serviceOptions(flags));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`error: cannot listen on ${flags.host}:${flags.port} (${code}): choose another --host/--port, or --port 0.\n`);
      return 2;
    }
    if (error instanceof UploadError) return reportError(error, { json: false });
    throw error;
  }
  if (flags.allowOpen && flags.apiKey === undefined && keysFromEnv(API_KEYS_ENV).length === 0 && flags.adminKey === undefined && keysFromEnv(ADMIN_KEYS_ENV).length === 0) {
    process.stderr.write('warning: no API keys (--allow-open): anyone who can reach this service can send files in your org\'s name.\n');
  }
  process.stdout.write(`${service.url}\n`);
  const running = service;
  return new Promise<number>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running.close().then(
        () => done(0),
        (error: unknown) => {
          process.stderr.write(`error: closing the service failed: ${String(error)}\n`);
          done(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
