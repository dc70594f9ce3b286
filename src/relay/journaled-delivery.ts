/**
 * The delivery half of a journalled send: the exactly-once delivery (deliver.ts) with the journal
 * as its recorder. The text is the message's final one (message-text.ts): for a link, built from
 * the journalled stored file — so its URL is the one generated at completion — and pinned in the
 * journalled intent by the link destination's notifier, so that a resume sends the same text.
 */
import type { Receipt, StoredFile } from '../destinations/destination.js';
import type { JournalEntry } from '../journal/index.js';
import { interrupted } from '../http/retry-runner.js';
import { UncertainDelivery, deliverOnce } from './deliver.js';
import { deliveryReport } from './delivery-result.js';
import { uncertainAfter } from './journal-errors.js';
import type { Run } from './journaled-run.js';
import { deliveryText } from './message-text.js';
import type { PipelineResult } from './send-via.js';
import { detailsOf } from './via.js';

export async function journaledDeliver(run: Run, entry: JournalEntry, stored: StoredFile, settle: boolean): Promise<Receipt> {
  const { journal, options } = run;
  const entryId = entry.id;
  const notifier = run.destination.notifier;
  // A link's text is pinned in its intent: another text asked for needs another intent.
  const intent = stored.link !== undefined && run.deliveryChanged ? undefined : entry.intent;
  try {
    return await deliverOnce({
      notifier,
      delivery: { stored, text: await deliveryText(stored, run.delivery.text, notifier, run.step) },
      recorder: {
        intent: (next) => journal.recordIntent(entryId, next),
        sending: () => journal.recordSending(entryId),
        notSent: () => journal.clearSending(entryId),
        delivered: (receipt) => journal.recordDelivered(entryId, receipt),
      },
      step: run.step,
      intent,
      unsettled: settle && intent !== undefined,
    });
  } catch (error) {
    const now = journal.get(entryId);
    if (now?.state === 'sending' && error instanceof UncertainDelivery) throw uncertainAfter(error, now);
    if (now !== undefined) {
      // Uploaded, not delivered (or its answer not settled yet): the next run goes straight to delivery.
      run.emit({ type: 'resumable', journalId: entryId, uploadId: now.uploadId, bytesStored: now.file.size, totalBytes: now.file.size });
    }
    throw options.signal?.aborted ? interrupted(options.signal, error) : error;
  }
}

export function receiptPart(run: Run, stored: StoredFile, receipt: Receipt): Pick<PipelineResult, 'messageId' | 'guestId' | 'destination' | 'details' | 'delivery' | 'link'> {
  return {
    messageId: receipt.messageId,
    guestId: receipt.details?.guestId ?? '',
    destination: run.destination.name,
    details: detailsOf(stored.ref, receipt),
    ...deliveryReport(stored),
  };
}
