/**
 * `genesys-upload send FILE`: upload one file and deliver it in a message. With the resume journal
 * (the default) an interrupted send of the same file to the same org continues where it stopped.
 */
import { Command } from 'commander';
import { resolveConfig } from '../config/index.js';
import { createGenesysClient, type SendFileOptions } from '../relay/index.js';
import type { Journal } from '../journal/index.js';
import { ConfigError } from '../errors/index.js';
import { reportError } from './report-error.js';
import { addTargetOptions, targetFlagsToConfigFlags, type TargetFlags } from './target-options.js';
import { collect, integerInRange, positiveNumber } from './parse-number.js';
import { runFilesSend, runViaSend } from './run-upload.js';
import { addViaOption, openFilesVia, resolveVia } from './via-options.js';
import { addWebMessagingOptions, webMessagingConfig, type WebMessagingFlags } from './web-messaging-options.js';
import { addConversationOptions } from './conversation-options.js';
import { openConversationVia } from '../relay/conversation-via.js';
import { openWebMessagingVia, type OpenedVia } from '../relay/web-messaging-via.js';
import { addJournalOptions, openJournalFromFlags, type JournalFlags } from './state-dir-option.js';
import { addDeliveryOptions, chooseOpenedVia, linkStoreInput, type DeliveryFlags } from './delivery-options.js';

interface SendFlags extends TargetFlags, JournalFlags, WebMessagingFlags, DeliveryFlags {
  via?: string;
  conversationId?: string;
  communicationId?: string;
  accessTokenFile?: string;
  restart: boolean;
  redeliver: boolean;
  to: string[];
  text?: string;
  language: string;
  concurrency: number;
  contentType?: string;
  fileName?: string;
  maxRps?: number;
  json: boolean;
  quiet: boolean;
  keepOnError: boolean;
}

export function sendCommand(): Command {
  const command = new Command('send')
    .summary('upload a file to Genesys Cloud and send it in a message')
    .description(
      'Upload FILE and send it in a message, through one of three destinations (--via). ' +
        "genesys-files (the default): the tutorial's Files API, parallel checksummed chunks, then a guest message to --to; " +
        'only the emulator serves it, real orgs have no Files API. ' +
        'web-messaging: as a Web Messaging guest, the file is attached in a new guest conversation (or the one of ' +
        '--guest-token-file) and sent with the text; needs --deployment-id and --region or --ws-url, no OAuth. ' +
        'conversation: into an existing messaging conversation from the agent side (Platform API media), then a message; ' +
        'needs --conversation-id, the org, and client credentials or a user access token. ' +
        'OAuth credentials come from GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET and the org from GENESYS_BASE_URL, ' +
        'GENESYS_REGION, or GENESYS_LOGIN_URL + GENESYS_API_URL.',
    )
    .argument('<file>', 'the file to upload')
    .option('--to <address>', 'genesys-files: a recipient of the message (repeatable, 1 to 10)', collect, [])
    .option('--text <text>', 'the message text (default: "File NAME attached."); for a link, the first line of the link message')
    .option('--language <tag>', 'genesys-files: the guest language, a BCP-47 tag', 'en-US')
    .option('--concurrency <n>', 'chunks in flight at once (1-32)', integerInRange(1, 32), 4)
    .option('--content-type <type>', 'override the media type guessed from the extension')
    .option('--file-name <name>', 'the name to upload under (sanitised; default: the file\'s own)')
    .option('--max-rps <n>', 'cap storage requests per second (10 suits fragile links)', positiveNumber(10_000))
    .option('--json', 'print one JSON object with the result as the last line of stdout', false)
    .option('--quiet', 'no progress output', false)
    .option('--keep-on-error', 'do not abort the remote upload when the send fails or is interrupted: it stays resumable', false)
    .option('--restart', 'discard an unfinished upload of this file (from the journal) and start anew', false)
    .option('--redeliver', 'send the message although an earlier attempt may have arrived (its delivery is uncertain)', false);
  addViaOption(command);
  addDeliveryOptions(command);
  addWebMessagingOptions(command);
  addConversationOptions(command);
  addJournalOptions(command, { optOut: true });
  addTargetOptions(command)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  genesys-upload send report.pdf --to +353861234567 --text "Your report" --base-url http://127.0.0.1:8080\n' +
        '  genesys-upload send big.zip --to ops@example.com --base-url http://127.0.0.1:8080 --json\n' +
        '  genesys-upload send invoice.pdf --via web-messaging --region mypurecloud.ie --deployment-id 6f1c… \\\n' +
        '    --origin https://www.example.com --text "Here is the invoice"\n' +
        '  genesys-upload send photo.jpg --via web-messaging --ws-url ws://127.0.0.1:8080/v1 --deployment-id DEPLOYMENT\n' +
        '  GENESYS_REGION=mypurecloud.ie GENESYS_ACCESS_TOKEN=… genesys-upload send contract.pdf \\\n' +
        '    --via conversation --conversation-id 3f2c… [--communication-id …]\n' +
        '\nWeb Messaging: a new guest\'s token is kept (owner-only) in the state directory so that the same\n' +
        'command continues with the same guest after a crash; it is never printed. Files over the deployment\'s\n' +
        'size limit or of a type it refuses are refused before any upload (exit 4).\n' +
        'Conversation: without --communication-id the connected agent communication is used; a 403 names the\n' +
        'permission and the kind of token used (exit 3).\n' +
        '\nDelivery as a link: a file the destination cannot take (Web Messaging: 10 MB, conversation: 25 MB, or\n' +
        'a refused type) goes to the link store (S3 or S3-compatible) and the message is a text with a download\n' +
        'link, the file\'s name, size, SHA-256 and the link\'s expiry (--delivery auto, the default, when a link\n' +
        'store is configured; --delivery link always). Credentials come from the AWS chain, never from a flag:\n' +
        '  GENESYS_UPLOAD_S3=s3://my-bucket/genesys/ AWS_PROFILE=uploads genesys-upload send big.zip \\\n' +
        '    --via web-messaging --deployment-id 6f1c… --region mypurecloud.ie --delivery link\n' +
        '\nResume: progress is journalled (see --state-dir). Run the same command again after a crash,\n' +
        'a network failure, or Ctrl-C with --keep-on-error, and it continues where it stopped (Ctrl-C\n' +
        'alone aborts the remote upload). A send that was delivered prints its earlier result.\n' +
        'A message whose answer was lost is settled by asking the platform, never re-sent blindly; where the\n' +
        'platform cannot tell, it is left uncertain (see --redeliver).\n' +
        '\nExit status: 0 delivered, 2 usage/config (also: delivery uncertain, decide with --redeliver),\n' +
        '3 authentication/permission, 4 rejected by the platform, 5 integrity (also: the file changed\n' +
        'since its journalled upload, see --restart), 6 transient failures exhausted (also: another\n' +
        'process is sending this file), 130 interrupted, 1 unexpected.',
    )
    .action(async (file: string, flags: SendFlags) => {
      process.exitCode = await send(file, flags);
    });
  return command;
}

