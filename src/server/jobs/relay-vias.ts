/**
 * Where the service's jobs go (`serve --via`): for each relay attempt, the Via (destination +
 * transport + journal target) the pipeline sends through, built with the same helpers as the
 * CLI's `send` so that both journal a job the same way.
 *
 * - genesys-files: the tutorial's Files API through the service's one GenesysClient.
 * - web-messaging: a guest connection per attempt; the job's kept token (guest-tokens.ts), given
 *   at intake or made for a new guest before its first upload, so a restarted relay continues as
 *   the same guest. The journal target names the service, not the guest: a new guest's job is
 *   found again after a restart although its token did not exist when the job began.
 * - conversation: the Platform API with the org's client credentials or a supplied user token,
 *   into the job's conversationId (and communicationId, else the connected one is looked up).
 */
import type { ResolvedConfig } from '../../config/index.js';
import type { WebMessagingConfig } from '../../destinations/web-messaging/index.js';
import type { Journal, RecordedTarget } from '../../journal/index.js';
import { DEFAULT_LANGUAGE } from '../../relay/deliver-file.js';
import type { GenesysClient } from '../../relay/genesys-client.js';
import { genesysFilesVia } from '../../relay/via.js';
import { openConversationVia } from '../../relay/conversation-via.js';
import { openWebMessagingVia, targetOf, type OpenedVia } from '../../relay/web-messaging-via.js';
import type { DeliveryMode, LinkStore } from '../../relay/delivery-choice.js';
import type { ServiceDestination } from '../intake/destination-metadata.js';
import type { Job } from './job.js';

export interface RelayVias {
  readonly name: ServiceDestination;
  /** web-messaging and conversation: attachment, link or auto (delivery-choice.ts), with the link store if any. */
  delivery?: { mode: DeliveryMode; link: LinkStore | undefined } | undefined;
  /** The Files API client (genesys-files), for the journal-less fallback of relay-job.ts. */
  readonly client: GenesysClient | undefined;
  /**
   * Opens the Via for one attempt of `job` on its spooled file; close() it after the attempt.
   * (relay-job.ts sends Files API jobs with `client` and sendFile, the same pipeline with that
   * API's own fallbacks; `open` is there for any caller that wants the Via.)
   */
  open(job: Job, filePath: string, signal: AbortSignal): Promise<OpenedVia>;
}

/** The journal target of the service's Web Messaging jobs (with the spool path, the job key). */
export function webMessagingServiceTarget(config: WebMessagingConfig): RecordedTarget {
  return targetOf(config, 'serve job');
}

export function filesVias(client: GenesysClient): RelayVias {
  return {
    name: 'genesys-files',
    client,
    open: async (job) => ({
      via: genesysFilesVia(client, { to: job.to, language: job.language ?? DEFAULT_LANGUAGE }),
      close: async () => {},
    }),
  };
}

export function webMessagingVias(config: WebMessagingConfig, journal: Journal): RelayVias {
  const target = webMessagingServiceTarget(config);
  return {
    name: 'web-messaging',
    client: undefined,
    open: (job, filePath, signal) =>
      openWebMessagingVia({
        config: { ...config, guestTokenFile: undefined },
        filePath,
        journal,
        signal,
        resumeTarget: target,
        // A customer's guest: without its kept token a new guest would be another conversation.
        requireKeptToken: job.details['guest'] === 'existing',
      }),
  };
}

/** The org's settings as the CLI's flags, so the conversation client is built as `send` builds it. */
export function conversationVias(config: ResolvedConfig, auth: { accessTokenFile?: string | undefined; accessToken?: string | undefined }): RelayVias {
  const configFlags = { loginUrl: config.loginUrl, apiUrl: config.apiUrl, clientId: config.clientId, clientSecret: config.clientSecret };
  const env = auth.accessToken === undefined ? {} : { GENESYS_ACCESS_TOKEN: auth.accessToken };
  return {
    name: 'conversation',
    client: undefined,
    open: async (job) =>
      openConversationVia({
        flags: { conversationId: job.details['conversationId'], communicationId: job.details['communicationId'], accessTokenFile: auth.accessTokenFile },
        configFlags,
        env,
      }),
  };
}
