/**
 * The Web Messaging destination's settings, validated once (so the CLI and the service just call
 * this): a deployment id, exactly one of a region domain (→ wss://webmessaging.{region}/v1 and
 * https://api.{region}) or an explicit ws(s) URL (the emulator: its REST origin is the same host
 * over http(s)), an optional Origin header, and an optional file holding an existing guest's token.
 * Each error names the setting and what is allowed. The token itself is read by `readGuestToken`
 * (guest-token.ts) and never appears in the config, an error, or output.
 */
import { ConfigError } from '../../errors/index.js';
import { GENESYS_REGIONS } from '../../config/regions.js';

export interface WebMessagingOptionsInput {
  deploymentId?: string | undefined;
  region?: string | undefined;
  wsUrl?: string | undefined;
  origin?: string | undefined;
  guestTokenFile?: string | undefined;
}

export interface WebMessagingConfig {
  deploymentId: string;
  /** The socket URL, with deploymentId in its query. */
  wsUrl: string;
  /** Where the history route lives (https://api.{region}, or the emulator's http origin). */
  apiOrigin: string;
  origin: string | undefined;
  /** Undefined: a new guest (a fresh token, a new conversation). */
  guestTokenFile: string | undefined;
  /** For people and the journal's key: no secret. */
  target: string;
}

const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export function resolveWebMessagingOptions(input: WebMessagingOptionsInput): WebMessagingConfig {
  const region = given(input.region);
  const rawUrl = given(input.wsUrl);
  if ((region === undefined) === (rawUrl === undefined)) {
    throw new ConfigError('config.webmessaging_target', 'Give exactly one of --region (a Genesys Cloud region domain such as mypurecloud.ie) or --ws-url (a ws:// or wss:// URL, e.g. the emulator\'s ws://127.0.0.1:PORT/v1).');
  }
  let deploymentId = given(input.deploymentId);
  let wsUrl: URL;
  let apiOrigin: string;
  if (region !== undefined) {
    const domain = region.toLowerCase().replace(/\.$/, '');
    if (!GENESYS_REGIONS.includes(domain)) {
      throw new ConfigError('config.region', `--region ${JSON.stringify(region)} is not a Genesys Cloud region domain. Use one of: ${GENESYS_REGIONS.join(', ')}.`);
    }
    wsUrl = new URL(`wss://webmessaging.${domain}/v1`);
    apiOrigin = `https://api.${domain}`;
  } else {
    try {
      wsUrl = new URL(rawUrl as string);
    } catch {
      throw new ConfigError('config.ws_url', `--ws-url ${JSON.stringify(rawUrl)} is not a URL. Give a ws:// or wss:// URL such as ws://127.0.0.1:8080/v1.`);
    }
    if (wsUrl.protocol !== 'ws:' && wsUrl.protocol !== 'wss:') {
      throw new ConfigError('config.ws_url', `--ws-url must start with ws:// or wss://; got ${wsUrl.protocol}//.`);
    }
    if (wsUrl.username !== '' || wsUrl.password !== '') throw new ConfigError('config.ws_url', '--ws-url must not contain a user name or password.');
    const inQuery = given(wsUrl.searchParams.get('deploymentId') ?? undefined);
    if (inQuery !== undefined && deploymentId !== undefined && inQuery !== deploymentId) {
      throw new ConfigError('config.deployment_id', `--deployment-id ${deploymentId} differs from the deploymentId in --ws-url (${inQuery}). Give it once.`);
    }
    deploymentId ??= inQuery;
    apiOrigin = `${wsUrl.protocol === 'wss:' ? 'https:' : 'http:'}//${wsUrl.host}`;
  }
  if (deploymentId === undefined) {
    throw new ConfigError('config.deployment_id', '--deployment-id is required: the id of the Messenger deployment (Admin > Message > Messenger Deployments).');
  }
  if (!DEPLOYMENT_ID.test(deploymentId)) {
    throw new ConfigError('config.deployment_id', `--deployment-id ${JSON.stringify(deploymentId.slice(0, 64))} is not a deployment id (letters, digits and dashes, such as a UUID).`);
  }
  wsUrl.searchParams.set('deploymentId', deploymentId);
  const origin = normaliseOrigin(given(input.origin));
  const guestTokenFile = given(input.guestTokenFile);
  return {
    deploymentId,
    wsUrl: wsUrl.toString(),
    apiOrigin,
    origin,
    guestTokenFile,
    target: `web messaging deployment ${deploymentId} at ${wsUrl.host}`,
  };
}

function normaliseOrigin(origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new ConfigError('config.origin', `--origin ${JSON.stringify(origin)} is not an origin. Give one of the deployment's allowed domains as https://host[:port].`);
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.pathname.length > 1 || parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigError('config.origin', `--origin must be a scheme and host only, such as https://www.example.com; got ${JSON.stringify(origin)}.`);
  }
  return parsed.origin;
}

export { readGuestToken, writeGuestToken, MAX_GUEST_TOKEN_LENGTH } from './guest-token.js';
