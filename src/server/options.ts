/**
 * The proxy service's options, their defaults (declared once) and their validation. A bad option
 * throws a ConfigError naming the option and what is allowed. startService() and the `serve`
 * command both go through resolveServiceOptions().
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { ResolvedConfig } from '../config/index.js';
import type { StartEmulatorOptions } from '../emulator/index.js';
import { ConfigError } from '../errors/index.js';
import type { Clock } from '../http/clock.js';
import { MAX_CONCURRENCY } from '../upload/options.js';
import { isLoopbackHost } from './http/host-check.js';
import { DEFAULT_ALLOWED_TYPES } from './intake/allowed-types.js';

export { DEFAULT_ALLOWED_TYPES, typeAllowed } from './intake/allowed-types.js';
import { SERVICE_DESTINATIONS, type ServiceDestination } from './intake/destination-metadata.js';
import type { WebMessagingOptionsInput } from '../destinations/web-messaging/index.js';
import type { S3StoreInput } from '../destinations/s3/index.js';
import { DELIVERY_MODES, type DeliveryMode } from '../relay/delivery-choice.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServiceOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one; default 8080. */
  port?: number;
  /** Where intakes are spooled (created if missing). Required. */
  spoolDir: string;
  /** Where the job database (and the resume journal) live (created if missing). Required. */
  stateDir: string;
  /** Largest accepted file in bytes; default 5 GiB. */
  maxSize?: number;
  /** Accepted media types: exact `type/subtype`, `type/*`, or `*\/*`; default: the common types the engine knows. */
  allowedTypes?: string[];
  /** Bearer keys; when non-empty every /files and /api request needs one, and each key sees only its own jobs. Default: none (open). */
  apiKeys?: string[];
  /** Bearer keys that see and act on every job (operators). Default: none. */
  adminKeys?: string[];
  /** Host names (besides loopback names and the bound address) the service answers to. */
  publicHosts?: string[];
  /** Listen on a non-loopback address without any API key (refused otherwise). Default false. */
  allowOpen?: boolean;
  /** Idle connections are dropped after this long; default 120 s. */
  idleTimeoutMs?: number;
  /** Open connections at most; default 512. */
  maxConnections?: number;
  /** Request bodies slower than this (bytes/s, over `bodyRateWindowMs`) are cut off; default 1024; 0 disables. */
  minBodyRate?: number;
  /** The window the minimum body rate is measured over; default 30 s. */
  bodyRateWindowMs?: number;
  /** Upload creations per minute per API key (or client address without keys); default 60. */
  createRatePerMinute?: number;
  /** Unfinished intakes at once; default 100. */
  maxIntakes?: number;
  /** Free space the spool disk keeps beyond what unfinished intakes may still write; default 256 MiB. */
  minFreeSpace?: number;
  /** Upload-Metadata larger than this (bytes, as sent) is refused; default 8 KiB. */
  maxMetadataBytes?: number;
  /** Finished jobs' rows (and failed jobs' spool files) are removed this long after they finished; default 7 days. */
  retentionMs?: number;
  /** CSP frame-ancestors of the page; default 'none' (the page cannot be framed). */
  frameAncestors?: string;
  /** Accept executables (by name or type) when their type is allowed; default false. */
  allowExecutables?: boolean;
  /** How long one job-store write may wait for a lock (blocking the event loop); default 50 ms. */
  storeBusyTimeoutMs?: number;
  /** Relay jobs running at once; the rest queue. Default 2. */
  maxJobs?: number;
  /** Segments in flight per relay job (1..32); default 4. */
  concurrency?: number;
  /** Relay to a part-taking destination while the bytes arrive (src/server/relay-stream); default true. */
  relayWhileReceiving?: boolean;
  /** Origins allowed by CORS (`*` for any); default none (same-origin only). */
  corsOrigins?: string[];
  /** Unfinished intakes expire this long after creation; default 24 h. */
  intakeExpiryMs?: number;
  /** How often expired intakes are swept; default min(expiry / 4, 60 s). */
  sweepIntervalMs?: number;
  /** How long /readyz remembers a failed token check; default 30 s. */
  readinessFailureCacheMs?: number;
  /** SSE heartbeat comment interval; default 15 s. */
  heartbeatMs?: number;
  /**
   * Where jobs are relayed: the tutorial's Files API (default; only the emulator serves it), a Web
   * Messaging guest (`webMessaging`), or an existing conversation (the org's `target`; its ids per
   * upload).
   */
  via?: ServiceDestination;
  /** web-messaging: the deployment and its socket (region or URL) and Origin; with `emulator`, default its demo deployment. */
  webMessaging?: Omit<WebMessagingOptionsInput, 'guestTokenFile'>;
  /** conversation: a user access token (a file, or the value) instead of the client credentials. */
  conversation?: { accessTokenFile?: string | undefined; accessToken?: string | undefined };
  /**
   * web-messaging and conversation: `attachment`, `link` (the file goes to `linkStore`, the message
   * carries a link) or `auto` (default: an attachment when the destination takes the file, else a link
   * when a link store is configured).
   */
  delivery?: DeliveryMode;
  /** The link store (S3 or compatible) for link deliveries. */
  linkStore?: S3StoreInput;
  /** Relay to this Genesys Cloud org. Exactly one of `target` and `emulator` (web-messaging: or `webMessaging`) must be given. */
  target?: ResolvedConfig;
  /** Start the embedded emulator in-process and relay there (true: its defaults). */
  emulator?: boolean | StartEmulatorOptions;
  /** Log level of the pino JSON log; default info. */
  logLevel?: LogLevel;
  /** Where the log goes; default stderr. */
  logStream?: Writable;
  /** The service's clock (intake expiry); default the system clock. Tests move it. */
  clock?: Pick<Clock, 'now'>;
}

