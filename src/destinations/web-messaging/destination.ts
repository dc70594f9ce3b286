/**
 * The Web Messaging destination on the (draft) seam of ../destination.ts: a store whose session is
 * one part, the whole file, PUT to the URL `onAttachment` granted, completed by the platform's
 * success event; and a notifier that sends `onMessage` with the attachment (or a text alone for a
 * link) and settles a lost answer from the guest's history. Deliberately thin: everything real is in
 * the guest client beside it, so a change of the seam touches only this file.
 *
 * Journalled state holds ids only; the guest token never enters it (the caller keeps it in an
 * owner-only file, from `guest.tokenForOwnerOnlyFile()`).
 */
import { createHash } from 'node:crypto';
import { TransientError, UploadError } from '../../errors/index.js';
import { planSegments, type SegmentPlan } from '../../upload/plan.js';
import type { Delivery, Destination, FileFacts, JsonValue, Notifier, PartRequest, PartToPut, Receipt, RemoteSession, StepContext, Store, StoredFile, StoredPart } from '../destination.js';
import { isObject, str } from './frames.js';
import { WebMessagingGuest, type GuestOptions } from './guest.js';
import { MAX_TEXT_BYTES } from './message.js';
import { isLostAnswer, putHeaders, verdictError, type AttachmentFacts, type GrantedUpload } from './upload.js';

export const WEB_MESSAGING = 'web-messaging';
/** onAttachment requests per file at most (drops, expiries, silences). */
const MAX_GRANTS = 5;

class AttachmentSession implements RemoteSession {
  // id, fileName, contentType and resumed: already what the finalised seam (helper G) asks for.
  readonly fileName: string;
  readonly contentType: string;
  readonly resumed: boolean;
  readonly plan: SegmentPlan;
  readonly held: ReadonlyMap<number, StoredPart>;
  private version = 1;
  private grants = 1;

  constructor(
    private readonly guest: WebMessagingGuest,
    private readonly file: FileFacts,
    private granted: GrantedUpload | undefined,
    private uploadedId: string | undefined,
  ) {
    this.fileName = file.fileName;
    this.contentType = file.contentType;
    this.resumed = uploadedId !== undefined;
    this.plan = planSegments(file.size, Math.max(1, file.size), 1);
    this.held = uploadedId === undefined ? new Map() : new Map([[0, { index: 0, size: file.size, checksum: undefined }]]);
  }

  get id(): string {
    return this.uploadedId ?? this.granted?.attachmentId ?? '';
  }

  state(): JsonValue {
    return { attachmentId: this.uploadedId ?? this.granted?.attachmentId ?? null, uploaded: this.uploadedId !== undefined };
  }

  partRequest(part: PartToPut): PartRequest {
    if (this.granted === undefined) throw new TransientError('webmessaging.no_url', 'No upload URL is open for this attachment.');
    const headers = putHeaders(this.granted.headers, this.file.contentType, part.length);
    delete headers['content-length']; // the engine adds it with the body
    return { url: this.granted.url, headers, version: this.version };
  }

  async refresh(version: number, step: StepContext): Promise<void> {
    if (version !== this.version) return;
    this.granted?.watch.stop();
    this.granted = undefined;
    for (;;) {
      if (++this.grants > MAX_GRANTS) throw new TransientError('webmessaging.upload_incomplete', `Gave up attaching "${this.file.fileName}" after ${MAX_GRANTS} upload requests. Try again later.`);
      try {
        this.granted = await this.guest.beginAttachment(this.facts(), step.signal);
        break;
      } catch (error) {
        if (!isLostAnswer(error)) throw error;
      }
    }
    this.version += 1;
  }

  accept(part: PartToPut, etag: string | undefined): StoredPart {
    return { index: part.index, size: part.length, checksum: part.checksum, etag };
  }

  async complete(_parts: StoredPart[], whole: { sha256: string; size: number }, step: StepContext): Promise<{ resend: number[] } | { stored: StoredFile }> {
    if (this.uploadedId !== undefined) return { stored: this.stored(this.uploadedId, whole.sha256) };
    const granted = this.granted;
    if (granted === undefined) return { resend: [0] };
    const verdict = await granted.watch.wait(this.guest.timeSource, this.guest.eventTimeoutMs, step.signal);
    if (verdict.outcome === 'success') {
      granted.watch.stop();
      this.uploadedId = granted.attachmentId;
      return { stored: this.stored(granted.attachmentId, whole.sha256) };
    }
    verdictError(verdict, this.facts(), this.guest.eventTimeoutMs); // throws the platform's refusal
    // Dropped or silent before the success event: the upload is requested again.
    await this.refresh(this.version, step);
    return { resend: [0] };
  }

