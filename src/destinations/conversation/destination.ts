/**
 * The conversation destination behind the engine's seam (src/destinations/destination.ts): a thin
 * adapter over the pieces of this folder.
 *
 * - Store: a single-part session — the platform takes the file as one PUT to the media's
 *   `uploadUrl` with exactly its `uploadHeaders`. `refresh` (an expired URL) and an `invalid` media
 *   at `complete` both request a new media (so the session's media id changes; `state()` follows);
 *   `complete` polls until `valid`; a second `invalid` is an IntegrityError. There is nothing to
 *   abort: the contract has no route to delete a media (an unused one is never sent).
 * - Notifier: `{textBody, mediaIds: [id]}` on the communication (a text alone for a link), and
 *   `find` reads the conversation's messages once to settle a lost answer. The text is checked
 *   against the communication's channel (an SMS takes less) before it is sent, and, when the caller
 *   gives it at opening (`text`), before anything is uploaded.
 */
import { IntegrityError, InternalError, UploadError } from '../../errors/index.js';
import type { CallOptions } from '../../genesys/api-transport.js';
import type {
  Delivery,
  Destination,
  FileFacts,
  JsonValue,
  Notifier,
  PartRequest,
  PartToPut,
  Receipt,
  RemoteSession,
  StepContext,
  Store,
  StoredFile,
  StoredPart,
} from '../destination.js';
import type { SegmentPlan } from '../../upload/plan.js';
import type { ConversationClient } from './client.js';
import { findCommunication } from './communication.js';
import type { ConversationEventListener } from './events.js';
import { findMessage, provablyNotSent } from './find-message.js';
import { checkMedia, checkText, MAX_TEXT, textLimitOf, type ContentProfile } from './limits.js';
import { resolveMediaPoll, waitForMedia, type MediaPollSettings } from './media-status.js';

export const CONVERSATION_DESTINATION = 'conversation';

/** Media per file at most: the first and one new one (after an `invalid`). */
export const MEDIA_ATTEMPTS = 2;

export interface ConversationDestinationOptions {
  client: ConversationClient;
  conversationId: string;
  communicationId?: string | undefined;
  contentProfile?: ContentProfile | undefined;
  poll?: Partial<MediaPollSettings> | undefined;
  /** The message's text when known at opening: checked against the channel before any upload. */
  text?: string | undefined;
  /** Which communication was used, media lifecycle, messages (beside the engine's events). */
  onEvent?: ConversationEventListener | undefined;
  /** close() closes the client too; default true. */
  ownsClient?: boolean | undefined;
}

interface SessionState {
  conversationId: string;
  communicationId: string;
  mediaId: string;
  attempt: number;
}

function call(step: StepContext): CallOptions {
  return {
    signal: step.signal,
    retry: step.retry,
    onRetry: (info) => step.emit({ type: 'retry', route: info.route, attempt: info.attempt, delayMs: info.delayMs, reason: info.reason, ...(info.status !== undefined && { status: info.status }), ...(info.code !== undefined && { code: info.code }) }),
  };
}

function readState(state: JsonValue): SessionState | undefined {
  const o = state !== null && typeof state === 'object' && !Array.isArray(state) ? state : {};
  const { conversationId, communicationId, mediaId, attempt } = o as Record<string, JsonValue>;
  if (typeof conversationId !== 'string' || typeof communicationId !== 'string' || typeof mediaId !== 'string') return undefined;
  return { conversationId, communicationId, mediaId, attempt: typeof attempt === 'number' ? attempt : 1 };
}

