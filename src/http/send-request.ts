/**
 * The single place where this project's client sends an HTTP request (through undici's
 * `request`, on the client's own dispatcher) and reads a bounded response body. The signal is
 * passed to undici so an abort stops the request at once.
 */
import { request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

export interface SendOptions {
  dispatcher: Dispatcher;
  url: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
  headersTimeoutMs?: number | undefined;
}

export interface SentResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
}

export async function sendRequest(options: SendOptions): Promise<SentResponse> {
  const response = await request(options.url, {
    dispatcher: options.dispatcher,
    method: options.method,
    headers: options.headers,
    body: options.body,
    signal: options.signal,
    ...(options.headersTimeoutMs !== undefined && { headersTimeout: options.headersTimeoutMs }),
  });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

/** Reads at most `maxBytes` of a body as UTF-8; the rest is discarded (and the socket kept usable when possible). */
export async function readBodyText(body: SentResponse['body'], maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** Discards a body we do not need, so the connection returns to the pool. */
export async function discardBody(body: SentResponse['body']): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    // The body failed while being discarded: the socket is gone, which is all we wanted anyway.
  }
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
