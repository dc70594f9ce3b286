/**
 * `resume` of a Web Messaging or conversation job, or of any link job (`<destination>+s3`): the
 * destination is rebuilt from what the journal recorded (the socket URL, Origin and the guest's
 * kept token; the org and the conversation id; the tutorial org and client), the secrets come
 * from where they always do (the kept guest token file; the access token or client credentials;
 * the AWS chain for the link store, whose location and endpoint are given again as for send), and
 * the same pipeline continues the entry.
 */
import { ConfigError } from '../errors/index.js';
import { resolveWebMessagingOptions } from '../destinations/web-messaging/index.js';
import type { ResolvedConfig } from '../config/index.js';
import type { Journal, JournalEntry } from '../journal/index.js';
import { baseNameOf, baseTargetOf, linkVia, LINK_STORE_SETTING } from '../relay/delivery-choice.js';
import { openFilesVia } from './via-options.js';
import { openLinkStoreFromFlags, type LinkStoreFlags } from './delivery-options.js';
import { conversationIdOf, openConversationVia } from '../relay/conversation-via.js';
import { reportError } from './report-error.js';
import { runViaSend, type OutputFlags } from './run-upload.js';
import { targetFlagsToConfigFlags } from './target-options.js';
import { openWebMessagingVia, type OpenedVia } from '../relay/web-messaging-via.js';

interface ResumeViaFlags extends OutputFlags, LinkStoreFlags {
  concurrency: number;
  maxRps?: number;
  redeliver: boolean;
  clientId?: string;
  clientSecretFile?: string;
  accessTokenFile?: string;
}

function communicationOf(entry: JournalEntry): string | undefined {
  const state = entry.sessionState;
  const id = state !== null && typeof state === 'object' && !Array.isArray(state) ? state['communicationId'] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The tutorial org's config of a journalled job (resume.ts: the recorded org and client, the secret from the usual places). */
export type ConfigFor = (entry: JournalEntry) => ResolvedConfig;

async function openFor(entry: JournalEntry, journal: Journal, flags: ResumeViaFlags, configFor: ConfigFor): Promise<OpenedVia> {
  const { base, linkStore } = baseNameOf(entry.destination);
  if (linkStore !== undefined) return openLinkFor(entry, { ...entry, destination: base, target: baseTargetOf(entry.target) }, journal, flags, configFor);
  if (entry.destination === 'genesys-files') {
    return openFilesVia(configFor(entry), { to: entry.delivery.to, language: entry.delivery.language });
  }
  if (entry.destination === 'web-messaging') {
    const config = resolveWebMessagingOptions({ wsUrl: entry.target.apiUrl, origin: entry.target.loginUrl === '' ? undefined : entry.target.loginUrl });
    return openWebMessagingVia({ config, filePath: entry.file.path, journal, resumeTarget: entry.target, requireKeptToken: true });
  }
  const conversationId = conversationIdOf(entry.target);
  if (entry.destination !== 'conversation' || conversationId === undefined) {
    throw new ConfigError('journal.not_resumable', `Upload ${entry.id} went through "${entry.destination}", which this version cannot resume.`);
  }
  const configFlags = { ...targetFlagsToConfigFlags(flags), baseUrl: entry.target.apiUrl };
  const opened = openConversationVia({
    flags: { conversationId, communicationId: communicationOf(entry), accessTokenFile: flags.accessTokenFile },
    configFlags,
    env: process.env,
  });
  return { via: { ...opened.via, target: entry.target }, close: opened.close };
}

/** A link job: its base destination as journalled without the link mark, over the link store the flags or environment give. */
async function openLinkFor(entry: JournalEntry, baseEntry: JournalEntry, journal: Journal, flags: ResumeViaFlags, configFor: ConfigFor): Promise<OpenedVia> {
  const link = await openLinkStoreFromFlags(flags, process.env);
  if (link === undefined) {
    const state = entry.sessionState;
    const bucket = state !== null && typeof state === 'object' && !Array.isArray(state) && typeof state['bucket'] === 'string' ? ` (bucket ${state['bucket']})` : '';
    throw new ConfigError('config.link_store', `Upload ${entry.id} went to a link store${bucket}: give it again, ${LINK_STORE_SETTING}, with the same endpoint.`);
  }
  let base: OpenedVia;
  try {
    base = await openFor(baseEntry, journal, flags, configFor);
  } catch (error) {
    await link.close();
    throw error;
  }
  return {
    via: { ...linkVia(base.via, link), target: entry.target },
    close: async () => {
      await link.close();
      await base.close();
    },
  };
}

/** The send a journal entry records, continued: its file, recipients, text and type, with this run's flags. */
export function resumeSendOptions(entry: JournalEntry, journal: Journal, flags: Pick<ResumeViaFlags, 'concurrency' | 'maxRps' | 'redeliver'>) {
  return {
    filePath: entry.file.path,
    to: entry.delivery.to,
    language: entry.delivery.language,
    text: entry.delivery.text,
    contentType: entry.contentType,
    fileName: entry.fileName,
    concurrency: flags.concurrency,
    maxRps: flags.maxRps,
    journal,
    journalId: entry.id,
    redeliver: flags.redeliver,
  };
}

export async function resumeThrough(entry: JournalEntry, journal: Journal, flags: ResumeViaFlags, configFor: ConfigFor): Promise<number> {
  let opened: OpenedVia;
  try {
    opened = await openFor(entry, journal, flags, configFor);
  } catch (error) {
    return reportError(error, { json: flags.json ?? false });
  }
  try {
    if (!flags.quiet) process.stderr.write(`Journal entry ${entry.id}: ${entry.file.path} → ${entry.target.description}\n`);
    return await runViaSend(opened.via, resumeSendOptions(entry, journal, flags), flags);
  } finally {
    await opened.close();
  }
}
