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
 *
 * `storage` is the Via a job's upload can go through before its destination is opened (relay
 * while receiving, at the upload's creation): the Files API's, or the link store's for a job that
 * surely goes as a link (delivery-choice.ts `surelyLink`) — storing in S3 needs no guest
 * connection and no Platform API call. Its journal target and name are the ones the job's relay
 * chooses later (`chooseVia`), so that relay finds the stored upload in the journal.
 */
import type { ResolvedConfig } from '../../config/index.js';
import type { Destination, Notifier, Store } from '../../destinations/destination.js';
import { MAX_TEXT_BYTES, WEB_MESSAGING, type WebMessagingConfig } from '../../destinations/web-messaging/index.js';
import { InternalError } from '../../errors/index.js';
import { resolveRetryPolicy } from '../../http/retry-policy.js';
import type { Journal, RecordedTarget } from '../../journal/index.js';
import { DEFAULT_LANGUAGE } from '../../relay/deliver-file.js';
import type { GenesysClient } from '../../relay/genesys-client.js';
import { genesysFilesVia, type Via } from '../../relay/via.js';
import { openConversationVia } from '../../relay/conversation-via.js';
import { openWebMessagingVia, targetOf, type OpenedVia } from '../../relay/web-messaging-via.js';
import { linkVia, surelyLink, type DeliveryMode, type LinkStore } from '../../relay/delivery-choice.js';
import type { ServiceDestination } from '../intake/destination-metadata.js';
import type { Job } from './job.js';

export interface RelayVias {
  readonly name: ServiceDestination;
  /** web-messaging and conversation: attachment, link or auto (delivery-choice.ts), with the link store if any. */
  delivery?: { mode: DeliveryMode; link: LinkStore | undefined } | undefined;
  /**
   * Whether a job needs the resume journal to be delivered exactly once (web-messaging,
   * conversation). Files API jobs can do without: the job record's fileId says that only the
   * message remains, and that notifier settles a lost answer by asking.
   */
  readonly needsJournal: boolean;
  /** Opens the Via for one attempt of `job` on its spooled file; close() it after the attempt. */
  open(job: Job, filePath: string, signal: AbortSignal): Promise<OpenedVia>;
  /**
   * The Via `job`'s upload can be stored through now, before its destination is opened (see the
   * file's comment); undefined when only the opened destination can tell where the file goes.
   * Opens no connection; its notifier is not for use (the job's relay delivers).
   */
  storage(job: Job): Promise<Via | undefined>;
}

/** The delivery mode a job is relayed with: `link` when it surely goes as one (as decided at its creation). */
export function jobDeliveryMode(vias: Pick<RelayVias, 'delivery'>, job: Pick<Job, 'size'>): DeliveryMode | undefined {
  const choice = vias.delivery;
  if (choice === undefined) return undefined;
  return surelyLink(choice.mode, choice.link, job.size) ? 'link' : choice.mode;
}

/**
 * The link Via of a job whose base destination is not opened: the base's name and journal target
 * are all a link job's storing needs; anything else of the base is refused. `maxText` is the
 * base's general text limit, which the link store checks the link message against before
 * storing; a narrower limit known only once the destination is opened (an SMS conversation's 765
 * characters) is checked when the job's relay builds the message.
 */
function unopenedLinkVia(base: { name: string; description: string; target: RecordedTarget; maxText: Notifier['maxText'] }, link: LinkStore): Via {
  const refuse = (): never => {
    throw new InternalError('internal.destination', `${base.description} is not opened here: only the job's relay delivers its message.`);
  };
  const store: Store = { name: base.name, open: refuse, resume: refuse, discard: () => Promise.resolve() };
  const notifier: Notifier = { name: base.name, maxText: base.maxText, prepare: refuse, send: refuse, provablyNotSent: () => false, staleIntent: () => false };
  const destination: Destination = { name: base.name, description: base.description, targetKey: base.target.clientId, store, notifier, close: () => Promise.resolve() };
  return linkVia({ destination, transport: link.transport, retryPolicy: resolveRetryPolicy(), target: base.target }, link);
}

/** The link store when `job` surely goes as a link, else undefined. */
function surelyLinked(delivery: RelayVias['delivery'], job: Job): LinkStore | undefined {
  return delivery !== undefined && surelyLink(delivery.mode, delivery.link, job.size) ? delivery.link : undefined;
}

/** The journal target of the service's Web Messaging jobs (with the spool path, the job key). */
export function webMessagingServiceTarget(config: WebMessagingConfig): RecordedTarget {
  return targetOf(config, 'serve job');
}

export function filesVias(client: GenesysClient): RelayVias {
  const via = (job: Job): Via => genesysFilesVia(client, { to: job.to, language: job.language ?? DEFAULT_LANGUAGE });
  return {
    name: 'genesys-files',
    needsJournal: false,
    open: async (job) => ({ via: via(job), close: async () => {} }),
    storage: async (job) => via(job),
  };
}

export function webMessagingVias(config: WebMessagingConfig, journal: Journal, delivery?: RelayVias['delivery']): RelayVias {
  const target = webMessagingServiceTarget(config);
  return {
    name: 'web-messaging',
    delivery,
    needsJournal: true,
    storage: async (job) => {
      const link = surelyLinked(delivery, job);
      return link === undefined ? undefined : unopenedLinkVia({ name: WEB_MESSAGING, description: config.target, target, maxText: { length: MAX_TEXT_BYTES, unit: 'bytes' } }, link);
    },
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
export function conversationVias(
  config: ResolvedConfig,
  auth: { accessTokenFile?: string | undefined; accessToken?: string | undefined },
  delivery?: RelayVias['delivery'],
): RelayVias {
  const configFlags = { loginUrl: config.loginUrl, apiUrl: config.apiUrl, clientId: config.clientId, clientSecret: config.clientSecret };
  const env = auth.accessToken === undefined ? {} : { GENESYS_ACCESS_TOKEN: auth.accessToken };
  const open = (job: Job): OpenedVia =>
    openConversationVia({
      flags: { conversationId: job.details['conversationId'], communicationId: job.details['communicationId'], accessTokenFile: auth.accessTokenFile },
      configFlags,
      env,
    });
  return {
    name: 'conversation',
    delivery,
    needsJournal: true,
    open: async (job) => open(job),
    storage: async (job) => {
      const link = surelyLinked(delivery, job);
      if (link === undefined) return undefined;
      // Building the destination calls nothing (the token is fetched at the first call): its target, exactly as the relay's.
      const opened = open(job);
      await opened.close();
      const { name, description, notifier } = opened.via.destination;
      return unopenedLinkVia({ name, description, target: opened.via.target, maxText: notifier.maxText }, link);
    },
  };
}
