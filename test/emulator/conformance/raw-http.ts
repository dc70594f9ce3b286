/**
 * A raw HTTP/1.1 exchange over a TCP socket, for the requests a well-behaved client library refuses
 * to send: a Content-Length that lies, no Content-Length at all, a body cut short. HTTP clients
 * (undici, fetch) validate these, so the storage's InvalidRange / IncompleteBody rows need this.
 */
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  /** Full URL; host, port and path+query are taken from it. */
  url: string;
  /** Header lines exactly as sent (name, value); no Content-Length is added for you. */
  headers: Array<[string, string]>;
  body?: Buffer;
  /**
   * After writing: 'wait' keeps the socket open and waits for the answer; 'half-close' ends our
   * side (FIN) and waits for the answer; 'destroy' resets the connection and reports nothing.
   */
  then: 'wait' | 'half-close' | 'destroy';
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Resolves with the parsed answer, or undefined when the connection closed without one. */
export function rawHttp(req: RawRequest): Promise<RawResponse | undefined> {
  const url = new URL(req.url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks)));
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (parseResponse(Buffer.concat(chunks), true) !== undefined) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after we asked for one, or by the server, just means "no (more) answer".
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else if (!settled) {
        settled = true;
        reject(error);
      }
    });
    socket.on('connect', () => {
      const head =
        `${req.method} ${url.pathname}${url.search} HTTP/1.1\r\n` +
        `Host: ${url.host}\r\nConnection: close\r\n` +
        req.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('') +
        '\r\n';
      socket.write(head);
      // The write callback fires once the bytes are handed to the kernel, so a reset comes after them.
      socket.write(req.body ?? Buffer.alloc(0), () => {
        if (req.then === 'half-close') socket.end();
        else if (req.then === 'destroy') {
          settled = true;
          socket.resetAndDestroy();
          resolve(undefined);
        }
      });
    });
  });
}

/**
 * Parses a complete HTTP/1.1 response. With `onlyIfComplete`, returns undefined until the whole
 * body (by Content-Length) has arrived; otherwise takes whatever arrived.
 */
function parseResponse(buffer: Buffer, onlyIfComplete = false): RawResponse | undefined {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const lines = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = buffer.subarray(headEnd + 4);
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (onlyIfComplete && (length === undefined || rest.length < length)) return undefined;
  const raw = headers['transfer-encoding']?.toLowerCase() === 'chunked' ? dechunk(rest) : rest.subarray(0, length ?? rest.length);
  return { status, headers, body: raw.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
