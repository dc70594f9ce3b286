/**
 * What the emulator saw: counters per route, a bounded request log, and whether a storage request
 * ever carried an Authorization header (a bearer token must never leave for the storage host).
 */
import type { RequestContext } from './http/context.js';
import type { EmulatorRoute, RequestLogEntry, RouteCounters } from './types.js';

export const REQUEST_LOG_LIMIT = 10_000;

export class Stats {
  readonly counters = new Map<EmulatorRoute, RouteCounters>();
  #log: RequestLogEntry[] = [];
  storageAuthorizationSeen = false;

  record(ctx: RequestContext): void {
    const entry: RequestLogEntry = { at: ctx.arrivedAt, route: ctx.route, method: ctx.req.method ?? '', status: ctx.status };
    if (ctx.uploadId !== undefined) entry.uploadId = ctx.uploadId;
    if (ctx.segmentIndex !== undefined) entry.segmentIndex = ctx.segmentIndex;
    if (ctx.fault !== undefined) entry.fault = ctx.fault;
    this.#log.push(entry);
    // Trim in batches so the log costs O(1) amortized per request.
    if (this.#log.length > REQUEST_LOG_LIMIT + 1000) this.#log = this.#log.slice(-REQUEST_LOG_LIMIT);
    if (ctx.route === 'admin' || ctx.route === 'unknown') return;
    let counters = this.counters.get(ctx.route);
    if (!counters) {
      counters = { requests: 0, statuses: {}, bytesIn: 0, bytesOut: 0 };
      this.counters.set(ctx.route, counters);
    }
    counters.requests += 1;
    const key = String(ctx.status);
    counters.statuses[key] = (counters.statuses[key] ?? 0) + 1;
    counters.bytesIn += ctx.bytesIn;
    counters.bytesOut += ctx.bytesOut;
  }

  log(): RequestLogEntry[] {
    return this.#log.slice(-REQUEST_LOG_LIMIT);
  }
}
