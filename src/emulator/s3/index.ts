/** The emulator's S3-compatible endpoint (docs/emulator-s3.md). */
export { startS3Listener, type S3Listener } from './server.js';
export { S3Store } from './store.js';
export { buildS3State } from './state.js';
export { defaultS3Settings, mergeS3Settings, redactS3Settings, s3SettingsPatchSchema, s3SettingsSchema } from './settings.js';
export { DEFAULT_S3_BUCKET, DEMO_S3_CREDENTIAL, type S3Credential, type S3Settings, type S3StateView } from './types.js';
