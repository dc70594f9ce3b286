/** The persisted shapes of completed files, guests and messages. */

export interface FileRecord {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** Lowercase hex SHA-256 of the whole file. */
  sha256: string;
  /** Per-segment checksums, `sha256:<hex>`, in segment order. */
  checksums: string[];
  createdAt: string;
  /** The completed upload whose segment files hold the bytes. */
  uploadId: string;
  chunkSize: number;
}

export interface GuestRecord {
  id: string;
  language: string;
  metadata?: Record<string, unknown>;
  token: string;
  createdAt: string;
}

export interface MessageRecord {
  id: string;
  guestId: string;
  to: string[];
  text: string;
  attachments: Array<{ id: string; name: string }>;
  createdAt: string;
}
