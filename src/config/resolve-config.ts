/**
 * Reads the connection settings from the environment and command-line flags, validates them and
 * returns where to log in and where to call the API. Flags override the environment. The client
 * secret is never echoed: not in errors, not in `target`, and it is a non-enumerable property so
 * that logging or JSON-serialising the config does not reveal it.
 */
import { ConfigError } from '../errors/index.js';
import { GENESYS_REGIONS, regionOrigins } from './regions.js';

export interface ConfigFlags {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  baseUrl?: string | undefined;
  region?: string | undefined;
  loginUrl?: string | undefined;
  apiUrl?: string | undefined;
}

export interface ResolvedConfig {
  clientId: string;
  /** Non-enumerable: absent from JSON.stringify, util.inspect and object spreads. */
  readonly clientSecret: string;
  /** Login origin, e.g. https://login.mypurecloud.ie (no trailing slash). */
  loginUrl: string;
  /** API origin, e.g. https://api.mypurecloud.ie (no trailing slash). */
  apiUrl: string;
  /** Where we are going, for people: never contains the secret. */
  target: string;
}

export interface ResolveConfigInput {
  env: NodeJS.ProcessEnv;
  flags: ConfigFlags;
}

/** Setting names as the user sees them, for error messages. */
const SETTING = {
  clientId: 'GENESYS_CLIENT_ID (--client-id)',
  clientSecret: 'GENESYS_CLIENT_SECRET (--client-secret-file)',
  baseUrl: 'GENESYS_BASE_URL (--base-url)',
  region: 'GENESYS_REGION (--region)',
  loginUrl: 'GENESYS_LOGIN_URL (--login-url)',
  apiUrl: 'GENESYS_API_URL (--api-url)',
} as const;

const ENV = {
  clientId: 'GENESYS_CLIENT_ID',
  clientSecret: 'GENESYS_CLIENT_SECRET',
  baseUrl: 'GENESYS_BASE_URL',
  region: 'GENESYS_REGION',
  loginUrl: 'GENESYS_LOGIN_URL',
  apiUrl: 'GENESYS_API_URL',
} as const;

type Key = keyof typeof ENV;
type TargetKey = 'baseUrl' | 'region' | 'loginUrl' | 'apiUrl';
const TARGET_KEYS: readonly TargetKey[] = ['baseUrl', 'region', 'loginUrl', 'apiUrl'];

