/**
 * The S3 link store's settings: defaults declared once, parsed and validated at construction, each
 * refusal naming the setting and the allowed range (a ConfigError, exit status 2).
 *
 * Settings come as the user spells them (`s3://bucket/prefix`, `8MiB`, `7d`) from flags, the
 * environment or a library caller; `parseS3Options` turns them into numbers and checked strings.
 * Credentials are not settings here: the AWS SDK's default chain resolves them (environment,
 * shared config and credentials files, SSO, container and instance roles), so that a secret never
 * passes through our configuration, our journal or our messages. A library caller may still hand
 * explicit credentials (the tests do), which are used as given and never printed.
 */
import { parseDuration, parseSize } from '../../config/units.js';
import { ConfigError } from '../../errors/index.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** S3's multipart rules: parts of 5 MiB..5 GiB (all but the last), at most 10,000 of them. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * GiB;
export const MAX_PARTS = 10_000;
/** S3's largest object (48.8 TiB as of 2025 is for newer buckets; 5 TiB is the portable limit). */
export const MAX_OBJECT_SIZE = 5 * 1024 * GiB;
/** SigV4 pre-signed URLs live at most 7 days. */
export const MAX_LINK_LIFETIME_S = 7 * 24 * 3600;

export const S3_DEFAULTS = Object.freeze({
  region: 'us-east-1',
  /** 8 MiB: the AWS CLI's and lib-storage's default; the buffer pool holds (concurrency + 2) of them. */
  partSize: 8 * MiB,
  linkLifetimeSeconds: MAX_LINK_LIFETIME_S,
  /** Per attempt: each part PUT is signed just before it is sent, so this only has to cover one send. */
  partUrlLifetimeSeconds: 3600,
  /** Attempts of each control call (Create, ListParts, Complete, Abort) by the SDK's standard retry mode. */
  controlAttempts: 5,
});

/** The names settings are known by in messages (the environment variables a user would set). */
export const SETTING = Object.freeze({
  location: 'GENESYS_UPLOAD_S3 (s3://bucket/prefix)',
  region: 'AWS_REGION',
  endpoint: 'GENESYS_UPLOAD_S3_ENDPOINT',
  partSize: 'GENESYS_UPLOAD_S3_PART_SIZE',
  linkLifetime: 'GENESYS_UPLOAD_S3_LINK_LIFETIME',
  publicBaseUrl: 'GENESYS_UPLOAD_S3_PUBLIC_BASE_URL',
  accessKeyId: 'AWS_ACCESS_KEY_ID (or the AWS profile in use)',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY (or the AWS profile in use)',
});

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Settings as given (strings from flags or env, or numbers from a library caller). */
export interface S3StoreInput {
  /** `s3://bucket` or `s3://bucket/prefix/`. */
  location: string;
  region?: string | undefined;
  /** An S3-compatible endpoint (MinIO, Ceph RGW, R2…): `https://host[:port]`. */
  endpoint?: string | undefined;
  /** Path-style addressing; default true with an endpoint (what S3-compatible stores support), false without. */
  forcePathStyle?: boolean | undefined;
  /** Bytes, or `8MiB`, `64 MB`…; 5 MiB..5 GiB. Grown for files that would need more than 10,000 parts. */
  partSize?: number | string | undefined;
  /** Seconds, or `7d`, `12h`, `30m`; at most 7 days. */
  linkLifetime?: number | string | undefined;
  /** Links are this base URL + the object's key (a bucket behind a CDN) instead of pre-signed URLs. */
  publicBaseUrl?: string | undefined;
  /** Explicit credentials; default: the AWS SDK's credential chain. */
  credentials?: S3Credentials | undefined;
  partUrlLifetimeSeconds?: number | undefined;
  controlAttempts?: number | undefined;
}

export interface S3StoreOptions {
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  partSize: number;
  linkLifetimeSeconds: number;
  publicBaseUrl: string | undefined;
  credentials: S3Credentials | undefined;
  partUrlLifetimeSeconds: number;
  controlAttempts: number;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,40}$/;

export function parseLocation(value: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value.trim());
  if (match === null) {
    throw new ConfigError('config.s3_location', `${SETTING.location} must look like s3://bucket or s3://bucket/prefix (got "${value}").`);
  }
  const bucket = match[1] ?? '';
  if (!BUCKET.test(bucket)) {
    throw new ConfigError('config.s3_location', `${SETTING.location}: "${bucket}" is not a valid bucket name (3-63 characters of a-z, 0-9, "." and "-").`);
  }
  let prefix = (match[2] ?? '').replace(/^\/+/, '');
  if (prefix !== '' && !prefix.endsWith('/')) prefix += '/';
  if (prefix.length > 512 || prefix.includes('//') || /[\u0000-\u001f\u007f\\]/.test(prefix)) {
    throw new ConfigError('config.s3_location', `${SETTING.location}: the key prefix must be at most 512 characters, without "//", backslashes or control characters.`);
  }
  return { bucket, prefix };
}

