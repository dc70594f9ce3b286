/**
 * The library's public API: named re-exports only. Import from 'genesys-upload-proxy'.
 *
 *   const client = createGenesysClient(resolveConfig({ env: process.env, flags: {} }));
 *   const result = await sendFile(client, { filePath, to: ['+15550100'], onEvent: console.log });
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
export {
  startEmulator,
  DEMO_CLIENT,
  type EmulatorHandle,
  type EmulatorSettings,
  type EmulatorState,
  type FaultRule,
  type StartEmulatorOptions,
} from './emulator/index.js';
export {
  openJournal,
  defaultStateDir,
  DEFAULT_RETENTION_MS,
  type Journal,
  type OpenJournalOptions,
  type JournalEntry,
  type JournalState,
} from './journal/index.js';
export { startService, type ServiceHandle, type ServiceOptions, type JobView, type JobState } from './server/index.js';
