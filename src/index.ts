/**
 * The library's public API: the client only, named re-exports. Import from 'genesys-upload-proxy'.
 *
 *   const client = createGenesysClient(resolveConfig({ env: process.env, flags: {} }));
 *   const result = await sendFile(client, { filePath, to: ['+15550100'], onEvent: console.log });
 *
 * The heavier parts have their own entry points (package.json "exports"), so that importing the
 * client loads neither SQLite, nor fastify, nor the emulator:
 *   'genesys-upload-proxy/journal'  openJournal … (better-sqlite3): src/journal/index.ts
 *   'genesys-upload-proxy/service'  startService … (fastify, tus): src/server/index.ts
 *   'genesys-upload-proxy/emulator' startEmulator …: src/emulator/index.ts
 * test/library/public-api.test.ts checks what the root loads.
 */
export {
  resolveConfig,
  GENESYS_REGIONS,
  regionOrigins,
  type ResolvedConfig,
  type ResolveConfigInput,
  type ConfigFlags,
} from './config/index.js';
export {
  createGenesysClient,
  sendFile,
  uploadFile,
  deliverFile,
  defaultMessageText,
  DEFAULT_LANGUAGE,
  type GenesysClient,
  type GenesysClientOptions,
  type SendFileOptions,
  type SendFileResult,
  type UploadFileOptions,
  type UploadFileResult,
  type DeliverFileOptions,
  type DeliverFileResult,
  type UploadEvent,
  type UploadEventType,
  type UploadEventListener,
} from './relay/index.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './http/retry-policy.js';
export type { Clock, Random } from './http/clock.js';
export { redactUrl } from './http/redact-url.js';
export { sanitizeFileName, MAX_FILE_NAME_LENGTH } from './upload/sanitize-file-name.js';
export { contentTypeFor, DEFAULT_CONTENT_TYPE } from './upload/content-type.js';
export type {
  InitiateResponse,
  UploadStatus,
  StoredSegment,
  CompleteResponse,
  FileMetadata,
  Guest,
  CreatedMessage,
  Message,
} from './genesys/schemas.js';
export * from './errors/index.js';
// Types only (erased at run time): the journal is passed in by callers who import it themselves.
export type { Journal, JournalEntry, JournalState } from './journal/index.js';
