/**
 * Parses the two error formats of PROTOCOL.md: the Genesys JSON error body on {api} (§0) and the
 * S3-style XML error of the storage host (§3). Both parsers are lenient: a body that does not
 * parse yields what could be read, never an exception.
 */
export interface RemoteError {
  /** Genesys `code` or S3 `<Code>`. */
  code: string | undefined;
  message: string | undefined;
  /** Genesys `contextId` (or ININ-Correlation-Id) or S3 `<RequestId>`. */
  contextId: string | undefined;
  details: unknown;
}

const MAX_MESSAGE = 500;

function clip(text: unknown): string | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

export function parseGenesysError(text: string, correlationId: string | undefined): RemoteError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page, say): keep what the headers tell.
  }
  // OAuth errors use `error` and `error_description` instead of `code` and `message`.
  const code = clip(body['code']) ?? clip(body['error']);
  const message = clip(body['message']) ?? clip(body['error_description']) ?? clip(body['description']);
  return {
    code,
    message,
    contextId: clip(body['contextId']) ?? correlationId,
    details: Array.isArray(body['details']) && body['details'].length > 0 ? body['details'] : undefined,
  };
}

function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (match?.[1] === undefined) return undefined;
  return match[1]
    .replace(/&#(\d{1,7});/g, (_, dec: string) => String.fromCodePoint(Math.min(Number(dec), 0x10ffff)))
    .replace(/&#x([0-9a-fA-F]{1,6});/g, (_, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function parseS3Error(text: string): RemoteError {
  return {
    code: clip(xmlElement(text, 'Code')),
    message: clip(xmlElement(text, 'Message')),
    contextId: clip(xmlElement(text, 'RequestId')),
    details: undefined,
  };
}
