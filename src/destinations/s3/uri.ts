/**
 * The one percent-encoding the S3 store uses: RFC 3986 unreserved characters kept, everything
 * else escaped — as S3 canonicalises a request (the SDK's extendedEncodeURIComponent), which is
 * also a valid RFC 8187 `filename*` value. Keys in URL paths (signed or public links) keep their
 * slashes. No dependency: the link text and Content-Disposition use it without loading a signer.
 */

/** RFC 3986 escaping as S3 canonicalises it (the SDK's extendedEncodeURIComponent). */
export const uriEscape = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A key as a URL path: each segment escaped, the slashes kept (S3's greedy `{Key+}` label). */
export const escapeKey = (key: string): string => key.split('/').map(uriEscape).join('/');
