/**
 * A small route table: literal path segments and `:name` parameters. Parameters are
 * percent-decoded; a parameter that does not decode makes the route not match (404).
 * A path that matches with another method gives the allowed methods (405).
 */

export type RouteMatch<T> =
  | { kind: 'found'; value: T; params: Record<string, string> }
  | { kind: 'method'; allowed: string[] }
  | { kind: 'none' };

interface Entry<T> {
  method: string;
  parts: string[];
  value: T;
}

export class Router<T> {
  readonly #entries: Entry<T>[] = [];

  add(method: string, path: string, value: T): this {
    this.#entries.push({ method, parts: path.split('/').slice(1), value });
    return this;
  }

  match(method: string, pathname: string): RouteMatch<T> {
    const parts = pathname.split('/').slice(1);
    const allowed: string[] = [];
    for (const entry of this.#entries) {
      const params = matchParts(entry.parts, parts);
      if (!params) continue;
      if (entry.method === method) return { kind: 'found', value: entry.value, params };
      allowed.push(entry.method);
    }
    return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
  }
}

function matchParts(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] ?? '';
    const got = actual[i] ?? '';
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}
