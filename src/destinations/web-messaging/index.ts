/** The Web Messaging destination: the guest client and its adapter on the destination seam. */
export { openWebMessagingDestination, WebMessagingDestination, WEB_MESSAGING } from './destination.js';
export { WebMessagingGuest, type GuestOptions } from './guest.js';
export { resolveWebMessagingOptions, type WebMessagingConfig, type WebMessagingOptionsInput } from './options.js';
export { readGuestToken, writeGuestToken } from './guest-token.js';
export { checkAttachment, parseSessionResponse, type SessionLimits } from './session.js';
export { LINK_STORE_HINT } from './errors.js';
export { MAX_TEXT_BYTES } from './message.js';
