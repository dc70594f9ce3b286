/** Results of a journalled send rebuilt from the journal, for work an earlier run did. */
import type { JournalEntry } from '../journal/index.js';
import type { SendFileResult } from './send-file.js';

export function uploadPart(entry: JournalEntry): Omit<SendFileResult, 'messageId' | 'guestId' | 'retries' | 'seconds' | 'bytesSent' | 'resumed' | 'journalId' | 'bytesSkipped' | 'alreadyDelivered'> {
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
export function earlierResult(entry: JournalEntry, startedAt: number): SendFileResult {
  return {
    ...uploadPart(entry),
    messageId: entry.messageId ?? '',
    guestId: entry.guestId ?? '',
    retries: 0,
    seconds: (performance.now() - startedAt) / 1000,
    bytesSent: 0,
    resumed: true,
    journalId: entry.id,
    bytesSkipped: entry.file.size,
    alreadyDelivered: true,
  };
}
