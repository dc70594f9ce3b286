/**
 * A notifier whose intent also pins the text: `prepare` journals the exact text the message will
 * carry next to the base notifier's intent, and `send`/`find` use that text, not the one computed
 * by this run. A link message's text is built from the stored file (its link, its expiry) when
 * delivery starts; pinning it in the intent means that a run resuming after a crash — between the
 * intent and the answer — sends (or looks for) exactly the text the interrupted run meant to send,
 * whatever this version of the program would write today.
 */
import type { Delivery, JsonValue, Notifier, Receipt, StepContext } from '../destinations/destination.js';

interface Pinned {
  text: string;
  intent: JsonValue;
}

function pinnedOf(intent: JsonValue): Pinned {
  if (typeof intent === 'object' && intent !== null && !Array.isArray(intent) && typeof intent['text'] === 'string' && 'intent' in intent) {
    return { text: intent['text'], intent: intent['intent'] ?? null };
  }
  throw new TypeError('The delivery intent has no pinned text (was it journalled by another kind of destination?).');
}

const withText = (delivery: Delivery, pinned: Pinned): Delivery => ({ ...delivery, text: pinned.text });

export function pinnedTextNotifier(base: Notifier): Notifier {
  const notifier: Notifier = {
    name: base.name,
    maxText: base.maxText,
    async prepare(delivery: Delivery, step: StepContext): Promise<JsonValue> {
      return { text: delivery.text, intent: await base.prepare(delivery, step) };
    },
    send(intent: JsonValue, delivery: Delivery, step: StepContext): Promise<Receipt> {
      const pinned = pinnedOf(intent);
      return base.send(pinned.intent, withText(delivery, pinned), step);
    },
    provablyNotSent: (error) => base.provablyNotSent(error),
    staleIntent: (error) => base.staleIntent(error),
  };
  if (base.textLimit !== undefined) notifier.textLimit = (step) => base.textLimit?.(step) ?? Promise.resolve(base.maxText);
  if (base.find !== undefined) {
    notifier.find = (intent, delivery, step) => {
      const pinned = pinnedOf(intent);
      return base.find?.(pinned.intent, withText(delivery, pinned), step) ?? Promise.resolve(undefined);
    };
  }
  return notifier;
}
