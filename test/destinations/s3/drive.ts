/**
 * Drives a store's remote session the way the engine does, for tests written before the engine
 * took stores: open (or resume), read each part from a buffer, hash it, PUT only what the session
 * does not hold, with the session's exact headers plus Content-Length (undici, real sockets),
 * handle the store's answers (expired URL → one refresh; BadDigest → re-send; 429/5xx/reset →
 * retry), then complete and re-send what completion lists.
 */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { JsonValue, RemoteSession, StepContext, Store, StoredFile, StoredPart } from '../../../src/destinations/destination.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/http/retry-policy.js';
import type { UploadEvent } from '../../../src/upload/events.js';
import { segmentRange, type SegmentPlan } from '../../../src/upload/plan.js';

export interface DriveOptions {
  fileName?: string;
  contentType?: string;
  /** Parts in flight at once. */
  concurrency?: number;
  /** Continue this journalled session instead of opening one. */
  resume?: JsonValue;
  /** With `resume`: the parts the journal recorded as stored. */
  journalled?: readonly StoredPart[];
  /** Stop (as a crash would) once this many parts were stored in this run; the session's state is returned. */
  crashAfter?: number;
  /** Changes the bytes of one attempt (in a copy), as a faulty network device would. */
  mangle?: (index: number, attempt: number, body: Buffer) => Buffer;
  /** Runs before each PUT attempt (after signing): a test can move the store's clock here. */
  beforePut?: (index: number, attempt: number) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface DriveResult {
  session: RemoteSession;
  stored: StoredFile | undefined;
  /** Indexes PUT in this run, in the order they were stored (re-sends repeated). */
  sent: number[];
  attempts: Array<{ index: number; status: number; code: string | undefined }>;
  events: UploadEvent[];
}

class Crash extends Error {}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

/** The parts of `data` as the journal records them once stored: index, size, checksum. */
export function journalledParts(plan: SegmentPlan, data: Buffer): StoredPart[] {
  return Array.from({ length: plan.chunks }, (_, index) => {
    const { start, length } = segmentRange(plan, index);
    return { index, size: length, checksum: `sha256:${sha256(data.subarray(start, start + length)).toString('hex')}` };
  });
}

export async function drive(store: Store, data: Buffer, options: DriveOptions = {}): Promise<DriveResult> {
  const events: UploadEvent[] = [];
  const step: StepContext = { signal: options.signal ?? new AbortController().signal, retry: DEFAULT_RETRY_POLICY, emit: (e) => events.push(e) };
  const facts = { fileName: options.fileName ?? 'file.bin', contentType: options.contentType ?? 'application/octet-stream', size: data.length };
  const opened = options.resume === undefined ? await store.open(facts, step) : await store.resume(options.resume, facts, step, options.journalled);
  if (opened === undefined) throw new Error('the store forgot the session');
  const session = opened;
  const result: DriveResult = { session, stored: undefined, sent: [], attempts: [], events };
  const parts: StoredPart[] = [];
  let storedThisRun = 0;

  const put = async (index: number): Promise<void> => {
    const { start, length } = segmentRange(session.plan, index);
    const body = data.subarray(start, start + length);
    const digest = sha256(body);
    const part = { index, start, length, checksum: `sha256:${digest.toString('hex')}`, checksumBase64: digest.toString('base64') };
    for (let attempt = 1; attempt <= 12; attempt++) {
      const req = await session.partRequest(part);
      if ('authorization' in Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]))) throw new Error('a part request carries Authorization');
      await options.beforePut?.(index, attempt);
      const sent = options.mangle?.(index, attempt, Buffer.from(body)) ?? body;
      let status: number;
      let text = '';
      let etag: string | undefined;
      try {
        const res = await request(req.url, { method: 'PUT', headers: { ...req.headers, 'content-length': String(sent.length) }, body: sent, signal: step.signal });
        status = res.statusCode;
        text = await res.body.text();
        const header = res.headers.etag;
        etag = typeof header === 'string' ? header : undefined;
      } catch (error) {
        if (step.signal.aborted) throw error;
        result.attempts.push({ index, status: 0, code: (error as { code?: string }).code });
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
      result.attempts.push({ index, status, code });
      if (status >= 200 && status < 300) {
        const accepted = session.accept(part, etag);
        if (accepted === 'damaged') continue;
        parts[index] = accepted;
        result.sent.push(index);
        storedThisRun++;
        if (options.crashAfter !== undefined && storedThisRun >= options.crashAfter) throw new Crash();
        return;
      }
      if (status === 403 && /expired/i.test(text)) {
        await session.refresh(req.version, step);
        continue;
      }
      if ((status === 400 && (code === 'BadDigest' || code === 'IncompleteBody')) || status === 429 || status >= 500) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      throw new Error(`part ${index}: HTTP ${status} ${code ?? ''} ${text.slice(0, 300)}`);
    }
    throw new Error(`part ${index}: too many attempts`);
  };

  const pool = async (indexes: number[]): Promise<void> => {
    const queue = [...indexes];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await put(next);
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 3, Math.max(1, queue.length)) }, worker));
  };

  const todo: number[] = [];
  for (let index = 0; index < session.plan.chunks; index++) {
    const { start, length } = segmentRange(session.plan, index);
    const checksum = `sha256:${sha256(data.subarray(start, start + length)).toString('hex')}`;
    const held = session.held.get(index);
    if (held !== undefined && held.checksum === checksum && held.size === length) parts[index] = held;
    else todo.push(index);
  }
  try {
    await pool(todo);
  } catch (error) {
    if (error instanceof Crash) return result;
    throw error;
  }
  const whole = { sha256: sha256(data).toString('hex'), size: data.length }; // bare hex, as the engine gives it
  for (let round = 1; round <= 4; round++) {
    const answer = await session.complete(parts, whole, step);
    if ('stored' in answer) {
      result.stored = answer.stored;
      return result;
    }
    await pool(answer.resend);
  }
  throw new Error('completion kept asking for re-sends');
}
