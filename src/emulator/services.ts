/**
 * The emulator's parts, as the route handlers see them. One instance per running emulator.
 */
import type { Clock } from './clock.js';
import type { ConversationStore } from './conversations/store.js';
import type { FaultRegistry } from './faults.js';
import type { RequestContext } from './http/context.js';
import type { FixedWindowLimiter } from './rate-limits.js';
import type { FileRecord, GuestRecord, MessageRecord } from './records.js';
import type { UrlSigner } from './signing.js';
import type { Stats } from './stats.js';
import type { JsonWriter } from './store/json-writer.js';
import type { RecordStore } from './store/records.js';
import type { InOrderHashes } from './store/in-order-hash.js';
import type { UploadStore } from './store/uploads.js';
import type { TokenIssuer } from './tokens.js';
import type { EmulatorSettings } from './types.js';
import type { WebMessaging } from './web-messaging/service.js';
import type { S3Services } from './s3/call.js';

export interface Services {
  readonly clock: Clock;
  settings(): EmulatorSettings;
  setSettings(next: EmulatorSettings): void;
  readonly writer: JsonWriter;
  readonly uploads: UploadStore;
  /** Each open upload's whole-file SHA-256, computed as its segments arrive in order. */
  readonly wholeHashes: InOrderHashes;
  readonly files: RecordStore<FileRecord>;
  readonly guests: RecordStore<GuestRecord>;
  readonly messages: RecordStore<MessageRecord>;
  readonly signer: UrlSigner;
  readonly tokens: TokenIssuer;
  readonly faults: FaultRegistry;
  readonly apiLimiter: FixedWindowLimiter;
  readonly storageLimiter: FixedWindowLimiter;
  readonly stats: Stats;
  /** The Web Messaging guest API (socket, attachments, history). */
  readonly webMessaging: WebMessaging
  /** Platform API conversations, their media and messages (conversations/). */
  readonly conversations: ConversationStore;
  /** Fires when close() begins: stalls end, long work stops. */
  readonly closing: AbortSignal;
  /** `http://host:port` as the client addressed us (for pre-signed URLs). */
  origin(ctx: RequestContext): string;
  /** The S3 endpoint's store and address. */
  readonly s3: S3Services;
}
