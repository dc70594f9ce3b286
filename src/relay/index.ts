export { createGenesysClient, type GenesysClient, type GenesysClientOptions } from './genesys-client.js';
export { sendFile, type SendFileOptions, type SendFileResult } from './send-file.js';
export { deliverFile, defaultMessageText, DEFAULT_LANGUAGE, type DeliverFileOptions, type DeliverFileResult } from './deliver-file.js';
export { uploadFile, type UploadFileResult } from '../destinations/genesys-files/upload-file.js';
export type { UploadFileOptions } from '../upload/options.js';
export type { UploadEvent, UploadEventType, UploadEventListener } from '../upload/events.js';
