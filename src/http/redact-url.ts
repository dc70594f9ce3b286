/**
 * A pre-signed URL carries its credentials in the query string. Anything that may be logged,
 * shown, or put into an error uses this form: scheme, host, port and path, the query replaced.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const query = parsed.search === '' ? '' : '?[redacted]';
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
  } catch {
    return '[unparseable URL]';
  }
}
