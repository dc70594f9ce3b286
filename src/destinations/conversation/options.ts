/**
 * The conversation destination's own settings, from flags and the environment (flags win), each
 * validated with a ConfigError that names the setting and what is allowed:
 *
 * - `--conversation-id ID` (required) and `--communication-id ID` (optional: without it the
 *   connected message communication of the agent side is looked up);
 * - the token: `--access-token-file PATH`, else `GENESYS_ACCESS_TOKEN`, else the OAuth client
 *   credentials of the ordinary configuration. A supplied token is never echoed: not in errors,
 *   not in the result (it is a non-enumerable property).
 *
 * The CLI wires the flags; this file only parses them.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors/index.js';

export interface ConversationFlags {
  conversationId?: string | undefined;
  communicationId?: string | undefined;
  accessTokenFile?: string | undefined;
}

export type ConversationAuth =
  | { kind: 'client-credentials' }
  /** `token` is non-enumerable. */
  | { kind: 'user'; readonly token: string; source: string };

export interface ConversationOptions {
  conversationId: string;
  communicationId: string | undefined;
  auth: ConversationAuth;
}

export const ACCESS_TOKEN_ENV = 'GENESYS_ACCESS_TOKEN';

const SETTING = {
  conversationId: '--conversation-id',
  communicationId: '--communication-id',
  accessTokenFile: '--access-token-file',
} as const;

/** Genesys ids are UUIDs; any short id of letters, digits, `-`, `_` and `.` is accepted (lenient). */
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_TOKEN_LENGTH = 16_384;

function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** `name` is the setting's code suffix: the error is `config.<name>`. */
function parseId(value: string | undefined, setting: string, name: 'conversation_id' | 'communication_id'): string | undefined {
  const raw = given(value);
  if (raw === undefined) return undefined;
  if (!ID.test(raw)) {
    const shown = raw.length > 60 ? `${JSON.stringify(raw.slice(0, 60))}…` : JSON.stringify(raw);
    throw new ConfigError(`config.${name}`, `${setting}: ${shown} is not a Genesys Cloud id. Give the id as Genesys shows it (a UUID such as 3f2c6b9e-…).`);
  }
  return raw;
}

/** Validates a token's form without ever quoting it. Accepts a leading "Bearer " (a pasted header). */
export function parseAccessToken(text: string, source: string): string {
  const token = text.trim().replace(/^Bearer\s+/i, '');
  if (token === '') throw new ConfigError('config.access_token', `${source} is empty. Give a Genesys Cloud access token (one line).`);
  if (token.length > MAX_TOKEN_LENGTH || !/^[\x21-\x7e]+$/.test(token)) {
    throw new ConfigError(
      'config.access_token',
      `${source} does not hold an access token: expected one line of at most ${MAX_TOKEN_LENGTH} printable characters without spaces.`,
    );
  }
  return token;
}

function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      'config.access_token_file',
      `${SETTING.accessTokenFile}: cannot read ${JSON.stringify(path)} (${typeof code === 'string' ? code : 'read error'}). ` +
        'Give a readable file holding the access token.',
      { cause: error },
    );
  }
  return parseAccessToken(text, `${SETTING.accessTokenFile} ${JSON.stringify(path)}`);
}

function userAuth(token: string, source: string): ConversationAuth {
  const auth = { kind: 'user', source } as { kind: 'user'; token: string; source: string };
  Object.defineProperty(auth, 'token', { value: token, enumerable: false, writable: false });
  return auth;
}

export function parseConversationOptions(input: { flags: ConversationFlags; env: NodeJS.ProcessEnv }): ConversationOptions {
  const conversationId = parseId(input.flags.conversationId, SETTING.conversationId, 'conversation_id');
  if (conversationId === undefined) {
    throw new ConfigError(
      'config.conversation_id',
      `${SETTING.conversationId} is required: the id of the messaging conversation to put the file into.`,
    );
  }
  const communicationId = parseId(input.flags.communicationId, SETTING.communicationId, 'communication_id');
  const file = given(input.flags.accessTokenFile);
  const fromEnv = input.env[ACCESS_TOKEN_ENV];
  let auth: ConversationAuth;
  if (file !== undefined) auth = userAuth(readTokenFile(file), SETTING.accessTokenFile);
  else if (given(fromEnv) !== undefined) auth = userAuth(parseAccessToken(fromEnv ?? '', ACCESS_TOKEN_ENV), ACCESS_TOKEN_ENV);
  else auth = { kind: 'client-credentials' };
  return { conversationId, communicationId, auth };
}
