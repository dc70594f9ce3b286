/**
 * What a send tells its record as it goes: the upload's durable facts (upload/recorder.ts) and the
 * delivery's. The resume journal is one such record (journaled-send.ts); `memoryRecorder` is the
 * other, for a send without a journal (`--no-journal`, the library without one): the same
 * pipeline, with facts that live as long as the run.
 *
 * Delivery facts, each made at the moment it becomes true:
 * - intent:    the notifier prepared what a send needs (a guest…), or dropped a stale one;
 * - sending:   the message is about to be sent; until `delivered` or `notSent` its outcome needs
 *              settling (asking the platform) before anything is sent again;
 * - notSent:   the message provably does not exist;
 * - delivered: the message exists: its receipt.
 */
import type { JsonValue, Receipt, StoredFile } from '../destinations/destination.js';
import type { OpenedUpload, UploadRecorder } from '../upload/recorder.js';

export interface DeliveryRecorder {
  intent(intent: JsonValue | undefined): void;
  sending(): void;
  notSent(): void;
  delivered(receipt: Receipt): void;
}

export type SendRecorder = UploadRecorder & DeliveryRecorder;

/** The facts of one run, in memory. */
export interface MemoryRecord {
  opened: OpenedUpload | undefined;
  stored: StoredFile | undefined;
  intent: JsonValue | undefined;
  /** True between `sending` and `delivered`/`notSent`. */
  unsettled: boolean;
  receipt: Receipt | undefined;
}

export function memoryRecorder(): SendRecorder & { readonly record: MemoryRecord } {
  const record: MemoryRecord = { opened: undefined, stored: undefined, intent: undefined, unsettled: false, receipt: undefined };
  return {
    record,
    opened: (upload) => {
      record.opened = upload;
    },
    segmentStored: () => undefined,
    completed: (stored) => {
      record.stored = stored;
    },
    intent: (intent) => {
      record.intent = intent;
    },
    sending: () => {
      record.unsettled = true;
    },
    notSent: () => {
      record.unsettled = false;
    },
    delivered: (receipt) => {
      record.unsettled = false;
      record.receipt = receipt;
    },
  };
}
