/**
 * A raw Web Messaging guest for the conformance suite: a plain `ws` socket that sends frames
 * exactly as given and records every frame the server sends, so tests can wait for one by class
 * (or by tracingId) without any client logic of ours in between.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import { startEmulator } from '../../../src/emulator/index.js';
import type { EmulatorHandle, StartEmulatorOptions } from '../../../src/emulator/types.js';
import { DEMO_DEPLOYMENT_ID } from '../../../src/emulator/web-messaging/settings.js';

export { DEMO_DEPLOYMENT_ID };

export interface ServerFrame {
  type: 'response' | 'message';
  class: string;
  code: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  tracingId?: string;
}

export async function emulatorFor(t: TestContext, options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  t.after(() => handle.close());
  return handle;
}

export function wsUrl(emulator: EmulatorHandle, deploymentId = DEMO_DEPLOYMENT_ID): string {
  return `${emulator.url.replace(/^http/, 'ws')}/v1?deploymentId=${encodeURIComponent(deploymentId)}`;
}

export class Guest {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[] = [];
  readonly token: string;
  #waiters: Array<() => void> = [];
  closed = false;

  private constructor(ws: WebSocket, token: string) {
    this.ws = ws;
    this.token = token;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.#wake();
    });
    ws.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  static async connect(t: TestContext, url: string, options: { origin?: string; token?: string } = {}): Promise<Guest> {
    const ws = new WebSocket(url, options.origin === undefined ? {} : { origin: options.origin });
    const guest = new Guest(ws, options.token ?? randomUUID());
    t.after(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return guest;
  }

  /** Sends a request with this guest's token (unless the object has its own). */
  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ token: this.token, ...frame }));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** The first recorded frame (from `from` on) that matches, waiting for it if needed. */
  async next(match: (f: ServerFrame) => boolean, timeoutMs = 3000, from = 0): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed before the frame came; got ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames so far: ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request with a fresh tracingId and waits for the frame echoing it. */
  async ask(frame: Record<string, unknown>, timeoutMs = 3000): Promise<ServerFrame> {
    const tracingId = randomUUID();
    this.send({ ...frame, tracingId });
    return this.next((f) => f.tracingId === tracingId, timeoutMs);
  }

  byClass(cls: string, timeoutMs = 3000): Promise<ServerFrame> {
    return this.next((f) => f.class === cls, timeoutMs);
  }

  /** configureSession, as Genesys' SDK fixture shapes it. */
  configure(deploymentId = DEMO_DEPLOYMENT_ID, startNew = false): Promise<ServerFrame> {
    return this.ask({ action: 'configureSession', deploymentId, startNew });
  }

  async closedWithin(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** The HTTP status of a refused upgrade (or 101 when accepted). */
export function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (e) => reject(e));
  });
}

export interface PutResult {
  status: number;
  body: string;
}

/** A plain PUT of `body` to a pre-signed URL with exactly these headers. */
export function put(url: string, headers: Record<string, string | number>, body: Buffer): Promise<PutResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** onAttachment as Genesys' transport SDK sends it (client attachmentId, errorsAsJson). */
export function onAttachmentFrame(fileName: string, fileType: string, fileSize: number, attachmentId: string = randomUUID()): Record<string, unknown> {
  return { action: 'onAttachment', attachmentId, fileName, fileType, fileSize, errorsAsJson: true };
}

/** The whole happy path: onAttachment → PUT → UploadSuccessEvent. Returns the attachment id. */
export async function upload(guest: Guest, fileName: string, fileType: string, bytes: Buffer): Promise<string> {
  const answer = await guest.ask(onAttachmentFrame(fileName, fileType, bytes.length));
  if (answer.class !== 'PresignedUrlResponse') throw new Error(`onAttachment answered ${JSON.stringify(answer)}`);
  const from = guest.frames.length;
  const res = await put(answer.body.url, { ...answer.body.headers, 'Content-Type': fileType, 'Content-Length': bytes.length }, bytes);
  if (res.status !== 200) throw new Error(`PUT answered ${res.status} ${res.body}`);
  const done = await guest.next((f) => f.class === 'UploadSuccessEvent' && f.body.attachmentId === answer.body.attachmentId, 3000, from);
  return done.body.attachmentId as string;
}
