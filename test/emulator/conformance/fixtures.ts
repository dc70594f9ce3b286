/**
 * Shared set-up and assertions for the emulator conformance suite: one fresh emulator per test
 * (closed by the test's own cleanup), the Genesys error-body and S3 error checks that every row of
 * PROTOCOL.md's error tables goes through, and a few named OAuth clients.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startEmulator } from '../../../src/emulator/index.js';
import type { EmulatorClient, EmulatorHandle, StartEmulatorOptions } from '../../../src/emulator/types.js';
import { DEMO_CLIENT } from '../../../src/emulator/types.js';
import { header, type GenesysError, type HttpResult, type SegmentResult } from '../../helpers/emulator-client.js';

export const MiB = 1024 * 1024;

/** Clients with exactly one of the permissions, and one with none. */
export const CLIENTS = {
  demo: { ...DEMO_CLIENT, permissions: [...DEMO_CLIENT.permissions] },
  uploader: { id: 'uploader', secret: 'uploader-secret', permissions: ['files:upload'] },
  guestMaker: { id: 'guest-maker', secret: 'guest-maker-secret', permissions: ['messaging:guest'] },
  sender: { id: 'sender', secret: 'sender-secret', permissions: ['messaging:send'] },
  nobody: { id: 'nobody', secret: 'nobody-secret', permissions: [] },
} satisfies Record<string, EmulatorClient>;

export const ALL_CLIENTS: EmulatorClient[] = Object.values(CLIENTS);

/** Starts an emulator on 127.0.0.1:0 and closes it when the test ends. */
export async function emulatorFor(t: TestContext, options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  t.after(() => handle.close());
  return handle;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function assertIsoDate(value: unknown, what: string): asserts value is string {
  assert.equal(typeof value, 'string', `${what} is a string`);
  assert.match(value as string, ISO_8601, `${what} is ISO-8601`);
  assert.ok(Number.isFinite(Date.parse(value as string)), `${what} parses as a date`);
}

/** Section 0: every {api} response carries the rate-limit headers and a correlation id. */
export function assertApiHeaders(res: HttpResult): void {
  for (const name of ['inin-ratelimit-count', 'inin-ratelimit-allowed', 'inin-ratelimit-reset']) {
    const value = header(res.headers, name);
    assert.ok(value !== undefined, `${name} present on a ${res.status}`);
    assert.match(value, /^\d+$/, `${name} is a non-negative integer, got ${value}`);
  }
  const correlation = header(res.headers, 'inin-correlation-id');
  assert.ok(correlation !== undefined && correlation.length > 0, `ININ-Correlation-Id present on a ${res.status}`);
}

/** Section 0: the Genesys error body, its status and code, its contextId equal to the header. */
export function assertGenesysError(res: HttpResult, status: number, code: string): GenesysError {
  assert.equal(res.status, status, `status ${status} (${code}), got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.match(header(res.headers, 'content-type') ?? '', /^application\/json/i, 'error bodies are JSON');
  const body = res.json as GenesysError;
  assert.ok(body !== null && typeof body === 'object', `a JSON object body: ${res.text.slice(0, 200)}`);
  assert.equal(body.code, code, `code ${code}, got ${body.code} (${body.message})`);
  assert.equal(body.status, status, 'body.status equals the HTTP status');
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0, 'message is not empty');
  assert.equal(typeof body.contextId, 'string');
  assert.ok(body.contextId.length > 0, 'contextId is not empty');
  assert.ok(Array.isArray(body.details), 'details is an array');
  assert.ok(Array.isArray(body.errors), 'errors is an array');
  assert.equal(header(res.headers, 'inin-correlation-id'), body.contextId, 'ININ-Correlation-Id equals contextId');
  assertApiHeaders(res);
  if (status === 429) assertRetryAfter(res);
  return body;
}

export function assertRetryAfter(res: HttpResult): number {
  const value = header(res.headers, 'retry-after');
  assert.ok(value !== undefined, `Retry-After on a ${res.status}`);
  assert.match(value, /^\d+$/, `Retry-After is integer seconds, got ${value}`);
  return Number(value);
}

const XML_ERROR =
  /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error><Code>[^<]+<\/Code><Message>[^<]*<\/Message><RequestId>[^<]+<\/RequestId><\/Error>\s*$/;

/** Section 3: an S3-style XML error with this status and Code. */
export function assertS3Error(res: SegmentResult, status: number, code: string): void {
  assert.equal(res.status, status, `status ${status} (${code}), got ${res.status}: ${res.text.slice(0, 300)}`);
  assert.match(res.text, XML_ERROR, `S3 XML error shape: ${res.text.slice(0, 300)}`);
  assert.equal(res.s3Error?.code, code, `Code ${code}`);
  // Reading: an S3-style error is served as XML (S3 answers application/xml).
  assert.match(header(res.headers, 'content-type') ?? '', /xml/i, 'S3 errors are served as XML');
  if (status === 429) assertRetryAfter(res);
}

/** 200 or 206 with the ETag the contract promises for `data`. */
export function assertStored(res: SegmentResult, expectedStatus: 200 | 206, sha256Hex: string): void {
  assert.equal(res.status, expectedStatus, `segment answered ${res.status}: ${res.text.slice(0, 300)}`);
  assert.equal(header(res.headers, 'etag'), `"${sha256Hex}"`, 'ETag is the quoted hex SHA-256 of the segment');
}

/** Deterministic bytes (no randomness in tests): a simple LCG, distinct per seed. */
export function patternBytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < length; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * Waits until `condition` holds, checking every 10 ms (a condition, not a guess at a duration);
 * fails after `limitMs`.
 */
export async function waitFor(condition: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${limitMs} ms for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
