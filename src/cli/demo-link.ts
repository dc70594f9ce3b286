/**
 * The demo's link store and its check: the embedded emulator's S3 endpoint with its documented
 * demo key pair, handed to the store explicitly (never through process.env, so that nothing of the
 * user's AWS configuration is used or changed), and, once the message is delivered, the link the
 * message carries downloaded and hashed — what a recipient clicking it would get.
 */
import { request } from 'undici';
import type { EmulatorHandle } from '../emulator/index.js';
import { IntegrityError, InternalError } from '../errors/index.js';
import { openLinkStore, type LinkStore } from '../relay/delivery-choice.js';
import { demoMessage } from './demo-message.js';
import { sha256Hex } from './sample-file.js';

export async function demoLinkStore(emulator: EmulatorHandle): Promise<LinkStore> {
  const { DEMO_S3_CREDENTIAL, DEFAULT_S3_BUCKET } = await import('../emulator/s3/index.js');
  return openLinkStore({
    location: `s3://${DEFAULT_S3_BUCKET}/demo/`,
    endpoint: emulator.s3Url,
    region: 'us-east-1',
    credentials: { ...DEMO_S3_CREDENTIAL },
  });
}

/** Downloads the link in message `messageId` and checks its bytes' SHA-256 is `want`. */
export async function verifyLinkMessage(emulator: EmulatorHandle, messageId: string, want: string): Promise<void> {
  const text = demoMessage(emulator, messageId)?.text;
  const url = text === undefined ? undefined : /^Download: (\S+)$/m.exec(text)?.[1];
  if (url === undefined) throw new InternalError('demo.no_link', `Message ${messageId} carries no download link.`);
  const res = await request(url);
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new IntegrityError('demo.link_failed', `The link in message ${messageId} answered HTTP ${res.statusCode}.`);
  }
  const got = await sha256Hex(res.body);
  if (got !== want) throw new IntegrityError('demo.sha256_mismatch', `The bytes the link downloads have SHA-256 ${got}, not the source's ${want}.`);
}