export function conversationDestination(options: ConversationDestinationOptions): Destination {
  const { client, conversationId, onEvent } = options;
  const poll = resolveMediaPoll(options.poll);
  let communication: Promise<{ communicationId: string; channel: string | undefined }> | undefined;
  const communicationFor = (step: StepContext): Promise<{ communicationId: string; channel: string | undefined }> => {
    communication ??= findCommunication(client, { conversationId, communicationId: options.communicationId, signal: step.signal, onEvent });
    communication.catch(() => (communication = undefined));
    return communication;
  };
  /** The channel's text limit (an SMS takes less), when the channel is known. */
  const checkTextOn = (text: string, channel: string | undefined): void => {
    const tooLong = checkText(text, channel);
    if (tooLong !== undefined) throw tooLong;
  };

  class MediaSession implements RemoteSession {
    readonly plan: SegmentPlan;
    readonly fileName: string;
    readonly contentType: string;
    readonly held: ReadonlyMap<number, StoredPart>;
    #version = 1;
    #url = '';
    #headers: Record<string, string> = {};
    /** The step the session was opened or resumed with: a resumed session asks for a URL with it. */
    #step: StepContext | undefined;

    constructor(
      readonly file: FileFacts,
      public current: SessionState,
      held: ReadonlyMap<number, StoredPart> = new Map(),
      /** Continued from the journal (`Store.resume`) rather than opened now. */
      readonly resumed = false,
    ) {
      this.fileName = file.fileName;
      this.contentType = file.contentType;
      this.plan = { totalSize: file.size, chunkSize: Math.max(1, file.size), maxChunks: 1, chunks: 1 };
      this.held = held;
    }

    /** Requests a (new) media: its id, URL and headers replace the old ones. */
    async request(step: StepContext, attempt: number): Promise<void> {
      this.#step = step;
      const upload = await client.api.requestMediaUpload(
        conversationId,
        this.current.communicationId,
        { fileName: this.file.fileName, contentLengthBytes: this.file.size },
        call(step),
      );
      this.current = { ...this.current, mediaId: upload.id, attempt };
      this.#url = upload.uploadUrl;
      this.#headers = upload.uploadHeaders;
      onEvent?.({ type: 'media-requested', mediaId: upload.id, attempt });
    }

    /** The current media id (a new media after an expired URL or an `invalid` one). */
    get id(): string {
      return this.current.mediaId;
    }

    state(): JsonValue {
      return { ...this.current };
    }

    /** Remembers the step of a resumed session, whose URL is not journalled (it may be needed to PUT again). */
    adopt(step: StepContext): this {
      this.#step = step;
      return this;
    }

    async partRequest(_part: PartToPut): Promise<PartRequest> {
      // A resumed session has no URL (it is not journalled): the engine sends again, so a new media.
      if (this.#url === '' && this.#step !== undefined) await this.request(this.#step, this.current.attempt);
      return { url: this.#url, headers: { ...this.#headers }, version: this.#version };
    }

    async refresh(version: number, step: StepContext): Promise<void> {
      if (version !== this.#version) return; // another part already refreshed it
      await this.request(step, this.current.attempt);
      this.#version++;
    }

    accept(part: PartToPut): StoredPart {
      // The media storage gives no digest of its own to compare: the platform's status judges it.
      return { index: part.index, size: part.length, checksum: part.checksum };
    }

    async complete(_parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
      const { mediaId, communicationId } = this.current;
      onEvent?.({ type: 'media-uploaded', mediaId, bytes: whole.size });
      const judged = await waitForMedia(() => client.api.getMedia(conversationId, communicationId, mediaId, call(step)), {
        clock: client.clock,
        settings: poll,
        signal: step.signal,
        onStatus: (media, elapsedMs) => onEvent?.({ type: 'media-status', mediaId: media.id, status: media.status, elapsedMs }),
      });
      if (judged.status === 'valid') {
        return {
          stored: {
            ref: { conversationId, communicationId, mediaId },
            fileName: this.file.fileName,
            contentType: this.file.contentType,
            size: whole.size,
            sha256: whole.sha256,
            verified: false,
          },
        };
      }
      const willRetry = this.current.attempt < MEDIA_ATTEMPTS;
      onEvent?.({ type: 'media-invalid', mediaId, willRetry });
      if (!willRetry) {
        throw new IntegrityError(
          'conversation.media_invalid',
          `The platform judged the uploaded file invalid twice (last media ${mediaId}): what it received does not match what was ` +
            `announced (${whole.size} bytes of ${JSON.stringify(this.file.fileName)}), or it refuses the content. Nothing was sent.`,
          { details: { mediaId, size: whole.size } },
        );
      }
      await this.request(step, this.current.attempt + 1);
      this.#version++;
      return { resend: [0] };
    }

    async abort(): Promise<void> {}
  }

  // `discard` (and the notifier's `provablyNotSent`/`staleIntent`) are what the finalised seam adds.
  const store: Store & { discard(state: JsonValue): Promise<void> } = {
    name: CONVERSATION_DESTINATION,
    refuses(file) {
      const error = checkMedia({ fileName: file.fileName, size: file.size }, options.contentProfile);
      return error === undefined ? undefined : { error };
    },
    async open(file, step) {
      const { communicationId, channel } = await communicationFor(step);
      if (options.text !== undefined) checkTextOn(options.text, channel);
      const session = new MediaSession(file, { conversationId, communicationId, mediaId: '', attempt: 1 });
      await session.request(step, 1);
      return session;
    },
    async resume(state, file, step) {
      const saved = readState(state);
      if (saved === undefined || saved.conversationId !== conversationId) return undefined;
      let status: string;
      try {
        status = (await client.api.getMedia(conversationId, saved.communicationId, saved.mediaId, call(step))).status;
      } catch (error) {
        if (error instanceof UploadError && error.status === 404) return undefined;
        throw error;
      }
      // Only a media the platform accepted is worth keeping; anything else is uploaded anew.
      if (status !== 'valid') return undefined;
      return new MediaSession(file, saved, new Map([[0, { index: 0, size: file.size, checksum: undefined }]]), true).adopt(step);
    },
    // Nothing to remove: the contract has no route to delete a media, and an unsent one is harmless.
    async discard() {},
  };

  const notifier: Notifier & { provablyNotSent(error: unknown): boolean; staleIntent(error: unknown): boolean } = {
    name: CONVERSATION_DESTINATION,
    maxText: { length: MAX_TEXT, unit: 'characters' },
    // The communication's channel decides: an SMS takes 765 characters.
    textLimit: async (step) => textLimitOf((await communicationFor(step)).channel),
    provablyNotSent,
    // A communication that went away is not repaired by preparing anew: the media belongs to it.
    staleIntent: () => false,
    async prepare(delivery, step) {
      const mediaId = mediaIdOf(delivery);
      // A media is bound to the communication it was uploaded on; a link can go on any connected one.
      const ref = mediaId === undefined ? undefined : readState(delivery.stored.ref);
      const chosen = ref === undefined || communication !== undefined ? await communicationFor(step) : undefined;
      const communicationId = ref?.communicationId ?? chosen?.communicationId ?? '';
      checkTextOn(delivery.text, chosen?.communicationId === communicationId ? chosen.channel : undefined);
      return { conversationId, communicationId, mediaId: mediaId ?? null };
    },
    async send(intent, delivery, step) {
      const { communicationId, mediaId } = intentOf(intent);
      const body = mediaId === undefined ? { textBody: delivery.text } : { textBody: delivery.text, mediaIds: [mediaId] };
      const sent = await client.api.sendMessage(conversationId, communicationId, body, call(step));
      onEvent?.({ type: 'message-sent', messageId: sent.id, mediaId });
      return receipt(sent.id, communicationId, mediaId);
    },
    async find(intent, delivery, step) {
      const { communicationId, mediaId } = intentOf(intent);
      const found = await findMessage(client.api, { conversationId, mediaId, text: delivery.text }, call(step));
      onEvent?.({ type: 'message-settled', found: found !== undefined, messageId: found?.id });
      return found === undefined ? undefined : receipt(found.id, communicationId, mediaId);
    },
  };

  function receipt(messageId: string, communicationId: string, mediaId: string | undefined): Receipt {
    return { messageId, details: { conversationId, communicationId, ...(mediaId !== undefined && { mediaId }) } };
  }

  return {
    name: CONVERSATION_DESTINATION,
    description: `conversation ${conversationId} (${client.target})`,
    targetKey: `${client.apiUrl} conversation ${conversationId}`,
    store,
    notifier,
    async close() {
      if (options.ownsClient ?? true) await client.close();
    },
  };
}

/** The media id of a stored file from this store; undefined for a link (a text-only message). */
function mediaIdOf(delivery: Delivery): string | undefined {
  const ref = delivery.stored.ref;
  if (delivery.stored.link !== undefined || ref === null || typeof ref !== 'object' || Array.isArray(ref)) return undefined;
  const id = ref['mediaId'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

function intentOf(intent: JsonValue): { communicationId: string; mediaId: string | undefined } {
  const o = (intent ?? {}) as Record<string, JsonValue>;
  const communicationId = o['communicationId'];
  if (typeof communicationId !== 'string') throw new InternalError('delivery.bad_intent', 'The journalled delivery intent has no communication id.');
  return { communicationId, mediaId: typeof o['mediaId'] === 'string' ? o['mediaId'] : undefined };
}
