/**
 * One file into the conversation's media store (CONVERSATION-MEDIA.md §3.1-§3.3): request an
 * upload (a media id, its URL and headers) → PUT the bytes → wait until the platform says `valid`.
 * A media that turns `invalid`, or whose URL the storage refuses (expired), is not repaired: a new
 * media is requested and uploaded once more. A second failure is an IntegrityError (invalid) or the
 * storage's own error.
 */
import { IntegrityError, UploadError } from '../../errors/index.js';
import type { CallOptions } from '../../genesys/api-transport.js';
import type { ConversationClient } from './client.js';
import type { ConversationEventListener } from './events.js';
import { putMedia, URL_REFUSED_CODE } from './media-put.js';
import { waitForMedia, type MediaPollSettings } from './media-status.js';

export interface MediaUploadInput {
  conversationId: string;
  communicationId: string;
  /** Sanitised. */
  fileName: string;
  body: Buffer;
  poll: MediaPollSettings;
  signal?: AbortSignal | undefined;
  onEvent?: ConversationEventListener | undefined;
}

/** Attempts at most: the first media and one new one. */
export const MEDIA_ATTEMPTS = 2;

export function callOptions(signal: AbortSignal | undefined, onEvent: ConversationEventListener | undefined): CallOptions {
  return {
    signal,
    onRetry: (info) =>
      onEvent?.({ type: 'retry', route: info.route, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason, status: info.status, code: info.code }),
  };
}

export async function uploadMedia(client: ConversationClient, input: MediaUploadInput): Promise<{ mediaId: string; attempts: number }> {
  const { conversationId, communicationId, signal, onEvent } = input;
  const call = callOptions(signal, onEvent);
  let lastInvalid: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const upload = await client.api.requestMediaUpload(conversationId, communicationId, { fileName: input.fileName, contentLengthBytes: input.body.length }, call);
    const issuedAt = client.clock.now();
    onEvent?.({ type: 'media-requested', mediaId: upload.id, attempt });
    try {
      await putMedia(
        { url: upload.uploadUrl, headers: upload.uploadHeaders, body: input.body },
        {
          dispatcher: client.dispatcher,
          clock: client.clock,
          random: client.random,
          retry: client.retryPolicy,
          issuedAt,
          signal,
          onRetry: (info) => onEvent?.({ type: 'retry', route: 'storage', ...info }),
        },
      );
    } catch (error) {
      if (error instanceof UploadError && error.code === URL_REFUSED_CODE && attempt < MEDIA_ATTEMPTS) continue;
      throw error;
    }
    onEvent?.({ type: 'media-uploaded', mediaId: upload.id, bytes: input.body.length });
    const judged = await waitForMedia(() => client.api.getMedia(conversationId, communicationId, upload.id, call), {
      clock: client.clock,
      settings: input.poll,
      signal,
      onStatus: (media, elapsedMs) => onEvent?.({ type: 'media-status', mediaId: media.id, status: media.status, elapsedMs }),
    });
    if (judged.status === 'valid') return { mediaId: upload.id, attempts: attempt };
    const willRetry = attempt < MEDIA_ATTEMPTS;
    onEvent?.({ type: 'media-invalid', mediaId: upload.id, willRetry });
    if (!willRetry) {
      throw new IntegrityError(
        'conversation.media_invalid',
        `The platform judged the uploaded file invalid twice (media ${lastInvalid ?? '?'} and ${upload.id}): what it received does not match ` +
          `what was announced (${input.body.length} bytes of ${JSON.stringify(input.fileName)}), or it refuses the content. Nothing was sent. ` +
          'Check that the file is not being changed, then try again.',
        { details: { mediaIds: [lastInvalid, upload.id].filter((v) => v !== undefined), size: input.body.length } },
      );
    }
    lastInvalid = upload.id;
  }
}