const MiB = 1024 * 1024;
const HOUR = 3_600_000;

export const SERVICE_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  maxSize: 5 * 1024 * MiB,
  maxJobs: 2,
  concurrency: 4,
  intakeExpiryMs: 24 * HOUR,
  maxSweepIntervalMs: 60_000,
  heartbeatMs: 15_000,
  logLevel: 'info' as LogLevel,
  idleTimeoutMs: 120_000,
  maxConnections: 512,
  minBodyRate: 1024,
  bodyRateWindowMs: 30_000,
  createRatePerMinute: 60,
  maxIntakes: 100,
  minFreeSpace: 256 * MiB,
  maxMetadataBytes: 8 * 1024,
  retentionMs: 7 * 24 * HOUR,
  frameAncestors: "'none'",
  storeBusyTimeoutMs: 50,
  readinessFailureCacheMs: 30_000,
});

export interface ValidServiceOptions {
  host: string;
  port: number;
  spoolDir: string;
  stateDir: string;
  maxSize: number;
  allowedTypes: string[];
  apiKeys: string[];
  adminKeys: string[];
  publicHosts: string[];
  allowOpen: boolean;
  idleTimeoutMs: number;
  maxConnections: number;
  minBodyRate: number;
  bodyRateWindowMs: number;
  createRatePerMinute: number;
  maxIntakes: number;
  minFreeSpace: number;
  maxMetadataBytes: number;
  retentionMs: number;
  frameAncestors: string;
  allowExecutables: boolean;
  storeBusyTimeoutMs: number;
  readinessFailureCacheMs: number;
  maxJobs: number;
  concurrency: number;
  relayWhileReceiving: boolean;
  corsOrigins: string[];
  intakeExpiryMs: number;
  sweepIntervalMs: number;
  heartbeatMs: number;
  via: ServiceDestination;
  delivery: DeliveryMode;
  linkStore: S3StoreInput | undefined;
  webMessaging: Omit<WebMessagingOptionsInput, 'guestTokenFile'> | undefined;
  conversation: { accessTokenFile?: string | undefined; accessToken?: string | undefined };
  target: ResolvedConfig | undefined;
  emulator: StartEmulatorOptions | undefined;
  logLevel: LogLevel;
  logStream: Writable;
  clock: Pick<Clock, 'now'>;
}

const MEDIA_RANGE = /^([!#$%&'*+.^_`|~0-9a-z-]+|\*)\/([!#$%&'*+.^_`|~0-9a-z-]+|\*)$/;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`config.${name}`, `${name} must be a whole number from ${min} to ${max}; got ${String(value)}.`);
  }
  return value;
}

function directory(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`config.${name}`, `${name}: give a directory path.`);
  }
  return resolve(value);
}

