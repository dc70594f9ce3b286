/**
 * Settles a send whose answer was lost (CONVERSATION-MEDIA.md §3.5), by reading, never by sending:
 * the conversation's history lists every message id, the bulk lookup returns those messages, and
 * ours is the one that carries our media id — or, for a text-only message (a link), the only one
 * with exactly our text. Called once per lost answer; the result is the message, `undefined` when
 * it provably is not there, or `delivery.uncertain` when the platform cannot tell (two messages
 * with our text: the user decides).
 */
import { ConfigError, UploadError } from '../../errors/index.js';
import type { CallOptions } from '../../genesys/api-transport.js';
import type { ConversationApi } from './api.js';
import type { MessageData } from './schemas.js';

export interface SentMessageKey {
  conversationId: string;
  /** The media the message carries; undefined for a text-only message. */
  mediaId: string | undefined;
  /** The text sent (the key of a text-only message). */
  text: string;
}

export async function findMessage(api: ConversationApi, key: SentMessageKey, options?: CallOptions): Promise<MessageData | undefined> {
  const ids = await api.messageIds(key.conversationId, options);
  if (ids.length === 0) return undefined;
  const messages = await api.messagesByIds(key.conversationId, ids, options);
  if (key.mediaId !== undefined) {
    // A media id is used by one message only: the first that names it is ours.
    return messages.find((m) => m.mediaIds.includes(key.mediaId as string));
  }
  const same = messages.filter((m) => m.mediaIds.length === 0 && m.textBody === key.text);
  if (same.length > 1) {
    throw new ConfigError(
      'delivery.uncertain',
      `Could not tell whether the message was delivered: the conversation ${key.conversationId} holds ${same.length} messages with ` +
        'exactly this text. Check the conversation before sending it again.',
      { details: { conversationId: key.conversationId, messageIds: same.map((m) => m.id) } },
    );
  }
  return same[0];
}

/**
 * Whether a failed send proves that no message was created: the platform refused it (4xx) or said
 * it did not process it (429, 503). A dropped answer, a 500/502/504 or an unreadable 2xx may hide a
 * message, so those are settled with `find`.
 */
export function provablyNotSent(error: unknown): boolean {
  if (!(error instanceof UploadError) || error.status === undefined) return false;
  if (error.kind === 'interrupted' || error.kind === 'internal') return false;
  return error.status === 429 || error.status === 503 || (error.status >= 400 && error.status < 500);
}
