/** The `entries` table's row shape and its mapping to a JournalEntry. */
import type { JsonValue, Receipt, StoredFile } from '../destinations/destination.js';
import type { DisplayState, JournalEntry, JournalState, LockHolder, NewEntry } from './types.js';

export interface EntryRow {
  id: string;
  state: JournalState;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  file_path: string;
  file_size: number;
  file_mtime_ns: string;
  file_ino: string;
  file_dev: string;
  head_sha256: string;
  tail_sha256: string;
  api_url: string;
  login_url: string;
  client_id: string;
  target: string;
  upload_id: string;
  file_name: string;
  content_type: string;
  chunk_size: number;
  max_chunks: number;
  chunks: number;
  file_id: string | null;
  sha256: string | null;
  delivery_to: string;
  delivery_text: string;
  delivery_language: string;
  guest_id: string | null;
  message_attempt_at: number | null;
  message_id: string | null;
  delivered_at: number | null;
  error_code: string | null;
  error_message: string | null;
  destination: string;
  session_state: string | null;
  stored: string | null;
  intent: string | null;
  receipt: string | null;
  /** From the segments table (aggregated by the query). */
  segments_stored: number;
  bytes_stored: number;
}

/** Columns of a new row, in INSERT order, from what is known right after initiate. */
export function newRowValues(id: string, entry: NewEntry, now: number): Record<string, string | number> {
  return {
    id,
    state: 'uploading',
    created_at: now,
    updated_at: now,
    file_path: entry.file.path,
    file_size: entry.file.size,
    file_mtime_ns: entry.file.mtimeNs,
    file_ino: entry.file.ino,
    file_dev: entry.file.dev,
    head_sha256: entry.file.headSha256,
    tail_sha256: entry.file.tailSha256,
    api_url: entry.target.apiUrl,
    login_url: entry.target.loginUrl,
    client_id: entry.target.clientId,
    target: entry.target.description,
    destination: entry.destination,
    session_state: JSON.stringify(entry.sessionState),
    upload_id: entry.uploadId,
    file_name: entry.fileName,
    content_type: entry.contentType,
    chunk_size: entry.chunkSize,
    max_chunks: entry.maxChunks,
    chunks: entry.chunks,
    delivery_to: JSON.stringify(entry.delivery.to),
    delivery_text: entry.delivery.text,
    delivery_language: entry.delivery.language,
  };
}

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const json = <T>(value: string | null): T | undefined => (value === null ? undefined : (JSON.parse(value) as T));

export function toEntry(row: EntryRow, lockedBy: LockHolder | undefined): JournalEntry {
  const displayState: DisplayState = row.state === 'sending' && lockedBy === undefined ? 'uncertain' : row.state;
  const receipt = json<Receipt>(row.receipt);
  return {
    id: row.id,
    state: row.state,
    displayState,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: opt(row.finished_at),
    file: {
      path: row.file_path,
      size: row.file_size,
      mtimeNs: row.file_mtime_ns,
      ino: row.file_ino,
      dev: row.file_dev,
      headSha256: row.head_sha256,
      tailSha256: row.tail_sha256,
    },
    target: { apiUrl: row.api_url, loginUrl: row.login_url, clientId: row.client_id, description: row.target },
    destination: row.destination,
    sessionState: json<JsonValue>(row.session_state) ?? null,
    uploadId: row.upload_id,
    fileName: row.file_name,
    contentType: row.content_type,
    chunkSize: row.chunk_size,
    maxChunks: row.max_chunks,
    chunks: row.chunks,
    segmentsStored: row.segments_stored,
    bytesStored: row.bytes_stored,
    stored: json<StoredFile>(row.stored),
    intent: json<JsonValue>(row.intent),
    receipt,
    fileId: opt(row.file_id),
    sha256: opt(row.sha256),
    delivery: { to: JSON.parse(row.delivery_to) as string[], text: row.delivery_text, language: row.delivery_language },
    guestId: receipt?.details?.guestId ?? opt(row.guest_id),
    messageAttemptAt: opt(row.message_attempt_at),
    messageId: opt(row.message_id),
    deliveredAt: opt(row.delivered_at),
    error: row.error_code === null ? undefined : { code: row.error_code, message: row.error_message ?? '' },
    lockedBy,
  };
}
