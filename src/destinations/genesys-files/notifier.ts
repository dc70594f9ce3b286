/**
 * The tutorial's message (PROTOCOL.md §7) as a notifier: a guest in the given language is the
 * intent, then one message to the recipients with the stored file attached.
 *
 * Exactly once: the message POST has no idempotency key, so when its answer is lost the guest's
 * messages are asked (`find`, newest first) for one carrying this file with this text to these
 * recipients; found, it is the receipt; not found, it provably does not exist and may be sent.
 * A lost answer to the guest POST is no harm: a guest no message went to is invisible to
 * recipients, so another one is simply created.
 *
 * A link (the stored file is in a link store, `stored.link`): the message is the text alone, with
 * no attachment — PROTOCOL.md §7 allows 0..10 attachments, and the file is not in the Files API to
 * attach. Its text (≤ 2000 characters) carries the link; `find` then matches the text and no
 * attachment.
 */
import { UploadError } from '../../errors/index.js';
import { NOT_SENT_ERROR_CODES, networkErrorCode } from '../../http/network-errors.js';
import type { Message } from '../../genesys/schemas.js';
import type { GenesysClient } from '../../relay/genesys-client.js';
import type { Delivery, JsonValue, Notifier, Receipt, StepContext } from '../destination.js';
import { callOptionsOf } from './call-options.js';

/** Guest creations whose answer was lost, tried again before giving up. */
const MAX_GUEST_ATTEMPTS = 3;

export interface FilesRecipients {
  /** 1..10 addresses. */
  to: string[];
  /** BCP-47 tag of the guest. */
  language: string;
}

/** True when `error` proves the POST created nothing. */
export function provablyNotSent(error: unknown): boolean {
  if (!(error instanceof UploadError)) return false;
  if (error.status !== undefined) return error.status < 500 || error.status === 503;
  const code = networkErrorCode(error);
  return code !== undefined && NOT_SENT_ERROR_CODES.includes(code);
}

function guestIdOf(intent: JsonValue): string {
  const guestId = typeof intent === 'object' && intent !== null && !Array.isArray(intent) ? intent.guestId : undefined;
  if (typeof guestId !== 'string') throw new TypeError('The delivery intent names no guest.');
  return guestId;
}

function fileIdOf(delivery: Delivery): string {
  if (typeof delivery.stored.ref !== 'string') throw new TypeError('The stored file has no file id.');
  return delivery.stored.ref;
}

/** The attachment of the message: the stored file, or none for a link. */
function attachmentsOf(delivery: Delivery): Array<{ id: string; name: string }> {
  return delivery.stored.link === undefined ? [{ id: fileIdOf(delivery), name: delivery.stored.fileName }] : [];
}

export class FilesNotifier implements Notifier {
  readonly name = 'genesys-files';
  readonly maxText = { length: 2000, unit: 'characters' } as const;
  readonly #client: GenesysClient;
  readonly #recipients: FilesRecipients;

  constructor(client: GenesysClient, recipients: FilesRecipients) {
    this.#client = client;
    this.#recipients = { to: [...recipients.to], language: recipients.language };
  }

  async prepare(_delivery: Delivery, step: StepContext): Promise<JsonValue> {
    for (let attempt = 1; ; attempt++) {
      try {
        const guest = await this.#client.createGuest({ language: this.#recipients.language }, callOptionsOf(step));
        return { guestId: guest.id };
      } catch (error) {
        // Lost answer: maybe a guest was made; it is harmless, make another.
        if (provablyNotSent(error) || step.signal.aborted || attempt >= MAX_GUEST_ATTEMPTS) throw error;
        step.emit({ type: 'retry', attempt, delayMs: 0, reason: 'the answer to the guest creation was lost', route: 'api' });
      }
    }
  }

  async send(intent: JsonValue, delivery: Delivery, step: StepContext): Promise<Receipt> {
    const guestId = guestIdOf(intent);
    const message = await this.#client.sendMessage(
      { guestId, to: this.#recipients.to, text: delivery.text, attachments: attachmentsOf(delivery) },
      callOptionsOf(step),
    );
    return { messageId: message.id, details: { guestId } };
  }

  provablyNotSent(error: unknown): boolean {
    return provablyNotSent(error);
  }

  staleIntent(error: unknown): boolean {
    return error instanceof UploadError && error.status === 400 && error.remoteCode === 'guest.not.found';
  }

  async find(intent: JsonValue, delivery: Delivery, step: StepContext): Promise<Receipt | undefined> {
    const guestId = guestIdOf(intent);
    let messages: Message[];
    try {
      messages = await this.#client.listGuestMessages(guestId, callOptionsOf(step));
    } catch (error) {
      // The guest is gone: no message can be sent from it, and none was (a send would have failed).
      if (error instanceof UploadError && error.status === 404) return undefined;
      throw error;
    }
    const attached = attachmentsOf(delivery)[0]?.id;
    const to = this.#recipients.to;
    const found = messages.find(
      (m) =>
        m.text === delivery.text &&
        m.to.length === to.length &&
        m.to.every((address, i) => address === to[i]) &&
        (attached === undefined ? m.attachments.length === 0 : m.attachments.some((a) => a.id === attached)),
    );
    return found === undefined ? undefined : { messageId: found.id, details: { guestId } };
  }
}
