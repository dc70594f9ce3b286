/**
 * The proxy service's options as given (ServiceOptions, every field optional but the dirs, each
 * with its default in words), their defaults declared once (SERVICE_DEFAULTS), and the checked
 * form the service runs on (ValidServiceOptions). Kept apart from options.ts, which validates, so
 * that the long list of fields and the rules that check them each read on their own.
 */
import type { Writable } from 'node:stream';
import type { ResolvedConfig } from '../config/index.js';
import type { StartEmulatorOptions } from '../emulator/index.js';
import type { Clock } from '../http/clock.js';
import type { ServiceDestination } from './intake/destination-metadata.js';
import type { WebMessagingOptionsInput } from '../destinations/web-messaging/index.js';
import type { S3StoreSettings } from '../destinations/s3/index.js';
import type { DeliveryMode } from '../relay/delivery-choice.js';

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
  linkStore?: S3StoreSettings;
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
  linkStore: S3StoreSettings | undefined;
  webMessaging: Omit<WebMessagingOptionsInput, 'guestTokenFile'> | undefined;
  conversation: { accessTokenFile?: string | undefined; accessToken?: string | undefined };
  target: ResolvedConfig | undefined;
  emulator: StartEmulatorOptions | undefined;
  logLevel: LogLevel;
  logStream: Writable;
  clock: Pick<Clock, 'now'>;
}
