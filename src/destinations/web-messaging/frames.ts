/**
 * The Web Messaging guest API's frames (WEB-MESSAGING.md §2), parsed defensively. Real servers have
 * sent the same error class with an outer `code` of 400, 4001 or 200, so nothing here decides on
 * `code`: a frame is known by its `class`, an error by `body.errorCode` (a `class: "string"` frame,
 * whose body is plain text, is the one place where `code` is the only number there is). Unknown
 * classes and fields are kept as they are and ignored by the callers.
 */

export type JsonObject = Record<string, unknown>;

export interface Frame {
  type: 'response' | 'message' | 'unknown';
  class: string;
  /** Informational only: never used to decide success or failure. */
  code: number | undefined;
  body: JsonObject | string | undefined;
  tracingId: string | undefined;
}

/** Parses one text frame; undefined for anything that is not a JSON object with a `class`. */
export function parseFrame(text: string): Frame | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || typeof parsed['class'] !== 'string') return undefined;
  const type = parsed['type'] === 'response' || parsed['type'] === 'message' ? parsed['type'] : 'unknown';
  const code = typeof parsed['code'] === 'number' ? parsed['code'] : typeof parsed['code'] === 'string' && /^\d+$/.test(parsed['code']) ? Number(parsed['code']) : undefined;
  const rawBody = parsed['body'];
  const body = isObject(rawBody) || typeof rawBody === 'string' ? rawBody : undefined;
  const tracingId = typeof parsed['tracingId'] === 'string' && parsed['tracingId'] !== '' ? parsed['tracingId'] : undefined;
  return { type, class: parsed['class'], code, body, tracingId };
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function bodyObject(frame: Frame): JsonObject {
  return isObject(frame.body) ? frame.body : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Classes that carry an error in `body.errorCode` (or, for "string", in `code`). */
export const ERROR_CLASSES: ReadonlySet<string> = new Set(['string', 'GenerateUrlError', 'TooManyRequestsErrorMessage', 'UploadFailureEvent', 'ErrorMessage', 'Error']);

/**
 * The platform's error number of a frame: `body.errorCode` first; a `class: "string"` frame's
 * `code` otherwise (its body is text). Undefined when the frame is not an error.
 */
export function errorCodeOf(frame: Frame): number | undefined {
  const fromBody = num(bodyObject(frame)['errorCode']);
  if (fromBody !== undefined) return fromBody;
  if (frame.class === 'string') return frame.code;
  return undefined;
}

/** The platform's words: `body.errorMessage`, or a string body, clipped. */
export function errorTextOf(frame: Frame): string | undefined {
  const text = typeof frame.body === 'string' ? frame.body : str(bodyObject(frame)['errorMessage']) ?? str(bodyObject(frame)['message']);
  if (text === undefined || text === '') return undefined;
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** True for a frame that reports a failure of the request it answers. */
export function isErrorFrame(frame: Frame): boolean {
  if (ERROR_CLASSES.has(frame.class)) return true;
  return num(bodyObject(frame)['errorCode']) !== undefined;
}

/** A client request: one JSON object per text frame. The token is added by the socket. */
export interface Request {
  action: string;
  [field: string]: unknown;
}
