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
import { CONTENT_TYPES } from '../upload/content-type.js';
import { MAX_CONCURRENCY } from '../upload/options.js';

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
  /** Bearer keys; when non-empty every /files and /api request needs one. Default: none (open). */
  apiKeys?: string[];
  /** Relay jobs running at once; the rest queue. Default 2. */
  maxJobs?: number;
  /** Segments in flight per relay job (1..32); default 4. */
  concurrency?: number;
  /** Origins allowed by CORS (`*` for any); default none (same-origin only). */
  corsOrigins?: string[];
  /** Unfinished intakes expire this long after creation; default 24 h. */
  intakeExpiryMs?: number;
  /** How often expired intakes are swept; default min(expiry / 4, 60 s). */
  sweepIntervalMs?: number;
  /** SSE heartbeat comment interval; default 15 s. */
  heartbeatMs?: number;
  /** Relay to this Genesys Cloud org. Exactly one of `target` and `emulator` must be given. */
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
});

/** The engine's known media types, unique and sorted: the default allowlist. */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = Object.freeze([...new Set(Object.values(CONTENT_TYPES))].sort());

export interface ValidServiceOptions {
  host: string;
  port: number;
  spoolDir: string;
  stateDir: string;
  maxSize: number;
  allowedTypes: string[];
  apiKeys: string[];
  maxJobs: number;
  concurrency: number;
  corsOrigins: string[];
  intakeExpiryMs: number;
  sweepIntervalMs: number;
  heartbeatMs: number;
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
  if (apiKeys.some((key) => typeof key !== 'string' || key.length < 16 || /\s/.test(key))) {
    throw new ConfigError('config.api_key', 'apiKeys: every API key must be at least 16 characters without whitespace.');
  }
  const corsOrigins = options.corsOrigins ?? [];
  const badOrigin = corsOrigins.find((origin) => origin !== '*' && !/^https?:\/\/[^/?#\s]+$/.test(origin));
  if (badOrigin !== undefined) {
    throw new ConfigError('config.cors_origin', `corsOrigins: ${JSON.stringify(badOrigin.slice(0, 100))} is not an origin such as https://app.example.com or *.`);
  }
  if ((options.target === undefined) === (options.emulator === undefined || options.emulator === false)) {
    throw new ConfigError('config.target', 'Give exactly one of target (a Genesys Cloud org) and emulator.');
  }
  const logLevel = options.logLevel ?? SERVICE_DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('config.log_level', `logLevel must be one of ${LOG_LEVELS.join(', ')}; got ${String(logLevel)}.`);
  }
  const intakeExpiryMs = integer('intakeExpiryMs', options.intakeExpiryMs ?? SERVICE_DEFAULTS.intakeExpiryMs, 1000, 365 * 24 * HOUR);
  const defaultSweep = Math.max(250, Math.min(Math.floor(intakeExpiryMs / 4), SERVICE_DEFAULTS.maxSweepIntervalMs));
  return {
    host: options.host ?? SERVICE_DEFAULTS.host,
    port: integer('port', options.port ?? SERVICE_DEFAULTS.port, 0, 65_535),
    spoolDir: directory('spoolDir', options.spoolDir),
    stateDir: directory('stateDir', options.stateDir),
    maxSize: integer('maxSize', options.maxSize ?? SERVICE_DEFAULTS.maxSize, 1, Number.MAX_SAFE_INTEGER),
    allowedTypes: [...new Set(allowedTypes)],
    apiKeys: [...apiKeys],
    maxJobs: integer('maxJobs', options.maxJobs ?? SERVICE_DEFAULTS.maxJobs, 1, 64),
    concurrency: integer('concurrency', options.concurrency ?? SERVICE_DEFAULTS.concurrency, 1, MAX_CONCURRENCY),
    corsOrigins: [...corsOrigins],
    intakeExpiryMs,
    sweepIntervalMs: integer('sweepIntervalMs', options.sweepIntervalMs ?? defaultSweep, 10, 24 * HOUR),
    heartbeatMs: integer('heartbeatMs', options.heartbeatMs ?? SERVICE_DEFAULTS.heartbeatMs, 10, HOUR),
    target: options.target,
    emulator: options.emulator === undefined || options.emulator === false ? undefined : options.emulator === true ? {} : options.emulator,
    logLevel,
    logStream: options.logStream ?? process.stderr,
    clock: options.clock ?? { now: () => Date.now() },
  };
}

/** Whether `contentType` (parameters ignored, case-insensitive) matches the allowlist. */
export function typeAllowed(allowedTypes: readonly string[], contentType: string): boolean {
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const [type] = essence.split('/');
  return allowedTypes.some((allowed) => allowed === '*/*' || allowed === essence || allowed === `${type}/*`);
}
