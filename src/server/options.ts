/**
 * The proxy service's options validated (their fields and defaults are in service-options.ts). A bad
 * option throws a ConfigError naming the option and what is allowed. startService() and the `serve`
 * command both go through resolveServiceOptions().
 */
import { resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { MAX_CONCURRENCY } from '../upload/options.js';
import { isLoopbackHost } from './http/host-check.js';
import { DEFAULT_ALLOWED_TYPES } from './intake/allowed-types.js';
import { SERVICE_DESTINATIONS } from './intake/destination-metadata.js';
import { DELIVERY_MODES } from '../relay/delivery-choice.js';
import { SERVICE_DEFAULTS, type LogLevel, type ServiceOptions, type ValidServiceOptions } from './service-options.js';

export { DEFAULT_ALLOWED_TYPES, typeAllowed } from './intake/allowed-types.js';
export { SERVICE_DEFAULTS, type LogLevel, type ServiceOptions, type ValidServiceOptions } from './service-options.js';

const MiB = 1024 * 1024;
const HOUR = 3_600_000;

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
