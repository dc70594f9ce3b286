/**
 * The conversation-media part of the emulator (agent-side files into a running messaging
 * conversation): its settings, its persisted records and its inspection view. The wire contract
 * it serves is docs/emulator-conversations.md.
 */

/** A conversation's outbound content profile: which media types an agent may send, how big. */
export interface ContentProfile {
  /** Exact media types (the type comes from the file name's extension). */
  allowedTypes: string[];
  /** Largest media in bytes; the platform ceiling (`maxMediaBytes`) applies on top. */
  maxBytes: number;
}

/** Settings under EmulatorSettings.conversations (patchable at runtime like the others). */
export interface ConversationSettings {
  /** The platform's ceiling for one media, in bytes. Default 25,000,000 ("25 MB", decimal reading). */
  maxMediaBytes: number;
  /** The profile new conversations get unless their creation names one. Default: jpg/png/gif, 25 MB. */
  defaultProfile: ContentProfile;
  /** Lifetime of a media upload URL in seconds. Default 600. */
  uploadUrlTtlSeconds: number;
  /** How long (emulator clock) a stored media stays `uploading` before its verdict shows. Default 500 ms. */
  validationDelayMs: number;
  /** Refuse (mark invalid) bytes whose file signature contradicts the declared type. Default true. */
  checkFileSignatures: boolean;
}

/** What options and patches may give: any subset, the default profile field by field too. */
export type ConversationSettingsInput = Partial<Omit<ConversationSettings, 'defaultProfile'>> & { defaultProfile?: Partial<ContentProfile> };

export type CommunicationState = 'alerting' | 'connected' | 'disconnected';

export interface CommunicationRecord {
  /** The communicationId of the routes. */
  id: string;
  state: CommunicationState;
  connectedTime?: string;
  disconnectedTime?: string;
}

export interface ParticipantRecord {
  id: string;
  /** customer, agent, acd, workflow, … */
  purpose: string;
  name: string;
  startTime: string;
  communication: CommunicationRecord;
}

/** Why a media turned invalid. */
export type InvalidReason = 'size-mismatch' | 'type-mismatch' | 'type-not-allowed' | 'rejected';

export interface MediaRecord {
  id: string;
  communicationId: string;
  name: string;
  mediaType: string;
  contentLengthBytes: number;
  /** As given at the request (base64 of the MD5); when present, the PUT must carry it as Content-MD5. */
  contentMd5?: string;
  createdAt: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  /** Set once a PUT stored bytes (emulator clock, epoch ms). */
  storedAt?: number;
  size?: number;
  /** Lowercase hex SHA-256 of the stored bytes. */
  sha256?: string;
  /** The verdict that shows once `validationDelayMs` has passed since storedAt; absent = valid. */
  invalidReason?: InvalidReason;
  /** The message that carried it, once sent (its bytes are frozen from then on). */
  messageId?: string;
}

export interface ConversationMessageRecord {
  id: string;
  participantId: string;
  communicationId: string;
  textBody: string;
  mediaIds: string[];
  timestamp: string;
  /** Media as sent (a snapshot, so the view never changes afterwards). */
  media: Array<{ id: string; name: string; mediaType: string; contentLengthBytes: number; sha256: string }>;
}

export interface ConversationRecord {
  id: string;
  /** webmessaging, open, whatsapp, sms, facebook, … (SMS limits textBody to 765 characters). */
  channel: string;
  createdAt: string;
  participants: ParticipantRecord[];
  profile: ContentProfile;
  media: MediaRecord[];
  messages: ConversationMessageRecord[];
}

export type MediaStatus = 'uploading' | 'valid' | 'invalid';

/** EmulatorState.conversations: every conversation with its messages and their media bytes' SHA-256. */
export interface ConversationsState {
  items: Array<{
    id: string;
    channel: string;
    createdAt: string;
    profile: ContentProfile;
    participants: Array<{ id: string; purpose: string; name: string; communicationId: string; state: CommunicationState }>;
    media: Array<{
      id: string;
      communicationId: string;
      name: string;
      mediaType: string;
      contentLengthBytes: number;
      status: MediaStatus;
      size?: number;
      sha256?: string;
      invalidReason?: InvalidReason;
      messageId?: string;
    }>;
    messages: Array<{
      id: string;
      participantId: string;
      communicationId: string;
      textBody: string;
      timestamp: string;
      media: Array<{ id: string; name: string; mediaType: string; size: number; sha256: string }>;
    }>;
  }>;
  /** True once a media upload PUT carried an Authorization header (it is refused, and recorded here). */
  uploadAuthorizationSeen: boolean;
}
