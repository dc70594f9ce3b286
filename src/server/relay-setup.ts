/**
 * The service's destination, set up once at start (`serve --via`): the Genesys Cloud settings it
 * needs, the Via opener per job (jobs/relay-vias.ts), what /readyz checks, and the kept guest
 * tokens of Web Messaging jobs. Web Messaging and conversation jobs need the resume journal (it
 * is what keeps a restarted relay from sending a second message), so the service does not start
 * without it for them.
 */
import type { Logger } from 'pino';
import { resolveConfig, type ResolvedConfig } from '../config/index.js';
import { parseConversationOptions } from '../destinations/conversation/index.js';
import { resolveWebMessagingOptions, type WebMessagingConfig } from '../destinations/web-messaging/index.js';
import { DEMO_DEPLOYMENT_ID, type EmulatorHandle } from '../emulator/index.js';
import { ConfigError } from '../errors/index.js';
import { openLinkStore, type LinkStore } from '../relay/delivery-choice.js';
import { createGenesysClient } from '../relay/genesys-client.js';
import { GuestTokens } from './jobs/guest-tokens.js';
import type { RelayJournal } from './jobs/relay-journal.js';
import { conversationVias, filesVias, webMessagingServiceTarget, webMessagingVias, type RelayVias } from './jobs/relay-vias.js';
import type { ValidServiceOptions } from './options.js';

export interface RelaySetup {
  vias: RelayVias;
  /** The OAuth client /readyz checks; undefined when the destination uses none. */
  readinessConfig: ResolvedConfig | undefined;
  /** Where jobs go, for the log (no secret). */
  target: string;
  /** Web Messaging jobs' kept guest tokens. */
  guestTokens: GuestTokens | undefined;
  close(): Promise<void>;
}

function emulatorConfig(emulator: EmulatorHandle): ResolvedConfig {
  const demo = emulator.settings().clients[0];
  if (demo === undefined) throw new Error('The embedded emulator has no OAuth client.');
  return resolveConfig({ env: {}, flags: { clientId: demo.id, clientSecret: demo.secret, baseUrl: emulator.url } });
}

/** The link store, when one is configured (its settings are checked now, not at the first job). */
async function openLink(options: ValidServiceOptions): Promise<LinkStore | undefined> {
  return options.linkStore === undefined ? undefined : openLinkStore(options.linkStore);
}

function needJournal(journal: RelayJournal | undefined, via: string): RelayJournal {
  if (journal !== undefined) return journal;
  throw new ConfigError('config.state_dir', `The resume journal could not be opened in the state dir; relaying to ${via} needs it (it keeps a restarted relay from sending a second message). Fix the state dir (see the log).`);
}

function webMessagingConfig(options: ValidServiceOptions, emulator: EmulatorHandle | undefined): WebMessagingConfig {
  const given = options.webMessaging ?? {};
  const socket = given.region === undefined && given.wsUrl === undefined && emulator !== undefined ? { wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1` } : {};
  return resolveWebMessagingOptions({ ...given, ...socket, deploymentId: given.deploymentId ?? (emulator === undefined ? undefined : DEMO_DEPLOYMENT_ID) });
}

export async function setUpRelay(
  options: ValidServiceOptions,
  deps: { emulator: EmulatorHandle | undefined; journal: RelayJournal | undefined; spoolPath: (id: string) => string; logger: Logger },
): Promise<RelaySetup> {
  const config = deps.emulator !== undefined ? emulatorConfig(deps.emulator) : options.target;
  if (options.via === 'web-messaging') {
    const journal = needJournal(deps.journal, options.via);
    const wm = webMessagingConfig(options, deps.emulator);
    const guestTokens = new GuestTokens({ stateDir: journal.journal.stateDir, spoolPath: deps.spoolPath, target: webMessagingServiceTarget(wm), logger: deps.logger });
    const link = await openLink(options);
    const vias = webMessagingVias(wm, journal.journal, { mode: options.delivery, link });
    return { vias, readinessConfig: undefined, target: wm.target, guestTokens, close: async () => link?.close() };
  }
  if (config === undefined) throw new ConfigError('config.target', 'Give exactly one of target (a Genesys Cloud org) and emulator.');
  if (options.via === 'conversation') {
    needJournal(deps.journal, options.via);
    const auth = options.conversation;
    const env = auth.accessToken === undefined ? {} : { GENESYS_ACCESS_TOKEN: auth.accessToken };
    // The token's form (and its file) is checked now, not at the first job.
    const parsed = parseConversationOptions({ flags: { conversationId: 'startup-check', accessTokenFile: auth.accessTokenFile }, env });
    const link = await openLink(options);
    return {
      vias: conversationVias(config, auth, { mode: options.delivery, link }),
      readinessConfig: parsed.auth.kind === 'user' ? undefined : config,
      target: `${config.target}, into conversations${parsed.auth.kind === 'user' ? ` with a user access token from ${parsed.auth.source}` : ''}`,
      guestTokens: undefined,
      close: async () => link?.close(),
    };
  }
  const client = createGenesysClient(config);
  return { vias: filesVias(client), readinessConfig: config, target: config.target, guestTokens: undefined, close: () => client.close() };
}
