/**
 * The message, exactly once (WEB-MESSAGING.md §5). There is no idempotency key, so a message whose
 * answer was lost is never simply sent again: the platform is asked once (`find`). Found: that is
 * the message. Provably absent: sending again cannot duplicate it, so it is sent once more. The
 * platform cannot tell, or the second answer is lost too: `delivery.uncertain`, for the user to
 * decide.
 */
import { TransientError, UploadError } from '../../errors/index.js';
import type { FindQuery } from './find.js';
import type { WebMessagingGuest } from './guest.js';
import type { OutgoingMessage } from './message.js';
import { isLostAnswer } from './upload.js';

export interface DeliveryOutcome {
  messageId: string;
  /** onMessage requests sent (1 normally; 2 after a lost answer and a history that proved it absent). */
  sends: number;
  /** Whether the history had to be asked. */
  looked: boolean;
}

export async function deliverExactlyOnce(guest: WebMessagingGuest, message: OutgoingMessage, query: FindQuery, signal?: AbortSignal): Promise<DeliveryOutcome> {
  let lost: UploadError;
  try {
    return { ...(await guest.send(message, signal)), sends: 1, looked: false };
  } catch (error) {
    if (!isLostAnswer(error)) throw error;
    lost = error as UploadError;
  }
  const found = await guest.find(query, signal);
  if (found !== 'absent') return { messageId: found.messageId, sends: 1, looked: true };
  try {
    return { ...(await guest.send(message, signal)), sends: 2, looked: true };
  } catch (error) {
    if (!isLostAnswer(error)) throw error;
    throw new TransientError('delivery.answer_lost', 'The answer to the message was lost twice; whether the second one arrived cannot be told without asking again. Check the conversation before sending it again.', { cause: lost });
  }
}
