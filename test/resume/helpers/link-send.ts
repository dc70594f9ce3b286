/**
 * What the kill -9 tests of a Web Messaging link send share: the environment of such a send
 * against a test bed's emulator, and the emulator's view of one file's objects and link messages.
 */
import { DEMO_DEPLOYMENT_ID, type EmulatorHandle } from '../../../src/emulator/index.js';
import { linkStoreEnv } from '../../helpers/link-store-env.js';
import type { KillBed } from './kill9.js';

export interface LinkObject {
  key: string;
  sha256: string;
  parts?: number;
}

export interface LinkMessage {
  id: string;
  text?: string;
}

/** `send --via web-messaging --delivery link` into the bed's emulator, its S3 endpoint the link store. */
export function linkSendEnv(bed: KillBed): Record<string, string> {
  return {
    ...bed.env,
    GENESYS_WEBMESSAGING_URL: `${bed.emulator.url.replace(/^http/, 'ws')}/v1`,
    GENESYS_DEPLOYMENT_ID: DEMO_DEPLOYMENT_ID,
    ...linkStoreEnv(bed.emulator.s3Url, 's3://genesys-uploads/links/'),
  };
}

/** The S3 objects of the file `name`. */
export function linkObjects(e: EmulatorHandle, name: string): LinkObject[] {
  const s3 = e.state().s3 as unknown as { buckets: Array<{ objects: LinkObject[] }> };
  return s3.buckets.flatMap((b) => b.objects.filter((o) => o.key.endsWith(`/${name}`)));
}

/** The Web Messaging messages that link the file `name`. */
export function linkMessagesOf(e: EmulatorHandle, name: string): LinkMessage[] {
  const wm = (e.state() as unknown as { webMessaging: { conversations: Array<{ messages: LinkMessage[] }> } }).webMessaging;
  return wm.conversations.flatMap((c) => c.messages).filter((m) => m.text?.includes(`File: ${name}`) === true);
}
