/**
 * What a journalled send does, given the newest journal entry of its job (file + org + client).
 * Pure: the caller gathers the facts (entry, how the file changed, the delivery asked for, flags)
 * and carries out the decision. The rules, in order:
 *
 * - no entry, or a failed or abandoned one: a fresh upload;
 * - --restart: a fresh upload; an unfinished entry is abandoned (its remote upload aborted);
 * - delivered: the same file to the same recipients with the same text prints the earlier result
 *   (delivery is never repeated); anything else is a new send;
 * - unfinished and the file changed: refuse (the chunks stored cannot be reused), suggest --restart;
 * - unfinished and another name or media type asked for: refuse (the upload has its own), same advice;
 * - message sent but its answer never recorded ("sending"): delivery, settling first — the platform
 *   is asked whether the message exists before anything is sent (deliver.ts). Only a destination
 *   that cannot tell refuses it as uncertain unless --redeliver (at most once). --redeliver sends
 *   without asking; other recipients or text make it a different message, sent without asking;
 * - completed (or sending and allowed): delivery only;
 * - uploading: continue the upload (the caller asks the server what it holds).
 */
import type { JournalEntry, RecordedDelivery } from '../journal/index.js';

export type ResumeDecision =
  | { kind: 'fresh'; abandon: { entry: JournalEntry; reason: string } | undefined }
  | { kind: 'earlier'; entry: JournalEntry }
  | { kind: 'uncertain'; entry: JournalEntry }
  | { kind: 'file-changed'; entry: JournalEntry; changes: string[] }
  | { kind: 'upload-changed'; entry: JournalEntry }
  /** `settle`: an earlier send's answer was lost; ask whether it arrived before sending. */
  | { kind: 'deliver'; entry: JournalEntry; deliveryChanged: boolean; settle: boolean }
  | { kind: 'upload'; entry: JournalEntry; deliveryChanged: boolean };

export interface ResumeFacts {
  entry: JournalEntry | undefined;
  /** How the file differs from the entry's record (empty: unchanged). */
  fileChanges: readonly string[];
  delivery: RecordedDelivery;
  /** The name and media type this run would upload under. */
  upload: { fileName: string; contentType: string };
  restart: boolean;
  redeliver: boolean;
  /** Whether the destination can tell if a sent message arrived (its notifier has `find`). */
  canSettle: boolean;
}

export function sameDelivery(a: RecordedDelivery, b: RecordedDelivery): boolean {
  return a.text === b.text && a.language === b.language && a.to.length === b.to.length && a.to.every((to, i) => to === b.to[i]);
}

/** Whether the decision needs `fileChanges` at all (so the caller reads the file only then). */
export function needsFileCheck(entry: JournalEntry | undefined, restart: boolean): boolean {
  return entry !== undefined && !restart && entry.state !== 'failed' && entry.state !== 'abandoned';
}

export function decideResume(facts: ResumeFacts): ResumeDecision {
  const { entry } = facts;
  if (entry === undefined || entry.state === 'failed' || entry.state === 'abandoned') return { kind: 'fresh', abandon: undefined };
  if (facts.restart) {
    return { kind: 'fresh', abandon: entry.state === 'delivered' ? undefined : { entry, reason: 'replaced by a new upload (--restart)' } };
  }
  const same = sameDelivery(entry.delivery, facts.delivery);
  const sameUpload = entry.fileName === facts.upload.fileName && entry.contentType === facts.upload.contentType;
  if (entry.state === 'delivered') {
    return facts.fileChanges.length === 0 && same && sameUpload ? { kind: 'earlier', entry } : { kind: 'fresh', abandon: undefined };
  }
  if (facts.fileChanges.length > 0) return { kind: 'file-changed', entry, changes: [...facts.fileChanges] };
  if (!sameUpload) return { kind: 'upload-changed', entry };
  const unsettled = entry.state === 'sending' && same && !facts.redeliver;
  if (unsettled && !facts.canSettle) return { kind: 'uncertain', entry };
  if (entry.state === 'completed' || entry.state === 'sending') return { kind: 'deliver', entry, deliveryChanged: !same, settle: unsettled };
  return { kind: 'upload', entry, deliveryChanged: !same };
}