export function resolveServiceOptions(options: ServiceOptions): ValidServiceOptions {
  const allowedTypes = (options.allowedTypes ?? [...DEFAULT_ALLOWED_TYPES]).map((type) => type.trim().toLowerCase());
  const badType = allowedTypes.find((type) => !MEDIA_RANGE.test(type) || /^\*\/[^*]/.test(type));
  if (badType !== undefined || allowedTypes.length === 0) {
    throw new ConfigError(
      'config.allowed_types',
      `allowedTypes: ${badType === undefined ? 'the list is empty' : `${JSON.stringify(badType.slice(0, 100))} is not a media type`}; give type/subtype, type/* or */*.`,
    );
  }
  const apiKeys = options.apiKeys ?? [];
  const adminKeys = options.adminKeys ?? [];
  if ([...apiKeys, ...adminKeys].some((key) => typeof key !== 'string' || key.length < 16 || /\s/.test(key))) {
    throw new ConfigError('config.api_key', 'apiKeys: every API key (and admin key) must be at least 16 characters without whitespace.');
  }
  const host = options.host ?? SERVICE_DEFAULTS.host;
  const allowOpen = options.allowOpen === true;
  if (!isLoopbackHost(host) && apiKeys.length + adminKeys.length === 0 && !allowOpen) {
    throw new ConfigError(
      'config.open_service',
      `Refusing to listen on ${host} without API keys: anyone who can reach it could send files in your org's name. ` +
        'Give --api-key (or GENESYS_UPLOAD_API_KEYS), or --allow-open when something in front of the service authenticates.',
    );
  }
  const publicHosts = (options.publicHosts ?? []).map((name) => name.trim().toLowerCase());
  const badHost = publicHosts.find((name) => !/^([a-z0-9-]+\.)*[a-z0-9-]+\.?$|^[0-9a-f:.]+$/.test(name));
  if (badHost !== undefined) {
    throw new ConfigError('config.public_host', `publicHosts: ${JSON.stringify(badHost.slice(0, 100))} is not a host name such as uploads.example.com (no scheme, no port).`);
  }
  const frameAncestors = (options.frameAncestors ?? SERVICE_DEFAULTS.frameAncestors).trim();
  if (!/^('none'|'self'|(('self'|https?:\/\/[^\s;,'"]+)( +|$))+)$/.test(frameAncestors)) {
    throw new ConfigError('config.frame_ancestors', `frameAncestors: ${JSON.stringify(frameAncestors.slice(0, 100))} must be 'none', 'self' or origins such as https://portal.example.com, space-separated.`);
  }
  const corsOrigins = options.corsOrigins ?? [];
  const badOrigin = corsOrigins.find((origin) => origin !== '*' && !/^https?:\/\/[^/?#\s]+$/.test(origin));
  if (badOrigin !== undefined) {
    throw new ConfigError('config.cors_origin', `corsOrigins: ${JSON.stringify(badOrigin.slice(0, 100))} is not an origin such as https://app.example.com or *.`);
  }
  const via = options.via ?? 'genesys-files';
  if (!SERVICE_DESTINATIONS.includes(via)) {
    throw new ConfigError('config.via', `via must be one of ${SERVICE_DESTINATIONS.join(', ')}; got ${JSON.stringify(String(via).slice(0, 40))}.`);
  }
  const delivery = options.delivery ?? 'auto';
  if (!DELIVERY_MODES.includes(delivery)) {
    throw new ConfigError('config.delivery', `delivery must be one of ${DELIVERY_MODES.join(', ')}; got ${JSON.stringify(String(delivery).slice(0, 40))}.`);
  }
  if (delivery === 'link' && options.linkStore === undefined) {
    throw new ConfigError('config.link_store', 'delivery link needs a link store: --link-store s3://bucket/prefix (or GENESYS_UPLOAD_S3).');
  }
  const emulated = options.emulator !== undefined && options.emulator !== false;
  const webMessagingTarget = via === 'web-messaging' && (options.webMessaging?.region !== undefined || options.webMessaging?.wsUrl !== undefined);
  if (emulated ? options.target !== undefined : options.target === undefined && !webMessagingTarget) {
    throw new ConfigError(
      'config.target',
      via === 'web-messaging'
        ? 'Give exactly one of a Web Messaging deployment (its region or socket URL, and its deployment id) and emulator.'
        : 'Give exactly one of target (a Genesys Cloud org) and emulator.',
    );
  }
  const logLevel = options.logLevel ?? SERVICE_DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('config.log_level', `logLevel must be one of ${LOG_LEVELS.join(', ')}; got ${String(logLevel)}.`);
  }
  const intakeExpiryMs = integer('intakeExpiryMs', options.intakeExpiryMs ?? SERVICE_DEFAULTS.intakeExpiryMs, 1000, 365 * 24 * HOUR);
  const defaultSweep = Math.max(250, Math.min(Math.floor(intakeExpiryMs / 4), SERVICE_DEFAULTS.maxSweepIntervalMs));
  const d = SERVICE_DEFAULTS;
  return {
    host,
    adminKeys: [...adminKeys],
    publicHosts,
    allowOpen,
    idleTimeoutMs: integer('idleTimeoutMs', options.idleTimeoutMs ?? d.idleTimeoutMs, 100, 24 * HOUR),
    maxConnections: integer('maxConnections', options.maxConnections ?? d.maxConnections, 1, 1_000_000),
    minBodyRate: integer('minBodyRate', options.minBodyRate ?? d.minBodyRate, 0, 1024 * MiB),
    bodyRateWindowMs: integer('bodyRateWindowMs', options.bodyRateWindowMs ?? d.bodyRateWindowMs, 50, HOUR),
    createRatePerMinute: integer('createRatePerMinute', options.createRatePerMinute ?? d.createRatePerMinute, 1, 1_000_000),
    maxIntakes: integer('maxIntakes', options.maxIntakes ?? d.maxIntakes, 1, 1_000_000),
    minFreeSpace: integer('minFreeSpace', options.minFreeSpace ?? d.minFreeSpace, 0, Number.MAX_SAFE_INTEGER),
    maxMetadataBytes: integer('maxMetadataBytes', options.maxMetadataBytes ?? d.maxMetadataBytes, 256, 64 * 1024),
    retentionMs: integer('retentionMs', options.retentionMs ?? d.retentionMs, 1000, 3650 * 24 * HOUR),
    frameAncestors,
    allowExecutables: options.allowExecutables === true,
    storeBusyTimeoutMs: integer('storeBusyTimeoutMs', options.storeBusyTimeoutMs ?? d.storeBusyTimeoutMs, 0, 60_000),
    readinessFailureCacheMs: integer('readinessFailureCacheMs', options.readinessFailureCacheMs ?? d.readinessFailureCacheMs, 0, HOUR),
    port: integer('port', options.port ?? SERVICE_DEFAULTS.port, 0, 65_535),
    spoolDir: directory('spoolDir', options.spoolDir),
    stateDir: directory('stateDir', options.stateDir),
    maxSize: integer('maxSize', options.maxSize ?? SERVICE_DEFAULTS.maxSize, 1, Number.MAX_SAFE_INTEGER),
    allowedTypes: [...new Set(allowedTypes)],
    apiKeys: [...apiKeys],
    maxJobs: integer('maxJobs', options.maxJobs ?? SERVICE_DEFAULTS.maxJobs, 1, 64),
    concurrency: integer('concurrency', options.concurrency ?? SERVICE_DEFAULTS.concurrency, 1, MAX_CONCURRENCY),
    relayWhileReceiving: options.relayWhileReceiving ?? true,
    corsOrigins: [...corsOrigins],
    intakeExpiryMs,
    sweepIntervalMs: integer('sweepIntervalMs', options.sweepIntervalMs ?? defaultSweep, 10, 24 * HOUR),
    heartbeatMs: integer('heartbeatMs', options.heartbeatMs ?? SERVICE_DEFAULTS.heartbeatMs, 10, HOUR),
    via,
    delivery,
    linkStore: options.linkStore,
    webMessaging: options.webMessaging,
    conversation: { ...options.conversation },
    target: options.target,
    emulator: options.emulator === undefined || options.emulator === false ? undefined : options.emulator === true ? {} : options.emulator,
    logLevel,
    logStream: options.logStream ?? process.stderr,
    clock: options.clock ?? { now: () => Date.now() },
  };
}
