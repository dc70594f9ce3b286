/** The S3 link store (LINK-STORE.md): a store on the destination seam, its link, and the link message text. */
export { S3LinkStore, S3_STORE, objectKey, type S3StoreSettings } from './store.js';
export { parseS3Options, s3InputFromEnv, S3_DEFAULTS, SETTING as S3_SETTING, type S3StoreInput, type S3StoreOptions, type S3Credentials } from './options.js';
export { partSizeFor, planParts } from './part-size.js';
export { objectLink, type ObjectLink } from './link.js';
export { createS3Transport, type S3Transport, type S3TransportOptions } from './transport.js';
export { compositeChecksum, contentDisposition } from './checksums.js';
export { buildLinkText, plainSize, plainUtc, AGENT_MESSAGE_LIMIT, TUTORIAL_MESSAGE_LIMIT, WEB_MESSAGING_LIMIT, type LinkFacts, type TextLimit } from './link-text.js';
export type { MultipartState } from './multipart-session.js';
export type { PutState } from './put-session.js';
