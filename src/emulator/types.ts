/**
 * The emulator's public shapes: its settings, fault rules and state view. Shared by the emulator
 * itself, its CLI, its admin routes under /__emulator/, and the tests. PROTOCOL.md section 9.
 */
import type { WmFaultRule } from './web-messaging/faults.js';
import type { WebMessagingSettings, WebMessagingSettingsInput } from './web-messaging/settings.js';
import type { WebMessagingView } from './web-messaging/view.js';

import type { S3Settings, S3StateView } from './s3/types.js';

import type { ConversationSettings, ConversationSettingsInput, ConversationsState } from './conversations/types.js';

export type Permission =
  | 'files:upload'
  | 'messaging:guest'
  | 'messaging:send'
  // Platform API conversation media (conversations/):
  | 'conversation:message:create'
  | 'conversation:webmessaging:create'
  | 'conversation:socialmedia:create'
  | 'conversation:message:view'
  | 'conversation:webmessaging:view';

/** Every permission the emulator knows, in one place (settings validation, the CLI). */
export const ALL_PERMISSIONS: readonly Permission[] = Object.freeze([
  'files:upload',
  'messaging:guest',
  'messaging:send',
  'conversation:message:create',
  'conversation:webmessaging:create',
  'conversation:socialmedia:create',
  'conversation:message:view',
  'conversation:webmessaging:view',
] as Permission[]);

export interface EmulatorClient {
  id: string;
  secret: string;
  permissions: Permission[];
}

/** Runtime-changeable settings (PATCH /__emulator/config takes any subset). */
export interface EmulatorSettings {
  /** OAuth clients. Default: the documented demo client (see DEMO_CLIENT). */
  clients: EmulatorClient[];
  /** Access token lifetime in seconds (`expires_in`). Default 86400. */
  tokenTtlSeconds: number;
  /** Pre-signed URL lifetime in seconds. Default 3600. */
  urlTtlSeconds: number;
  /** Chunk size for files above `singleChunkMaxSize`. Default 5 MiB (5,242,880). */
  chunkSize: number;
  /** Files up to this size get one chunk (chunkSize = totalSize). Default 10 MiB; 0 disables. */
  singleChunkMaxSize: number;
  /** Most chunks an upload may have. Default 10,000. */
  maxChunks: number;
  /** Largest accepted file in bytes. Default 50 GiB. */
  maxFileSize: number;
  /** The org's content profile: exact media type strings. */
  allowedContentTypes: string[];
  /** API rate limit per access token. Default 300 requests per 60 s. */
  apiRateLimit: { requests: number; windowSeconds: number };
  /** Storage request-rate limit per upload, requests per second; 0 = unlimited (default). */
  storageRateLimitPerSecond: number;
  /** Web Messaging guest API: deployments and limits (docs/emulator-web-messaging.md). */
  webMessaging: WebMessagingSettings;
  /** The S3-compatible endpoint (docs/emulator-s3.md). Options and patches may give any subset of it. */
  s3: S3Settings;
  /** Platform API conversation media (docs/emulator-conversations.md). */
  conversations: ConversationSettings;
}

/** Routes that fault rules and counters name. */
export type EmulatorRoute =
  | 'token'
  | 'initiate'
  | 'segment'
  | 'status'
  | 'abort'
  | 'complete'
  | 'file'
  | 'content'
  | 'guest'
  | 'message'
  | 'message-get'
  /** Web Messaging: the pre-signed attachment PUT, its download GET, the guest history route. */
  | 'wm-upload'
  | 'wm-download'
  | 'wm-history'
  // The S3 endpoint (docs/emulator-s3.md).
  | 's3-create'
  | 's3-part'
  | 's3-complete'
  | 's3-list'
  | 's3-abort'
  | 's3-put'
  | 's3-get'
  | 's3-head'
  | 's3-delete'
  // Platform API conversation media (conversations/routes.ts):
  | 'conversation'
  | 'conversation-messages'
  | 'media-uploads'
  | 'media-status'
  | 'media-put'
  | 'media-content'
  | 'conversation-send'
  | 'messages-bulk';

export type FaultAction =
  /** Answer `status` at once (with Retry-After `retryAfter` seconds on 429/503), body unread. */
  | 'status'
  /** Wait `stallMs` before handling the request normally. */
  | 'stall'
  /** Read `afterBytes` bytes of the request body (default 0), then destroy the socket. */
  | 'reset'
  /** segment route: store the segment, then flip a byte of the stored copy; media-put: store the media, which then fails validation (`invalid`). */
  | 'corrupt'
  /** Handle the request fully (state changes happen), then destroy the socket instead of answering. */
  | 'lose-response';

