/**
 * What the Web Messaging side of the emulator remembers, in memory: sessions (one per guest
 * token and conversation), their connections, attachments and messages. Attachment bytes live on
 * disk under the data directory; the records do not survive a restart (documented).
 */
import type { WebSocket } from 'ws';

export type AttachmentState = 'pending' | 'uploaded' | 'failed' | 'deleted';

export interface WmAttachment {
  id: string;
  sessionId: string;
  fileName: string;
  fileType: string;
  /** Declared in onAttachment. */
  fileSize: number;
  tagging: string;
  state: AttachmentState;
  createdAt: number;
  /** Bumped by each onAttachment for this id: an older PUT's event is never sent for a newer URL. */
  generation: number;
  storedSize?: number;
  sha256?: string;
  /** The stored bytes (set once a PUT completed). */
  path?: string;
  uploadedAt?: number;
  failure?: { errorCode: number; errorMessage: string };
  /** Ids of the messages that carried it. */
  sentIn: string[];
}

export interface WmMessage {
  id: string;
  sessionId: string;
  text?: string;
  time: number;
  attachmentIds: string[];
}

export interface WmConnection {
  id: string;
  ws: WebSocket;
  origin: string | undefined;
  openedAt: number;
  /** The session configureSession bound this connection to. */
  session?: WmSession;
}

export interface WmSession {
  id: string;
  /** The guest token: a credential. Never shown in the state view or any answer. */
  token: string;
  deploymentId: string;
  createdAt: number;
  lastActivity: number;
  /** Ended (expired or replaced by startNew): read-only. */
  ended: boolean;
  connections: WmConnection[];
  attachments: Map<string, WmAttachment>;
  messages: WmMessage[];
}
