/**
 * `genesys-upload demo --via web-messaging|conversation` (and any `--delivery link`): the real
 * destinations' flows on the embedded emulator. Web Messaging: a new guest of the emulator's demo
 * deployment attaches the file and sends it. Conversation: a conversation is made through the
 * emulator's admin route (its content profile widened to the file's type), then the file goes in
 * from the agent side with the demo OAuth client. Files API with a link: a guest message to a demo
 * number. `--delivery` chooses as for send, with the emulator's S3 endpoint as the link store (so
 * `auto` sends a file over Web Messaging's 10 MB as a link). Either way the bytes the recipient
 * gets — the attached bytes as the emulator stored them, or those the link downloads — must have
 * the source's SHA-256; the message id is printed.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { IntegrityError, InternalError } from '../errors/index.js';
import type { EmulatorHandle } from '../emulator/index.js';
import { sendVia, type SendViaResult } from '../relay/index.js';
import { contentTypeFor } from '../upload/content-type.js';
import { sanitizeFileName } from '../upload/sanitize-file-name.js';
import { openConversationVia } from '../relay/conversation-via.js';
import { chooseOpenedVia } from './delivery-options.js';
import { demoLinkStore, verifyLinkMessage } from './demo-link.js';
import { demoMessage } from './demo-message.js';
import { sha256Hex } from './sample-file.js';
import { openFilesVia } from './via-options.js';
import type { DeliveryMode } from '../relay/delivery-choice.js';
import { resolveConfig } from '../config/index.js';
import { printViaResult, runSend, type OutputFlags } from './run-upload.js';
import { openWebMessagingVia, type OpenedVia } from '../relay/web-messaging-via.js';
import { resolveWebMessagingOptions } from '../destinations/web-messaging/index.js';

export type DemoVia = 'genesys-files' | 'web-messaging' | 'conversation';

async function openDemoVia(emulator: EmulatorHandle, via: DemoVia, filePath: string): Promise<OpenedVia> {
  if (via === 'genesys-files') {
    const { DEMO_CLIENT } = await import('../emulator/index.js');
    return openFilesVia(resolveConfig({ env: {}, flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url } }), { to: ['+15550100'], language: 'en-US' });
  }
  if (via === 'web-messaging') {
    const { DEMO_DEPLOYMENT_ID } = await import('../emulator/index.js');
    const config = resolveWebMessagingOptions({ wsUrl: `${emulator.url.replace(/^http/, 'ws')}/v1`, deploymentId: DEMO_DEPLOYMENT_ID });
    return openWebMessagingVia({ config, filePath, journal: undefined });
  }
  const { DEMO_CLIENT } = await import('../emulator/index.js');
  const contentType = contentTypeFor(sanitizeFileName(basename(filePath)));
  const created = await fetch(`${emulator.url}/__emulator/conversations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile: { allowedTypes: [contentType] } }),
  });
  if (created.status !== 201) throw new InternalError('internal.unexpected', `The emulator did not create a conversation (HTTP ${created.status}).`);
  const { id } = (await created.json()) as { id: string };
  return openConversationVia({
    flags: { conversationId: id },
    configFlags: { baseUrl: emulator.url, clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret },
    env: {},
  });
}

const SENDING: Record<DemoVia, string> = {
  'genesys-files': 'Sending a guest message through the Files API…',
  'web-messaging': 'Sending as a new Web Messaging guest of the demo deployment…',
  conversation: 'Sending into a new conversation from the agent side…',
};

export async function demoVia(
  emulator: EmulatorHandle,
  via: DemoVia,
  filePath: string,
  flags: OutputFlags & { concurrency: number; delivery: DeliveryMode },
  say: (line: string) => void,
): Promise<number | SendViaResult> {
  const base = await openDemoVia(emulator, via, filePath);
  const link = flags.delivery === 'attachment' ? undefined : await demoLinkStore(emulator);
  const opened = await chooseOpenedVia(base, { filePath, flags: { delivery: flags.delivery }, env: {}, link });
  try {
    const linked = opened.via.delivery === 'link';
    say(linked ? `${SENDING[via].slice(0, -1)}, as a link to the emulator's S3 endpoint (${emulator.s3Url})…` : SENDING[via]);
    const outcome = await runSend((control) => sendVia(opened.via, { filePath, text: 'Here is the file you asked for.', concurrency: flags.concurrency, ...control }), flags);
    if (!outcome.ok) return outcome.exitCode;
    const { result } = outcome;
    const want = await sha256Hex(createReadStream(filePath));
    if (result.sha256 !== want) throw new IntegrityError('demo.sha256_mismatch', `The uploaded file's SHA-256 (${result.sha256}) differs from the source's (${want}).`);
    if (linked) {
      say(`Downloading the link in message ${result.messageId} to verify it…`);
      await verifyLinkMessage(emulator, result.messageId, want);
      say(`Verified: the link in message ${result.messageId} downloads the source's SHA-256 (${want}).`);
    } else {
      const got = demoMessage(emulator, result.messageId)?.attachedSha256;
      if (got !== want) {
        throw new IntegrityError('demo.sha256_mismatch', `The attached bytes' SHA-256 (${got ?? 'none'}) differs from the source's (${want}).`);
      }
      say(`Verified: the bytes attached to message ${result.messageId} have the source's SHA-256 (${want}).`);
    }
    printViaResult(result, flags, { verified: true });
    return 0;
  } finally {
    await opened.close();
  }
}
