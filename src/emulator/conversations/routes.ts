/**
 * The conversation-media routes, mounted by dispatch.ts into the emulator's one route table: the
 * Platform API surface (guarded like every {api} route: token, rate limit, permission), the
 * pre-signed media storage, and the admin controls.
 */
import type { RequestContext } from '../http/context.js';
import type { Services } from '../services.js';
import type { EmulatorRoute, Permission } from '../types.js';
import * as admin from './admin.js';
import { mediaContentRoute, mediaPutRoute } from './media-put.js';
import { bulkGetRoute, bulkPostRoute, conversationRoute, messageConversationRoute } from './read-routes.js';
import { sendRoute } from './send.js';
import { MEDIA_STORAGE_PREFIX } from './signer.js';
import { mediaListRoute, mediaStatusRoute, uploadRequestRoute } from './upload-request.js';

type Handler = (ctx: RequestContext, env: Services, params: Record<string, string>) => Promise<void>;

export interface ConversationRouteSpec {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  route: EmulatorRoute | 'admin';
  /** Any one of these permissions will do; null: any valid token (or no token off the api surface). */
  permission: readonly Permission[] | null;
  handler: Handler;
}

/** Uploading media: any of these (Genesys' documented alternatives). */
export const MEDIA_CREATE: readonly Permission[] = ['conversation:message:create', 'conversation:webmessaging:create', 'conversation:socialmedia:create'];
/** Reading a media's status. */
export const MEDIA_VIEW: readonly Permission[] = ['conversation:message:view', 'conversation:webmessaging:view'];
/** Sending a message on a communication. */
export const MESSAGE_SEND: readonly Permission[] = ['conversation:message:create', 'conversation:webmessaging:create'];

const C = '/api/v2/conversations/messages/:conversationId';
const COMM = `${C}/communications/:communicationId/messages`;
const A = '/__emulator/conversations';

const api = (method: ConversationRouteSpec['method'], path: string, route: EmulatorRoute, permission: readonly Permission[] | null, handler: Handler) =>
  ({ method, path, route, permission, handler }) satisfies ConversationRouteSpec;
const adm = (method: ConversationRouteSpec['method'], path: string, handler: Handler) =>
  ({ method, path, route: 'admin', permission: null, handler }) satisfies ConversationRouteSpec;

export const CONVERSATION_ROUTES: readonly ConversationRouteSpec[] = [
  api('GET', '/api/v2/conversations/:conversationId', 'conversation', null, conversationRoute),
  api('GET', C, 'conversation-messages', null, messageConversationRoute),
  api('POST', `${COMM}/media/uploads`, 'media-uploads', MEDIA_CREATE, uploadRequestRoute),
  api('GET', `${COMM}/media/:mediaId`, 'media-status', MEDIA_VIEW, mediaStatusRoute),
  api('GET', `${COMM}/media`, 'media-status', MEDIA_VIEW, mediaListRoute),
  api('POST', COMM, 'conversation-send', MESSAGE_SEND, sendRoute),
  api('POST', `${C}/messages/bulk`, 'messages-bulk', null, bulkPostRoute),
  api('GET', `${C}/messages/bulk`, 'messages-bulk', null, bulkGetRoute),
  api('PUT', `${MEDIA_STORAGE_PREFIX}:mediaId`, 'media-put', null, mediaPutRoute),
  api('GET', `${MEDIA_STORAGE_PREFIX}:mediaId`, 'media-content', null, mediaContentRoute),
  adm('POST', A, admin.createConversation),
  adm('GET', `${A}/:conversationId`, admin.getConversation),
  adm('POST', `${A}/:conversationId/communications/:communicationId/disconnect`, admin.disconnectCommunication),
  adm('PUT', `${A}/:conversationId/profile`, admin.putProfile),
];
