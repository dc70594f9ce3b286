/**
 * Small hand-written readers for untrusted JSON: each takes a value and a path, returns the value
 * typed, or throws a ShapeError naming the path. (A validation library would cost ~14 MiB of
 * resident memory in a process whose budget is a few chunk buffers; these few checks do not.)
 */
export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'body'}: ${problem}`);
  }
}

export type Json = Record<string, unknown>;

export function object(value: unknown, path: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ShapeError(path, 'expected an object');
  return value as Json;
}

export function string(o: Json, key: string, path: string, max = 1024, min = 0): string {
  const value = o[key];
  if (typeof value !== 'string') throw new ShapeError(`${path}${key}`, 'expected a string');
  if (value.length < min || value.length > max) throw new ShapeError(`${path}${key}`, `expected ${min}..${max} characters`);
  return value;
}

export function optionalString(o: Json, key: string, path: string, max = 1024, min = 0): string | undefined {
  return o[key] === undefined ? undefined : string(o, key, path, max, min);
}

export function integer(o: Json, key: string, path: string, min: number, max: number): number {
  const value = o[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ShapeError(`${path}${key}`, 'expected an integer');
  if (value < min || value > max) throw new ShapeError(`${path}${key}`, `expected ${min}..${max}`);
  return value;
}

export function array(o: Json, key: string, path: string, max: number): unknown[] {
  const value = o[key];
  if (!Array.isArray(value)) throw new ShapeError(`${path}${key}`, 'expected an array');
  if (value.length > max) throw new ShapeError(`${path}${key}`, `expected at most ${max} entries`);
  return value;
}

export function matching(o: Json, key: string, path: string, pattern: RegExp, what: string): string {
  const value = string(o, key, path, 4096);
  if (!pattern.test(value)) throw new ShapeError(`${path}${key}`, `expected ${what}`);
  return value;
}
