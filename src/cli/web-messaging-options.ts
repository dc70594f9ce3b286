/**
 * `--via web-messaging`: its flags and environment, resolved into the destination's settings. The
 * Via a send, a resume or the service runs through is opened by src/relay/web-messaging-via.ts.
 */
import type { Command } from 'commander';
import { resolveWebMessagingOptions, type WebMessagingConfig } from '../destinations/web-messaging/index.js';

export interface WebMessagingFlags {
  deploymentId?: string;
  wsUrl?: string;
  origin?: string;
  guestTokenFile?: string;
  region?: string;
}

export const DEPLOYMENT_ID_ENV = 'GENESYS_DEPLOYMENT_ID';
export const WEBMESSAGING_URL_ENV = 'GENESYS_WEBMESSAGING_URL';

export function addWebMessagingOptions(command: Command): Command {
  return command
    .option('--deployment-id <id>', `web-messaging: the Messenger deployment id (env ${DEPLOYMENT_ID_ENV})`)
    .option('--ws-url <url>', `web-messaging: the guest WebSocket URL instead of --region, e.g. the emulator's ws://127.0.0.1:PORT/v1 (env ${WEBMESSAGING_URL_ENV})`)
    .option('--origin <origin>', "web-messaging: the Origin header, one of the deployment's allowed domains (https://host)")
    .option('--guest-token-file <path>', "web-messaging: send as this existing guest (a file holding its token) into its conversation; default: a new guest");
}

/** Flags win over the environment; exactly one of region and URL (an explicit URL wins over GENESYS_REGION). */
export function webMessagingConfig(flags: WebMessagingFlags, env: NodeJS.ProcessEnv): WebMessagingConfig {
  const wsUrl = flags.wsUrl ?? (flags.region === undefined ? env[WEBMESSAGING_URL_ENV] : undefined);
  const region = wsUrl === undefined ? (flags.region ?? env.GENESYS_REGION) : undefined;
  return resolveWebMessagingOptions({
    deploymentId: flags.deploymentId ?? env[DEPLOYMENT_ID_ENV],
    region,
    wsUrl,
    origin: flags.origin,
    guestTokenFile: flags.guestTokenFile,
  });
}