async function send(file: string, flags: SendFlags): Promise<number> {
  let via;
  try {
    via = resolveVia(flags, process.env);
  } catch (error) {
    return reportError(error, { json: flags.json });
  }
  if (via !== 'genesys-files') return sendThrough(via, file, flags);
  if (flags.delivery === 'link') return sendFilesLink(file, flags);
  let client;
  let journal;
  try {
    requireRecipients(flags);
    const config = resolveConfig({ env: process.env, flags: targetFlagsToConfigFlags(flags) });
    linkStoreInput(flags, process.env); // the Files API takes any size: no link unless asked, but the settings are checked
    journal = openJournalFromFlags(flags, process.env);
    client = createGenesysClient(config);
  } catch (error) {
    journal?.close();
    return reportError(error, { json: flags.json });
  }
  try {
    return await runFilesSend(client, { ...sendOptions(file, flags, journal), to: flags.to, language: flags.language }, flags);
  } finally {
    await client.close();
    journal?.close();
  }
}

/** A send through Web Messaging or a conversation: the same pipeline, journal and output. */
function sendThrough(via: 'web-messaging' | 'conversation', file: string, flags: SendFlags): Promise<number> {
  return sendOpened(file, flags, async (openJournal) => {
    if (via === 'web-messaging') {
      const config = webMessagingConfig(flags, process.env);
      return openWebMessagingVia({ config, filePath: file, journal: openJournal() });
    }
    const configFlags = targetFlagsToConfigFlags(flags);
    openJournal();
    return openConversationVia({ flags, configFlags, env: process.env, text: flags.text });
  });
}

/** The tutorial's Files API with --delivery link: the guest message carries a link, no attachment. */
function sendFilesLink(file: string, flags: SendFlags): Promise<number> {
  const recipients = { to: flags.to, language: flags.language };
  return sendOpened(
    file,
    flags,
    (openJournal) => {
      requireRecipients(flags);
      const config = resolveConfig({ env: process.env, flags: targetFlagsToConfigFlags(flags) });
      openJournal();
      return openFilesVia(config, recipients);
    },
    recipients,
  );
}

/**
 * Opens the base destination (its settings are checked before the journal opens), picks an
 * attachment or a link for this file (--delivery), and runs the one pipeline with the journal.
 */
async function sendOpened(
  file: string,
  flags: SendFlags,
  openBase: (openJournal: () => Journal | undefined) => OpenedVia | Promise<OpenedVia>,
  recipients: { to?: string[]; language?: string } = {},
): Promise<number> {
  const held: { journal?: Journal } = {};
  const openJournal = (): Journal | undefined => (held.journal = openJournalFromFlags(flags, process.env));
  let opened: OpenedVia;
  try {
    const base = await openBase(openJournal);
    opened = await chooseOpenedVia(base, { filePath: file, fileName: flags.fileName, contentType: flags.contentType, flags, env: process.env });
  } catch (error) {
    held.journal?.close();
    return reportError(error, { json: flags.json });
  }
  try {
    return await runViaSend(opened.via, { ...sendOptions(file, flags, held.journal), ...recipients }, flags);
  } finally {
    await opened.close();
    held.journal?.close();
  }
}

function requireRecipients(flags: SendFlags): void {
  if (flags.to.length === 0) throw new ConfigError('config.to', '--to: give at least one recipient address (repeat --to for up to 10 recipients).');
}

/** The options of a send that every destination takes, from the flags. */
function sendOptions(file: string, flags: SendFlags, journal: Journal | undefined): Omit<SendFileOptions, 'to' | 'language' | 'signal' | 'onEvent'> {
  return {
    filePath: file,
    text: flags.text,
    concurrency: flags.concurrency,
    contentType: flags.contentType,
    fileName: flags.fileName,
    maxRps: flags.maxRps,
    keepOnError: flags.keepOnError,
    journal,
    restart: flags.restart,
    redeliver: flags.redeliver,
  };
}