  async abort(): Promise<void> {
    this.granted?.watch.stop();
    const id = this.uploadedId ?? this.granted?.attachmentId;
    if (id !== undefined) await this.guest.deleteAttachment(id);
  }

  private facts(): AttachmentFacts {
    return { fileName: this.file.fileName, fileType: this.file.contentType, size: this.file.size };
  }

  private stored(attachmentId: string, sha256: string): StoredFile {
    // The success event confirms the stored object, not our digest: hence verified: false.
    return { ref: { attachmentId }, fileName: this.file.fileName, contentType: this.file.contentType, size: this.file.size, sha256, verified: false };
  }
}

function attachmentIdOf(stored: StoredFile): string | undefined {
  return stored.link === undefined && isObject(stored.ref) ? str(stored.ref['attachmentId']) : undefined;
}

export class WebMessagingDestination implements Destination {
  readonly name = WEB_MESSAGING;
  readonly description: string;
  readonly targetKey: string;
  // The extra members (discard, provablyNotSent, staleIntent) are those of the finalised seam.
  readonly store: Store & { discard(state: JsonValue): Promise<void> };
  readonly notifier: Notifier & { provablyNotSent(error: unknown): boolean; staleIntent(error: unknown): boolean };

  constructor(readonly guest: WebMessagingGuest, target: string, deploymentId: string) {
    this.description = target;
    // A digest of the token names the conversation without revealing the token.
    const guestKey = createHash('sha256').update(guest.tokenForOwnerOnlyFile()).digest('hex').slice(0, 16);
    this.targetKey = `${WEB_MESSAGING}:${deploymentId}:${guestKey}`;
    this.store = {
      name: WEB_MESSAGING,
      refuses: (file) => {
        const error = guest.refuses({ fileName: file.fileName, fileType: file.contentType, size: file.size });
        return error === undefined ? undefined : { error };
      },
      open: async (file, step) => {
        const granted = await guest.beginAttachment({ fileName: file.fileName, fileType: file.contentType, size: file.size }, step.signal);
        return new AttachmentSession(guest, file, granted, undefined);
      },
      // Only an attachment the platform confirmed survives a restart; anything else is requested anew.
      resume: async (state, file) => {
        const id = isObject(state) && state['uploaded'] === true ? str(state['attachmentId']) : undefined;
        return id === undefined ? undefined : new AttachmentSession(guest, file, undefined, id);
      },
      discard: async (state) => {
        const id = isObject(state) ? str(state['attachmentId']) : undefined;
        if (id !== undefined) await guest.deleteAttachment(id);
      },
    };
    this.notifier = {
      name: WEB_MESSAGING,
      maxText: { length: MAX_TEXT_BYTES, unit: 'bytes' },
      prepare: async (delivery: Delivery) => ({
        attachmentId: attachmentIdOf(delivery.stored) ?? null,
        marker: delivery.stored.link?.url ?? null,
        sentAfter: guest.timeSource.now(),
      }),
      send: async (_intent, delivery: Delivery, step): Promise<Receipt> => {
        const attachmentId = attachmentIdOf(delivery.stored);
        const { messageId } = await guest.send({ text: delivery.text, attachmentId }, step.signal);
        return { messageId, details: attachmentId === undefined ? undefined : { attachmentId } };
      },
      // An answer from the platform refusing the message proves it was not stored; a lost answer,
      // an interruption, or an answer we could not read proves nothing.
      provablyNotSent: (error) => error instanceof UploadError && !isLostAnswer(error) && error.kind !== 'interrupted' && error.kind !== 'internal',
      // A guest token's conversation does not come back: a new intent would not help.
      staleIntent: () => false,
      find: async (intent, _delivery, step): Promise<Receipt | undefined> => {
        const query = isObject(intent) ? intent : {};
        const sentAfter = typeof query['sentAfter'] === 'number' ? query['sentAfter'] : undefined;
        const found = await guest.find({ attachmentId: str(query['attachmentId']), marker: str(query['marker']), sentAfter }, step.signal);
        return found === 'absent' ? undefined : { messageId: found.messageId };
      },
    };
  }

  close(): Promise<void> {
    return this.guest.close();
  }
}

/** Connects, configures the session, and returns the destination. */
export async function openWebMessagingDestination(options: GuestOptions): Promise<WebMessagingDestination> {
  const guest = await WebMessagingGuest.open(options);
  return new WebMessagingDestination(guest, options.config.target, options.config.deploymentId);
}
