/**
 * The conversation destination (Platform API, agent side): a file into an existing messaging
 * conversation as a media, then a message that carries it.
 */
export { conversationDestination, CONVERSATION_DESTINATION, type ConversationDestinationOptions } from './destination.js';
export { createConversationClient, conversationClientFromSettings, type ConversationClient, type ConversationClientOptions } from './client.js';
export { parseConversationOptions, parseAccessToken, ACCESS_TOKEN_ENV, type ConversationOptions, type ConversationFlags, type ConversationAuth } from './options.js';
export { findCommunication, type ConversationTarget } from './communication.js';
export { findMessage } from './find-message.js';
export { checkMedia, checkText, validateContentProfile, PLATFORM_MAX_MEDIA_BYTES, type ContentProfile } from './limits.js';
export { FixedTokenProvider, describeToken, type TokenKind, type AccessTokenSource } from './tokens.js';
export { PERMISSIONS } from './errors.js';
export type { ConversationEvent, ConversationEventListener } from './events.js';
