/** Results of a journalled send rebuilt from the journal, for work an earlier run did. */
import type { JournalEntry } from '../journal/index.js';
import type { PipelineResult } from './send-via.js';
import { deliveryReport } from './delivery-result.js';
import { detailsOf } from './via.js';

export function uploadPart(entry: JournalEntry): Omit<PipelineResult, 'messageId' | 'guestId' | 'retries' | 'seconds' | 'bytesSent' | 'resumed' | 'journalId' | 'bytesSkipped' | 'alreadyDelivered' | 'destination' | 'details' | 'delivery' | 'link'> {
  return {
    uploadId: entry.uploadId,
    fileId: entry.fileId ?? '',
    fileName: entry.fileName,
    contentType: entry.contentType,
    size: entry.file.size,
    sha256: entry.sha256 ?? '',
    chunks: entry.chunks,
    chunkSize: entry.chunkSize,
  };
}

/** A job delivered by an earlier run: its result again, and nothing sent. */
export function earlierResult(entry: JournalEntry, startedAt: number): PipelineResult {
  return {
    ...uploadPart(entry),
    messageId: entry.messageId ?? '',
    guestId: entry.guestId ?? '',
    destination: entry.destination,
    details: detailsOf(entry.stored?.ref, entry.receipt),
    ...deliveryReport(entry.stored),
    retries: 0,
    seconds: (performance.now() - startedAt) / 1000,
    bytesSent: 0,
    resumed: true,
    journalId: entry.id,
    bytesSkipped: entry.file.size,
    alreadyDelivered: true,
  };
}
