/**
 * The Web Messaging destination on the engine path, as the CLI composes it: the guest's
 * destination, a part transport of its own, and `sendVia` (upload through the engine, then the
 * notifier, exactly once). The tests drive every send through this, so what they assert is what
 * `genesys-upload send --via web-messaging` does.
 */
import { openWebMessagingDestination, type WebMessagingDestination } from '../../../src/destinations/web-messaging/destination.js';
import type { GuestOptions, WebMessagingGuest } from '../../../src/destinations/web-messaging/guest.js';
import { resolveRetryPolicy, type RetryPolicy } from '../../../src/http/retry-policy.js';
import { createPartTransport, sendVia, viaTarget, type SendViaOptions, type SendViaResult, type Via } from '../../../src/relay/index.js';
import type { UploadEvent } from '../../../src/upload/events.js';

export interface SampleFile {
  filePath: string;
  fileName: string;
  fileType: string;
}

export interface GuestVia {
  destination: WebMessagingDestination;
  guest: WebMessagingGuest;
  via: Via;
  /** Everything the engine and the notifier reported, in order, for every send so far. */
  events: UploadEvent[];
  /** One file through the engine and the notifier. */
  send(file: SampleFile, extra?: Partial<SendViaOptions>): Promise<SendViaResult>;
  close(): Promise<void>;
}

/** `policy`: the engine's retry policy (the tests shorten its delays). */
export async function openGuestVia(options: GuestOptions & { policy?: Partial<RetryPolicy> }): Promise<GuestVia> {
  const { policy, ...guestOptions } = options;
  const destination = await openWebMessagingDestination(guestOptions);
  const transport = createPartTransport();
  const via: Via = { destination, transport, retryPolicy: resolveRetryPolicy(policy), target: viaTarget(destination) };
  const events: UploadEvent[] = [];
  return {
    destination,
    guest: destination.guest,
    via,
    events,
    send: (file, extra = {}) =>
      sendVia(via, {
        filePath: file.filePath,
        fileName: file.fileName,
        contentType: file.fileType,
        text: 'Your document',
        ...extra,
        onEvent: (event) => {
          events.push(event);
          extra.onEvent?.(event);
        },
      }),
    close: async () => {
      await destination.close();
      await transport.close();
    },
  };
}
