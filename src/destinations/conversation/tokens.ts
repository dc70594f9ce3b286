/**
 * Where the conversation destination's bearer token comes from. Either the project's OAuth client
 * credentials (`TokenProvider`), or a user access token the caller supplies (an agent-side app's
 * token): Genesys says media in open messages "must originate from an agent", and whether a
 * client-credentials token may post on an agent's communication is undocumented, so both are
 * accepted and every permission error says which kind was used.
 *
 * A supplied token cannot be refreshed: after the API rejected it (401), asking again fails at once
 * with an AuthError instead of repeating the call with the same dead token. The token itself is a
 * non-enumerable property, so logging or serialising the provider does not reveal it.
 */
import { AuthError } from '../../errors/index.js';
import type { GetTokenOptions, TokenProvider } from '../../auth/token-provider.js';

export type TokenKind = 'client-credentials' | 'user';

/** What the API transport needs of a token source, plus which kind it is (for messages). */
export interface AccessTokenSource extends Pick<TokenProvider, 'getToken' | 'invalidate'> {
  readonly kind: TokenKind;
  /** Stops a token fetch in flight (client credentials); nothing for a fixed token. */
  close(): void;
}

/** How a token kind is named in messages, and what a user can try about a refusal. */
export function describeToken(kind: TokenKind): { name: string; tryInstead: string } {
  return kind === 'user'
    ? {
        name: 'the supplied user access token',
        tryInstead:
          "give a token of a user (an agent in this conversation) whose role has it, or use an OAuth client's credentials " +
          '(GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET) whose role has it',
      }
    : {
        name: "the OAuth client's token (client credentials)",
        tryInstead:
          "add it to the OAuth client's role (Admin > Integrations > OAuth > your client > Roles); if the org still refuses, " +
          'posting media may need a user: supply an agent\'s access token (--access-token-file or GENESYS_ACCESS_TOKEN)',
      };
}

/** Wraps the client-credentials provider, naming its kind. */
export function clientCredentialsSource(provider: TokenProvider): AccessTokenSource {
  return {
    kind: 'client-credentials',
    getToken: (options?: GetTokenOptions) => provider.getToken(options),
    invalidate: (token: string) => provider.invalidate(token),
    close: () => provider.close(),
  };
}

/** A caller-supplied access token, used as is until the API rejects it. */
export class FixedTokenProvider implements AccessTokenSource {
  readonly kind = 'user' as const;
  declare readonly token: string;
  #rejected = false;

  constructor(token: string) {
    Object.defineProperty(this, 'token', { value: token, enumerable: false, writable: false });
  }

  getToken(options: GetTokenOptions = {}): Promise<string> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#rejected) {
      return Promise.reject(
        new AuthError(
          'auth.user_token_rejected',
          'The API rejected the supplied user access token (HTTP 401): it has expired or was revoked. ' +
            'Get a fresh token (--access-token-file / GENESYS_ACCESS_TOKEN), or use OAuth client credentials instead.',
          { status: 401 },
        ),
      );
    }
    return Promise.resolve(this.token);
  }

  invalidate(token: string): void {
    if (token === this.token) this.#rejected = true;
  }

  close(): void {}

  toJSON(): Record<string, string> {
    return { kind: this.kind };
  }
}
