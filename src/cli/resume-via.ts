/**
 * `resume` of a Web Messaging or conversation job: the destination is rebuilt from what the
 * journal recorded (the socket URL, Origin and the guest's kept token; the org and the
 * conversation id), the secrets come from where they always do (the kept guest token file; the
 * access token or client credentials), and the same pipeline continues the entry.
 */
import { ConfigError } from '../errors/index.js';
import { resolveWebMessagingOptions } from '../destinations/web-messaging/index.js';
import type { Journal, JournalEntry } from '../journal/index.js';
import { conversationIdOf, openConversationVia } from './conversation-options.js';
import { reportError } from './report-error.js';
import { runViaSend, type OutputFlags } from './run-upload.js';
import { targetFlagsToConfigFlags } from './target-options.js';
import { openWebMessagingVia, type OpenedVia } from './web-messaging-options.js';

interface ResumeViaFlags extends OutputFlags {
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

async function openFor(entry: JournalEntry, journal: Journal, flags: ResumeViaFlags): Promise<OpenedVia> {
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

export async function resumeThrough(entry: JournalEntry, journal: Journal, flags: ResumeViaFlags): Promise<number> {
  let opened: OpenedVia;
  try {
    opened = await openFor(entry, journal, flags);
  } catch (error) {
    return reportError(error, { json: flags.json ?? false });
  }
  try {
    if (!flags.quiet) process.stderr.write(`Journal entry ${entry.id}: ${entry.file.path} → ${entry.target.description}\n`);
    return await runViaSend(
      opened.via,
      {
        filePath: entry.file.path,
        text: entry.delivery.text,
        contentType: entry.contentType,
        fileName: entry.fileName,
        concurrency: flags.concurrency,
        maxRps: flags.maxRps,
        journal,
        journalId: entry.id,
        redeliver: flags.redeliver,
      },
      flags,
    );
  } finally {
    await opened.close();
  }
}
