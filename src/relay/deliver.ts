/**
 * Delivery over a notifier, exactly once: prepare an intent (journalled), mark the send (journalled),
 * send, record the receipt. When the answer to a send is lost — a dropped connection, a 5xx, a
 * crash of an earlier run — nothing is sent again before the platform is asked (`find`): found,
 * its receipt is recorded and the delivery is done; provably absent, it is sent (again). A send the
 * platform refused outright needs no asking. Only a notifier whose platform cannot tell (no `find`)
 * leaves a lost answer "uncertain", and then it is never sent again by itself (at most once).
 *
 * A failure to ask (the network, a stop) leaves the record "sending": the next run asks again.
 */
import { TransientError } from '../errors/index.js';
import type { Delivery, JsonValue, Notifier, Receipt, StepContext } from '../destinations/destination.js';
import type { DeliveryRecorder } from './recorder.js';

/** Sends of one message whose answers were lost (and found absent) before giving up. */
export const MAX_SENDS = 3;

export interface DeliverOnceOptions {
  notifier: Notifier;
  delivery: Delivery;
  recorder: DeliveryRecorder;
  step: StepContext;
  /** The intent journalled by an earlier run, if any. */
  intent?: JsonValue | undefined;
  /** An earlier run sent with `intent` and never recorded the answer: settle it first. */
  unsettled?: boolean | undefined;
}

/** The answer was lost and the platform cannot be asked: at most once, so not sent again. */
export class UncertainDelivery extends TransientError {
  constructor(cause: unknown) {
    super(
      'delivery.uncertain',
      'The message was sent but its answer was lost, and this destination cannot tell whether it arrived. ' +
        'It is not sent again automatically, so that no recipient gets it twice.',
      { cause },
    );
  }
}

function detail(receipt: Receipt, name: string): string {
  return receipt.details?.[name] ?? '';
}

/** Asks whether the message exists; records what it learns. */
async function settle(options: DeliverOnceOptions, intent: JsonValue, cause: unknown): Promise<Receipt | undefined> {
  const { notifier, delivery, recorder, step } = options;
  if (notifier.find === undefined) throw new UncertainDelivery(cause);
  const found = await notifier.find(intent, delivery, step);
  if (found !== undefined) {
    recorder.delivered(found);
    return found;
  }
  recorder.notSent();
  return undefined;
}

export async function deliverOnce(options: DeliverOnceOptions): Promise<Receipt> {
  const { notifier, delivery, recorder, step } = options;
  step.emit({ type: 'delivering' });
  const done = (receipt: Receipt): Receipt => {
    step.emit({ type: 'delivered', guestId: detail(receipt, 'guestId'), messageId: receipt.messageId });
    return receipt;
  };
  let intent = options.intent;
  if (options.unsettled === true && intent !== undefined) {
    const found = await settle(options, intent, undefined);
    if (found !== undefined) return done(found);
  }
  let staleRetried = false;
  for (let sends = 1; ; sends++) {
    if (intent === undefined) {
      intent = await notifier.prepare(delivery, step);
      recorder.intent(intent);
    }
    recorder.sending();
    try {
      const receipt = await notifier.send(intent, delivery, step);
      recorder.delivered(receipt);
      return done(receipt);
    } catch (error) {
      if (notifier.provablyNotSent(error)) {
        recorder.notSent();
        // An intent from an earlier run may have gone stale (an expired guest): one fresh one.
        if (!staleRetried && notifier.staleIntent(error)) {
          staleRetried = true;
          intent = undefined;
          recorder.intent(undefined);
          continue;
        }
        throw error;
      }
      // The answer was lost. Stopping: the next run settles it. Otherwise: ask now.
      if (step.signal.aborted) throw error;
      const found = await settle(options, intent, error);
      if (found !== undefined) return done(found);
      if (sends >= MAX_SENDS) throw error;
      step.emit({ type: 'retry', attempt: sends, delayMs: 0, reason: 'the answer to the message was lost and the message does not exist', route: 'api' });
    }
  }
}