export interface FaultRule {
  /** Assigned by the emulator when absent. */
  id?: string;
  route: EmulatorRoute;
  action: FaultAction;
  status?: number;
  retryAfter?: number;
  stallMs?: number;
  afterBytes?: number;
  /** Only segment PUTs for this index (segment/corrupt rules). */
  segmentIndex?: number;
  /** Only UploadPart requests for this part number (s3-part rules). */
  partNumber?: number;
  /** Apply to the next N matching requests (default 1 when probability is absent). */
  count?: number;
  /** Apply with this probability (0..1) from the emulator's seeded random source; unlimited count unless `count` is set. */
  probability?: number;
}

/**
 * Settings as options and patches give them (PATCH /__emulator/config, handle.configure): any
 * subset; Web Messaging deployments with defaults filled in, nested conversation settings partial.
 */
export type EmulatorSettingsInput = Partial<Omit<EmulatorSettings, 'webMessaging' | 'conversations' | 's3'>> & {
  webMessaging?: WebMessagingSettingsInput;
  conversations?: ConversationSettingsInput;
  /** Any subset of the S3 endpoint's settings. */
  s3?: Partial<S3Settings>;
};

/** A settings patch: the same shape as the input. */
export type EmulatorSettingsPatch = EmulatorSettingsInput;

export interface StartEmulatorOptions extends EmulatorSettingsInput {
  host?: string; // default 127.0.0.1
  port?: number; // default 0 in-process (the CLI defaults to 8080)
  /** Persist uploads, segments, files, guests, messages here; default: a fresh temp dir removed on close(). */
  dataDir?: string;
  faults?: FaultRule[];
  /** Seed for the fault rules' random source. Default 1. */
  seed?: number;
  /** Port of the S3 endpoint's own listener (same host). Default 0: any free port. */
  s3Port?: number;
}

export interface RouteCounters {
  requests: number;
  statuses: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
}

/** One entry of the bounded request log (newest last, at most 10,000 kept). */
export interface RequestLogEntry {
  /** Emulator clock, epoch milliseconds, when the request arrived. */
  at: number;
  route: EmulatorRoute | 'admin' | 'unknown';
  method: string;
  status: number;
  uploadId?: string;
  segmentIndex?: number;
  /** The fault action applied, if any. */
  fault?: FaultAction;
}

export interface EmulatorState {
  now: number;
  counters: Partial<Record<EmulatorRoute, RouteCounters>>;
  uploads: Array<{
    uploadId: string;
    fileName: string;
    contentType: string;
    totalSize: number;
    chunkSize: number;
    maxChunks: number;
    state: 'open' | 'completed' | 'aborted';
    segments: Array<{ index: number; size: number; checksum: string }>;
    fileId?: string;
  }>;
  files: Array<{ id: string; name: string; contentType: string; size: number; sha256: string; createdAt: string }>;
  guests: Array<{ id: string; language: string }>;
  messages: Array<{ id: string; guestId: string; to: string[]; text: string; attachments: Array<{ id: string; name: string }>; createdAt: string }>;
  /** True once any storage (segment) request carried an Authorization header. */
  storageAuthorizationSeen: boolean;
  /** Conversations with their media and messages (the media bytes' SHA-256). */
  conversations: ConversationsState;
  requestLog: RequestLogEntry[];
  /** Web Messaging conversations as an agent sees them (never a guest token). */
  webMessaging: WebMessagingView;
  /** The S3 endpoint: objects and open multipart uploads. */
  s3: S3StateView;
}

/** What startEmulator() returns. */
export interface EmulatorHandle {
  /** `http://HOST:PORT` */
  url: string;
  port: number;
  /** `http://HOST:PORT` of the S3-compatible endpoint (path-style; its own listener). */
  s3Url: string;
  dataDir: string;
  state(): EmulatorState;
  settings(): EmulatorSettings;
  configure(patch: EmulatorSettingsInput): void;
  addFault(rule: FaultRule): string;
  clearFaults(): void;
  /** Move the emulator's clock forward (token/URL expiry, rate windows) without waiting. */
  advanceClock(ms: number): void;
  /** Web Messaging socket-side fault rules (PUT faults are FaultRules on route `wm-upload`). */
  webMessaging: { addFault(rule: WmFaultRule): string; clearFaults(): void; faults(): WmFaultRule[] };
  close(): Promise<void>;
}

/** The client that works with no configuration. Documented in the README. */
export const DEMO_CLIENT: Readonly<EmulatorClient> = Object.freeze({
  id: 'demo-client',
  secret: 'demo-secret',
  permissions: [...ALL_PERMISSIONS],
});
