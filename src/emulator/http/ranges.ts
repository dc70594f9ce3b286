/**
 * The two range headers the emulator reads (RFC 9110 sections 14.2 and 14.4), parsed strictly.
 * Numbers are plain digits, at most 15 of them, so they always fit a safe integer.
 */

export interface ContentRange {
  start: number;
  end: number;
  total: number;
}

const NUM = '(\\d{1,15})';
const CONTENT_RANGE = new RegExp(`^bytes ${NUM}-${NUM}/${NUM}$`, 'i');

/** `bytes start-end/total` with start <= end < total; anything else (`*`, junk, signs) is undefined. */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (value === undefined) return undefined;
  const m = CONTENT_RANGE.exec(value);
  if (!m) return undefined;
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (end < start || end >= total) return undefined;
  return { start, end, total };
}

export type RangeRequest =
  | { kind: 'none' }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const RANGE = new RegExp(`^bytes=(?:${NUM}-${NUM}?|-${NUM})$`, 'i');

/**
 * A single byte range against a body of `size` bytes. Malformed headers, other units and multiple
 * ranges are ignored (`none`: answer 200 with everything), as RFC 9110 allows.
 */
export function parseRange(value: string | undefined, size: number): RangeRequest {
  if (value === undefined) return { kind: 'none' };
  const m = RANGE.exec(value.trim());
  if (!m) return { kind: 'none' };
  if (m[3] !== undefined) {
    const suffix = Number(m[3]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== undefined && Number(m[2]) < start) return { kind: 'none' }; // an invalid range-spec: ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = m[2] === undefined ? size - 1 : Math.min(Number(m[2]), size - 1);
  return { kind: 'range', start, end };
}
