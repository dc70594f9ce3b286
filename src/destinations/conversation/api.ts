/**
 * One typed method per Platform API route the conversation destination calls
 * (CONVERSATION-MEDIA.md §2-§3), over the project's ApiTransport (token, per-token rate limiter,
 * retries, Genesys error bodies). Each maps its refusals through `conversationError`, which knows
 * which kind of token was used, and validates the answer's fields it uses.
 */
import { InternalError } from '../../errors/index.js';
import type { ApiTransport, CallOptions } from '../../genesys/api-transport.js';
import type { RemoteError } from '../../genesys/error-body.js';
import { ShapeError } from '../../genesys/validate.js';
import { conversationError, type Step } from './errors.js';
import {
  bulkMessages,
  conversation,
  historyMessageIds,
  media,
  mediaUpload,
  messageData,
  type Conversation,
  type Media,
  type MediaUpload,
  type MessageData,
} from './schemas.js';
import type { TokenKind } from './tokens.js';

/** Ids asked for in one bulk request (the platform's page sizes are 100 elsewhere). */
export const BULK_BATCH = 100;

export interface MediaUploadRequest {
  fileName: string;
  contentLengthBytes: number;
}

export interface SendMessageRequest {
  textBody: string;
  mediaIds?: string[];
}

const seg = encodeURIComponent;

function parse<T>(read: (body: unknown) => T, body: unknown, what: string): T {
  try {
    return read(body);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new InternalError('api.bad_response', `Could not ${what}: the Platform API's answer is not what was expected (${error.message}).`);
  }
}

export class ConversationApi {
  constructor(
    readonly transport: ApiTransport,
    readonly tokenKind: TokenKind,
  ) {}

  #map(what: string, step: Step, ids: { conversationId: string; communicationId?: string }, file?: { fileName: string; size: number }) {
    return (status: number, remote: RemoteError) =>
      conversationError(status, remote, { what, step, tokenKind: this.tokenKind, ...ids, ...(file && { fileName: file.fileName, size: file.size }) });
  }

  #base(conversationId: string, communicationId: string): string {
    return `/api/v2/conversations/messages/${seg(conversationId)}/communications/${seg(communicationId)}/messages`;
  }

  async getConversation(conversationId: string, options?: CallOptions): Promise<Conversation> {
    const what = 'read the conversation';
    const { body } = await this.transport.json(
      {
        what,
        method: 'GET',
        path: `/api/v2/conversations/${seg(conversationId)}`,
        idempotency: 'idempotent',
        ok: [200],
        maxBytes: 16 * 1024 * 1024,
        mapError: this.#map(what, 'readConversation', { conversationId }),
      },
      options,
    );
    return parse(conversation, body, what);
  }

  /**
   * Asks for an upload URL. Retried like a read: a request whose answer was lost leaves at most an
   * unused media behind, which nothing ever sends (the platform discards it).
   */
  async requestMediaUpload(conversationId: string, communicationId: string, request: MediaUploadRequest, options?: CallOptions): Promise<MediaUpload> {
    const what = 'request the media upload';
    const { body } = await this.transport.json(
      {
        what,
        method: 'POST',
        path: `${this.#base(conversationId, communicationId)}/media/uploads`,
        json: request,
        idempotency: 'idempotent',
        ok: [200, 201],
        mapError: this.#map(what, 'upload', { conversationId, communicationId }, { fileName: request.fileName, size: request.contentLengthBytes }),
      },
      options,
    );
    return parse(mediaUpload, body, what);
  }

  async getMedia(conversationId: string, communicationId: string, mediaId: string, options?: CallOptions): Promise<Media> {
    const what = 'read the media status';
    const { body } = await this.transport.json(
      {
        what,
        method: 'GET',
        path: `${this.#base(conversationId, communicationId)}/media/${seg(mediaId)}`,
        idempotency: 'idempotent',
        ok: [200],
        mapError: this.#map(what, 'readMedia', { conversationId, communicationId }),
      },
      options,
    );
    return parse(media, body, what);
  }

  /** Not idempotent: the platform has no idempotency key; a lost answer is settled with `findMessage`. */
  async sendMessage(conversationId: string, communicationId: string, request: SendMessageRequest, options?: CallOptions): Promise<MessageData> {
    const what = 'send the message';
    const { body } = await this.transport.json(
      {
        what,
        method: 'POST',
        path: this.#base(conversationId, communicationId),
        json: request,
        idempotency: 'unsafe',
        ok: [200, 201, 202],
        mapError: this.#map(what, 'send', { conversationId, communicationId }),
      },
      options,
    );
    return parse(messageData, body, what);
  }

  /** Every message id of the conversation's history (all participants). */
  async messageIds(conversationId: string, options?: CallOptions): Promise<string[]> {
    const what = "read the conversation's messages";
    const { body } = await this.transport.json(
      {
        what,
        method: 'GET',
        path: `/api/v2/conversations/messages/${seg(conversationId)}`,
        idempotency: 'idempotent',
        ok: [200],
        maxBytes: 64 * 1024 * 1024,
        mapError: this.#map(what, 'readConversation', { conversationId }),
      },
      options,
    );
    return parse(historyMessageIds, body, what);
  }

  /** The messages with these ids, in batches; a read, so retried freely. */
  async messagesByIds(conversationId: string, ids: readonly string[], options?: CallOptions): Promise<MessageData[]> {
    const what = "read the conversation's messages";
    const out: MessageData[] = [];
    for (let i = 0; i < ids.length; i += BULK_BATCH) {
      const { body } = await this.transport.json(
        {
          what,
          method: 'POST',
          path: `/api/v2/conversations/messages/${seg(conversationId)}/messages/bulk`,
          json: ids.slice(i, i + BULK_BATCH),
          idempotency: 'idempotent',
          ok: [200],
          maxBytes: 64 * 1024 * 1024,
          mapError: this.#map(what, 'readConversation', { conversationId }),
        },
        options,
      );
      out.push(...parse(bulkMessages, body, what));
    }
    return out;
  }
}