function parseHttpUrl(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('config.s3_url', `${setting} must be an http(s) URL (got "${value}").`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('config.s3_url', `${setting} must be an http(s) URL (got "${value}").`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError('config.s3_url', `${setting} must have no user name, password, query or fragment.`);
  }
  return url.href.replace(/\/+$/, '');
}

export function parseS3Options(input: S3StoreInput): S3StoreOptions {
  const { bucket, prefix } = parseLocation(input.location);
  const region = (input.region ?? S3_DEFAULTS.region).trim();
  if (!REGION.test(region)) {
    throw new ConfigError('config.s3_region', `${SETTING.region} must be a region name such as eu-west-1 (got "${region}").`);
  }
  const endpoint = input.endpoint === undefined || input.endpoint === '' ? undefined : parseHttpUrl(input.endpoint, SETTING.endpoint);
  const partSize = input.partSize === undefined ? S3_DEFAULTS.partSize : parseSize(input.partSize, SETTING.partSize);
  if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
    throw new ConfigError('config.s3_part_size', `${SETTING.partSize} must be from 5 MiB to 5 GiB, S3's limits for a part (got ${partSize} bytes).`);
  }
  const linkLifetimeSeconds = input.linkLifetime === undefined ? S3_DEFAULTS.linkLifetimeSeconds : parseDuration(input.linkLifetime, SETTING.linkLifetime);
  if (linkLifetimeSeconds > MAX_LINK_LIFETIME_S) {
    throw new ConfigError(
      'config.s3_link_lifetime',
      `${SETTING.linkLifetime} must be at most 7 days (604800 s), the longest a SigV4 pre-signed URL can live (got ${linkLifetimeSeconds} s). ` +
        `For longer-lived links configure ${SETTING.publicBaseUrl}.`,
    );
  }
  const partUrlLifetimeSeconds = input.partUrlLifetimeSeconds ?? S3_DEFAULTS.partUrlLifetimeSeconds;
  if (!Number.isSafeInteger(partUrlLifetimeSeconds) || partUrlLifetimeSeconds < 1 || partUrlLifetimeSeconds > MAX_LINK_LIFETIME_S) {
    throw new ConfigError('config.s3_part_url_lifetime', `partUrlLifetimeSeconds must be 1..604800 (got ${partUrlLifetimeSeconds}).`);
  }
  const controlAttempts = input.controlAttempts ?? S3_DEFAULTS.controlAttempts;
  if (!Number.isSafeInteger(controlAttempts) || controlAttempts < 1 || controlAttempts > 20) {
    throw new ConfigError('config.s3_attempts', `controlAttempts must be 1..20 (got ${controlAttempts}).`);
  }
  const credentials = input.credentials;
  if (credentials !== undefined && (credentials.accessKeyId === '' || credentials.secretAccessKey === '')) {
    throw new ConfigError('config.s3_credentials', `Explicit S3 credentials need both ${SETTING.accessKeyId} and ${SETTING.secretAccessKey}.`);
  }
  return {
    bucket,
    prefix,
    region,
    endpoint,
    forcePathStyle: input.forcePathStyle ?? endpoint !== undefined,
    partSize,
    linkLifetimeSeconds,
    publicBaseUrl: input.publicBaseUrl === undefined || input.publicBaseUrl === '' ? undefined : parseHttpUrl(input.publicBaseUrl, SETTING.publicBaseUrl),
    credentials: credentials === undefined ? undefined : { ...credentials },
    partUrlLifetimeSeconds,
    controlAttempts,
  };
}

/** Settings from the environment (the names SETTING lists); undefined when no S3 store is configured. */
export function s3InputFromEnv(env: Record<string, string | undefined>): S3StoreInput | undefined {
  const location = env.GENESYS_UPLOAD_S3;
  if (location === undefined || location === '') return undefined;
  return {
    location,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint: env.GENESYS_UPLOAD_S3_ENDPOINT,
    partSize: env.GENESYS_UPLOAD_S3_PART_SIZE,
    linkLifetime: env.GENESYS_UPLOAD_S3_LINK_LIFETIME,
    publicBaseUrl: env.GENESYS_UPLOAD_S3_PUBLIC_BASE_URL,
  };
}
