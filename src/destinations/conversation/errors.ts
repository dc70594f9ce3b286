/**
 * Turns the Platform API's refusals of the conversation routes into errors a user can act on:
 * a 403 names the permission(s) the step needs and which kind of token was refused, with what to
 * try; 413/415 (and a 400 that says the type is refused) become RejectedErrors that name the limit
 * and the way out (a link instead of the file); a disconnected communication or an unknown
 * conversation say so. Everything else falls through to the project's generic mapping.
 */
import { AuthError, RejectedError, type UploadError } from '../../errors/index.js';
import type { RemoteError } from '../../genesys/error-body.js';
import { permissionIn, remoteErrorOptions } from '../../genesys/map-error.js';
import { describeToken, type TokenKind } from './tokens.js';

/** The platform's ceiling for messaging media (Genesys: "attachments up to 25 MB"). */
export const PLATFORM_MEDIA_LIMIT_TEXT = '25 MB';

/** What the user can do about a file the conversation cannot take. */
export const LINK_WAY_OUT =
  'Send a link to the file instead: configure a link store and use --delivery link (or --delivery auto, which falls back to a link by itself).';

/** Which permissions each step needs (CONVERSATION-MEDIA.md §1), any one of them suffices. */
export const PERMISSIONS = {
  upload: ['conversation:message:create', 'conversation:webmessaging:create', 'conversation:socialmedia:create'],
  send: ['conversation:message:create', 'conversation:webmessaging:create'],
  readMedia: ['conversation:message:view', 'conversation:webmessaging:view'],
  readConversation: ['conversation:message:view', 'conversation:webmessaging:view'],
} as const;

export type Step = keyof typeof PERMISSIONS;

export interface ConversationErrorContext {
  what: string;
  step: Step;
  tokenKind: TokenKind;
  conversationId: string;
  communicationId?: string | undefined;
  fileName?: string | undefined;
  size?: number | undefined;
}

function typeRefused(status: number, remote: RemoteError): boolean {
  if (status === 415) return true;
  const text = `${remote.code ?? ''} ${remote.message ?? ''}`.toLowerCase();
  return status === 400 && /type|extension|content.?profile/.test(text) && !/file.?name/.test(text);
}

export function conversationError(status: number, remote: RemoteError, context: ConversationErrorContext): UploadError | undefined {
  const options = remoteErrorOptions(status, remote);
  const said = remote.message === undefined ? '' : ` The platform said: ${remote.message}`;
  const code = remote.code === undefined ? '' : ` ${remote.code}`;
  const token = describeToken(context.tokenKind);
  if (status === 401 && context.tokenKind === 'user') {
    return new AuthError(
      'auth.user_token_rejected',
      `Could not ${context.what}: the API rejected the supplied user access token (HTTP 401${code}): it has expired or was revoked. ` +
        'Get a fresh token, or use OAuth client credentials instead.',
      options,
    );
  }
  if (status === 403) {
    const named = permissionIn(remote.message);
    const needed = PERMISSIONS[context.step];
    const which = named ?? `one of ${needed.join(', ')}`;
    const missing = remote.code === 'missing.permissions' || named !== undefined;
    const message =
      `Could not ${context.what}: access denied (HTTP 403${code}) to ${token.name}. This step needs ${which}` +
      `${named === undefined ? '' : ` (any of ${needed.join(', ')} will do)`}; ${token.tryInstead}.${said}`;
    const details = { ...options, details: remote.details ?? { permissions: [...needed], tokenKind: context.tokenKind } };
    return missing ? new AuthError('auth.missing_permission', message, details) : new AuthError('auth.forbidden', message, details);
  }
  if (status === 413) {
    const file = context.size === undefined ? 'The file' : `The file (${context.size} bytes)`;
    return new RejectedError(
      'rejected.too_large',
      `Could not ${context.what}: ${file} is too large for this conversation (HTTP 413${code}). The platform takes at most ` +
        `${PLATFORM_MEDIA_LIMIT_TEXT}; the channel and the conversation's content profile may allow less.${said} ${LINK_WAY_OUT}`,
      options,
    );
  }
  if (typeRefused(status, remote)) {
    const name = context.fileName === undefined ? 'this type of file' : `a file like ${JSON.stringify(context.fileName)}`;
    return new RejectedError(
      'rejected.content_type',
      `Could not ${context.what}: the conversation does not accept ${name} (HTTP ${status}${code}); its outbound content ` +
        `profile allows other types (Genesys' default profile allows only .jpg, .png and .gif).${said} ${LINK_WAY_OUT}`,
      options,
    );
  }
  if (status === 404) {
    const where =
      context.communicationId === undefined
        ? `the conversation ${context.conversationId}`
        : `the conversation ${context.conversationId} or its communication ${context.communicationId}`;
    return new RejectedError(
      'conversation.not_found',
      `Could not ${context.what}: ${where} was not found (HTTP 404${code}). Check the ids; ${token.name} must also be allowed to see it.${said}`,
      options,
    );
  }
  if ((status === 409 || status === 400) && /disconnect|not.?connected|terminated|ended|closed/i.test(`${remote.code ?? ''} ${remote.message ?? ''}`)) {
    return new RejectedError(
      'conversation.not_connected',
      `Could not ${context.what}: the communication ${context.communicationId ?? ''} is no longer connected (HTTP ${status}${code}). ` +
        'A file can only go into a conversation while the agent side is connected; without --communication-id the connected one is looked up.' +
        said,
      options,
    );
  }
  return undefined;
}
