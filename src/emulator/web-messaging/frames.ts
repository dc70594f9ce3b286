/**
 * Server → client frames, exactly as the contract shapes them:
 * `{type, class, code, body, tracingId?}`. `response` answers a request (and echoes its
 * tracingId); `message` is an unsolicited event.
 */

export interface Frame {
  type: 'response' | 'message';
  class: string;
  code: number;
  body: unknown;
  tracingId?: string;
}

export function response(cls: string, body: unknown, tracingId: string | undefined, code = 200): Frame {
  return { type: 'response', class: cls, code, body, ...(tracingId !== undefined && { tracingId }) };
}

export function event(cls: string, body: unknown, code = 200): Frame {
  return { type: 'message', class: cls, code, body };
}

/** A plain-text error: `class: "string"`, the code in `code`. */
export function stringError(code: number, text: string, tracingId: string | undefined): Frame {
  return response('string', text, tracingId, code);
}

export function tooManyRequests(retryAfter: number, errorCode: number, errorMessage: string, tracingId: string | undefined): Frame {
  return response('TooManyRequestsErrorMessage', { retryAfter, errorCode, errorMessage }, tracingId, 429);
}

/** The GenerateUrlError texts, by errorCode. */
export const GENERATE_URL_ERRORS: Readonly<Record<number, string>> = {
  4000: 'File upload is not available for this deployment',
  4001: 'File type not supported',
  4002: 'File size exceeds the maximum allowed',
  4003: 'File content is not valid',
  4004: 'File name is not valid',
  4005: 'File name is too long',
  4102: 'File is empty',
};

export function generateUrlError(
  errorCode: number,
  errorMessage: string,
  attachmentId: string | undefined,
  tracingId: string | undefined,
  now: number,
  outerCode = 400,
): Frame {
  const body = { ...(attachmentId !== undefined && { attachmentId }), errorCode, errorMessage, timestamp: new Date(now).toISOString() };
  // Genesys' SDK fixture carries this class as an unsolicited-looking `message` with code 200.
  return outerCode === 200 ? { ...event('GenerateUrlError', body), ...(tracingId !== undefined && { tracingId }) } : response('GenerateUrlError', body, tracingId, outerCode);
}
