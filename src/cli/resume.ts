/**
 * `genesys-upload resume [ID]`: continue an interrupted send from the journal, with the file,
 * recipients, text and org recorded there. Without ID, the most recent unfinished one. Needs the
 * same OAuth client (its secret from GENESYS_CLIENT_SECRET or --client-secret-file).
 */
import { Command } from 'commander';
import { resolveConfig, type ResolvedConfig } from '../config/index.js';
import { ConfigError } from '../errors/index.js';
import type { Journal, JournalEntry } from '../journal/index.js';
import { createGenesysClient } from '../relay/index.js';
import { resumeSendOptions, resumeThrough } from './resume-via.js';
import { integerInRange, positiveNumber } from './parse-number.js';
import { reportError } from './report-error.js';
import { runFilesSend } from './run-upload.js';
import { addJournalOptions, openJournalFromFlags, type JournalFlags } from './state-dir-option.js';
import { targetFlagsToConfigFlags } from './target-options.js';
import { addLinkStoreOptions, type LinkStoreFlags } from './delivery-options.js';

interface ResumeFlags extends JournalFlags, LinkStoreFlags {
  concurrency: number;
  maxRps?: number;
  redeliver: boolean;
  json: boolean;
  quiet: boolean;
  clientId?: string;
  clientSecretFile?: string;
  accessTokenFile?: string;
  origin?: string;
}

const UNFINISHED = new Set(['uploading', 'completed', 'sending']);

export function resumeCommand(): Command {
  const command = new Command('resume')
    .summary('continue an interrupted send from the journal')
    .description(
      'Continue an interrupted send recorded in the resume journal: the same file, recipients, text and ' +
        'Genesys Cloud org. Without ID, the most recent unfinished one (see genesys-upload uploads). The ' +
        'server is asked what it holds; only missing or different chunks are sent, and a message that ' +
        'was already sent is never sent again.',
    )
    .argument('[id]', 'the journal entry (or a unique prefix of it)')
    .option('--concurrency <n>', 'chunks in flight at once (1-32)', integerInRange(1, 32), 4)
    .option('--max-rps <n>', 'cap storage requests per second', positiveNumber(10_000))
    .option('--redeliver', 'send the message although an earlier attempt may have arrived (its delivery is uncertain)', false)
    .option('--json', 'print one JSON object with the result as the last line of stdout', false)
    .option('--quiet', 'no progress output', false)
    .option('--client-id <id>', 'OAuth client id; must be the one the upload was started with (env GENESYS_CLIENT_ID)')
    .option('--client-secret-file <path>', 'read the OAuth client secret from this file (default: env GENESYS_CLIENT_SECRET)')
    .option('--access-token-file <path>', 'conversation: a user access token in this file (env GENESYS_ACCESS_TOKEN)');
  addLinkStoreOptions(command);
  addJournalOptions(command).addHelpText(
    'after',
    '\nExamples:\n  genesys-upload resume\n  genesys-upload resume 3fa2c1d9 --redeliver\n' +
      '  GENESYS_UPLOAD_S3=s3://my-bucket/genesys/ genesys-upload resume 3fa2c1d9   (a send delivered as a link)\n' +
      '\nA send delivered as a link (--delivery link or auto) resumes with the same link store settings as it was\n' +
      'sent with (--link-store or GENESYS_UPLOAD_S3, the endpoint, the AWS credentials); ListParts says which\n' +
      'parts the store holds, and only the others are sent.\n' +
      '\nExit status: as for send; 2 also when there is nothing to resume.',
  );
  return command.action(async (id: string | undefined, flags: ResumeFlags) => {
    process.exitCode = await resume(id, flags);
  });
}

/** The entry to continue: the one named, or the most recent unfinished one. */
export function pickEntry(journal: Journal, id: string | undefined): JournalEntry {
  if (id !== undefined) {
    const entry = journal.find(id);
    if (entry === undefined) throw new ConfigError('journal.not_found', `No upload ${id} in the journal ${journal.file}. Run genesys-upload uploads to list them.`);
    if (entry.state === 'failed' || entry.state === 'abandoned') {
      const why = entry.error === undefined ? '' : ` (${entry.error.message})`;
      throw new ConfigError(
        'journal.not_resumable',
        `Upload ${entry.id} ${entry.state === 'failed' ? 'failed' : 'was replaced'}${why}; it cannot be continued. ` +
          `To send the file again: genesys-upload send ${JSON.stringify(entry.file.path)} --to …`,
      );
    }
    return entry;
  }
  const entry = journal.list().find((e) => UNFINISHED.has(e.state));
  if (entry === undefined) throw new ConfigError('journal.nothing_to_resume', `Nothing to resume: the journal ${journal.file} has no unfinished upload.`);
  return entry;
}

/** The recorded org and client; the secret from the usual places. A different client id is refused. */
function configFor(entry: JournalEntry, flags: ResumeFlags): ResolvedConfig {
  const given = flags.clientId ?? process.env.GENESYS_CLIENT_ID;
  if (given !== undefined && given.trim() !== '' && given.trim() !== entry.target.clientId) {
    throw new ConfigError(
      'journal.other_client',
      `Upload ${entry.id} was started by OAuth client ${entry.target.clientId}, not ${given.trim()}. Resume it with that client's id and secret ` +
        `(GENESYS_CLIENT_ID=${entry.target.clientId} and its GENESYS_CLIENT_SECRET).`,
    );
  }
  const secret = targetFlagsToConfigFlags({ ...(flags.clientSecretFile !== undefined && { clientSecretFile: flags.clientSecretFile }) }).clientSecret;
  const { apiUrl, loginUrl } = entry.target;
  return resolveConfig({
    env: process.env,
    flags: {
      clientId: entry.target.clientId,
      clientSecret: secret,
      ...(apiUrl === loginUrl ? { baseUrl: apiUrl } : { apiUrl, loginUrl }),
    },
  });
}

async function resume(id: string | undefined, flags: ResumeFlags): Promise<number> {
  let journal: Journal | undefined;
  let client;
  let entry: JournalEntry;
  try {
    journal = openJournalFromFlags(flags, process.env);
    if (journal === undefined) throw new ConfigError('journal.disabled', 'resume needs the journal.');
    entry = pickEntry(journal, id);
    if (entry.destination !== 'genesys-files') {
      const done = await resumeThrough(entry, journal, flags, (e) => configFor(e, flags));
      journal.close();
      return done;
    }
    client = createGenesysClient(configFor(entry, flags));
  } catch (error) {
    journal?.close();
    return reportError(error, { json: flags.json });
  }
  try {
    if (!flags.quiet) process.stderr.write(`Journal entry ${entry.id}: ${entry.file.path} → ${entry.delivery.to.join(', ')} (${entry.target.description})\n`);
    return await runFilesSend(client, resumeSendOptions(entry, journal, flags), flags);
  } finally {
    await client.close();
    journal.close();
  }
}