/** An empty or blank value counts as not given (so `GENESYS_REGION=` does not shadow a flag). */
function given(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function resolveConfig(input: ResolveConfigInput): ResolvedConfig {
  const fromFlags = (key: Key): string | undefined => given(input.flags[key]);
  const fromEnv = (key: Key): string | undefined => given(input.env[ENV[key]]);
  const pick = (key: Key): string | undefined => fromFlags(key) ?? fromEnv(key);

  const clientId = pick('clientId');
  if (clientId === undefined) {
    throw new ConfigError(
      'config.client_id',
      `${SETTING.clientId} is not set. Give the client id of a Genesys Cloud OAuth client with the Client Credentials grant.`,
    );
  }
  const clientSecret = pick('clientSecret');
  if (clientSecret === undefined) {
    throw new ConfigError(
      'config.client_secret',
      `${SETTING.clientSecret} is not set. Give the secret of the OAuth client ${JSON.stringify(clientId)}.`,
    );
  }

  // The target comes from one source as a whole: any target flag replaces the environment's target
  // (mixing --base-url with an exported GENESYS_REGION would otherwise be an error nobody meant).
  const flagTarget = TARGET_KEYS.some((key) => fromFlags(key) !== undefined);
  const targetValue = (key: TargetKey): string | undefined => (flagTarget ? fromFlags(key) : fromEnv(key));
  const { loginUrl, apiUrl, described } = resolveTarget(targetValue);

  const config = { clientId, loginUrl, apiUrl, target: `${described}, OAuth client ${clientId}` } as ResolvedConfig;
  Object.defineProperty(config, 'clientSecret', { value: clientSecret, enumerable: false, writable: false });
  return config;
}

/**
 * Only where to log in and call the API, from the same settings and with the same rules as
 * `resolveConfig`, for callers that bring their own access token (no client id or secret needed).
 */
export function resolveOrigins(input: ResolveConfigInput): { loginUrl: string; apiUrl: string; described: string } {
  const fromFlags = (key: TargetKey): string | undefined => given(input.flags[key]);
  const flagTarget = TARGET_KEYS.some((key) => fromFlags(key) !== undefined);
  return resolveTarget((key) => (flagTarget ? fromFlags(key) : given(input.env[ENV[key]])));
}

function resolveTarget(value: (key: TargetKey) => string | undefined): {
  loginUrl: string;
  apiUrl: string;
  described: string;
} {
  const baseUrl = value('baseUrl');
  const region = value('region');
  const loginUrl = value('loginUrl');
  const apiUrl = value('apiUrl');
  const chosen = [baseUrl && 'baseUrl', region && 'region', (loginUrl || apiUrl) && 'loginUrl+apiUrl'].filter(Boolean);
  const howTo =
    `Set exactly one of ${SETTING.baseUrl}, ${SETTING.region} (e.g. mypurecloud.ie), ` +
    `or ${SETTING.loginUrl} together with ${SETTING.apiUrl}.`;
  if (chosen.length === 0) {
    throw new ConfigError('config.target', `No Genesys Cloud org is configured. ${howTo}`);
  }
  if (chosen.length > 1) {
    throw new ConfigError('config.target', `Conflicting targets (${chosen.join(', ')}). ${howTo}`);
  }
  if (baseUrl !== undefined) {
    const origin = parseOrigin(baseUrl, SETTING.baseUrl, 'config.base_url');
    return { loginUrl: origin, apiUrl: origin, described: origin };
  }
  if (region !== undefined) {
    const origins = regionOrigins(region);
    if (origins === undefined) {
      throw new ConfigError(
        'config.region',
        `${SETTING.region}: ${JSON.stringify(region.slice(0, 100))} is not a Genesys Cloud region. ` +
          `Allowed: ${GENESYS_REGIONS.join(', ')}. For any other host use ${SETTING.baseUrl} or ${SETTING.loginUrl} + ${SETTING.apiUrl}.`,
      );
    }
    return { ...origins, described: `region ${region.trim().toLowerCase()} (${origins.apiUrl})` };
  }
  if (loginUrl === undefined) {
    throw new ConfigError('config.login_url', `${SETTING.loginUrl} is not set but ${SETTING.apiUrl} is: give both.`);
  }
  if (apiUrl === undefined) {
    throw new ConfigError('config.api_url', `${SETTING.apiUrl} is not set but ${SETTING.loginUrl} is: give both.`);
  }
  const login = parseOrigin(loginUrl, SETTING.loginUrl, 'config.login_url');
  const api = parseOrigin(apiUrl, SETTING.apiUrl, 'config.api_url');
  return { loginUrl: login, apiUrl: api, described: `${api} (login ${login})` };
}

/** Accepts `http(s)://host[:port]` with an optional trailing slash; returns the origin. */
function parseOrigin(raw: string, setting: string, code: string): string {
  const allowed = 'an http(s) origin such as https://api.mypurecloud.com or http://127.0.0.1:8080 (scheme, host and optional port; no path, query, or user info)';
  // Echo what was given only when it cannot hold credentials (user info or a query string).
  const shown = /[@?#]/.test(raw) ? 'the value' : JSON.stringify(raw.slice(0, 200));
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(code, `${setting}: ${shown} is not a URL. Give ${allowed}.`);
  }
  const bad =
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    raw.includes('?') ||
    raw.includes('#') ||
    (url.pathname !== '/' && url.pathname !== '');
  if (bad) throw new ConfigError(code, `${setting}: ${shown} is not an origin. Give ${allowed}.`);
  return url.origin;
}
