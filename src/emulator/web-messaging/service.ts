/**
 * The Web Messaging guest API on the emulator's port: the WebSocket at /v1 (taken from the HTTP
 * server's 'upgrade' event), its sessions, and the upload events that follow a stored PUT. The
 * actions themselves are in actions.ts; the HTTP side (PUT/GET of attachments, history) in http.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Clock } from '../clock.js';
import { FixedWindowLimiter } from '../rate-limits.js';
import { handleFrame } from './actions.js';
import { event, stringError, type Frame } from './frames.js';
import { WmFaultRegistry } from './faults.js';
import type { WmAttachment, WmConnection, WmMessage, WmSession } from './model.js';
import type { WebMessagingDeployment, WebMessagingSettings } from './settings.js';
import { AttachmentSigner } from './signing.js';
import { buildWmView, type WebMessagingView } from './view.js';
import { loadSnapshot, SNAPSHOT_FILE, snapshotOf } from './persistence.js';
import type { JsonWriter } from '../store/json-writer.js';
import { join } from 'node:path';

export interface WebMessagingDeps {
  clock: Clock;
  settings(): WebMessagingSettings;
  /** Where attachment bytes are stored. */
  dir: string;
  instanceKey: Buffer;
  /** Keep the records in `dir` across restarts (a data directory of the user's); otherwise memory only. */
  persist: boolean;
  writer: JsonWriter;
}

/** Largest client frame accepted (the biggest legal request is a 4 KB text plus custom data). */
const MAX_FRAME = 256 * 1024;
const HOST_HEADER = /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/;

export class WebMessaging {
  readonly clock: Clock;
  readonly signer: AttachmentSigner;
  readonly faults = new WmFaultRegistry();
  readonly limiter = new FixedWindowLimiter();
  readonly dir: string;
  readonly #deps: WebMessagingDeps;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  /** The live session of each guest token. */
  readonly #byToken = new Map<string, WmSession>();
  /** Every session, ended ones too (inspection, history). */
  readonly sessions = new Map<string, WmSession>();
  readonly attachments = new Map<string, WmAttachment>();
  readonly #connections = new Set<WmConnection>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(deps: WebMessagingDeps) {
    this.#deps = deps;
    this.clock = deps.clock;
    this.dir = deps.dir;
    this.signer = new AttachmentSigner(deps.instanceKey);
  }

  settings(): WebMessagingSettings {
    return this.#deps.settings();
  }

  /** Restores an earlier run's records (persistent data directories only). */
  async load(): Promise<void> {
    if (!this.#deps.persist) return;
    await mkdir(this.dir, { recursive: true });
    const { sessions, attachments } = await loadSnapshot(this.dir);
    for (const a of attachments) this.attachments.set(a.id, a);
    for (const s of sessions) {
      this.sessions.set(s.id, s);
      if (!s.ended) this.#byToken.set(s.token, s);
    }
  }

  /** Writes the records (atomically); resolves once they are on disk. Never rejects. */
  save(): Promise<void> {
    if (!this.#deps.persist || this.#closed) return Promise.resolve();
    return this.#deps.writer.write(join(this.dir, SNAPSHOT_FILE), snapshotOf(this.sessions.values(), this.attachments.values())).catch((error: unknown) => {
      process.stderr.write(`genesys emulator: cannot save web messaging records: ${String(error)}\n`);
    });
  }

  deployment(id: string | undefined | null): WebMessagingDeployment | undefined {
    return id ? this.settings().deployments.find((d) => d.id === id) : undefined;
  }

  /** The 'upgrade' hook. Returns false when the path is not ours (the caller answers 404). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, fallbackOrigin: string): boolean {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (url.pathname !== '/v1') return false;
    if (this.#closed) return refuse(socket, 503, 'Service Unavailable');
    const origin = req.headers.origin;
    const deployment = this.deployment(url.searchParams.get('deploymentId'));
    if (deployment && !originAllowed(deployment, origin)) return refuse(socket, 403, 'Forbidden');
    const host = req.headers.host;
    const httpOrigin = host !== undefined && HOST_HEADER.test(host) ? `http://${host}` : fallbackOrigin;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, origin, httpOrigin));
    return true;
  }

  #open(ws: WebSocket, origin: string | undefined, httpOrigin: string): void {
    const conn: WmConnection & { httpOrigin: string } = { id: randomUUID(), ws, origin, openedAt: this.clock.now(), httpOrigin };
    this.#connections.add(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? undefined : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      try {
        handleFrame(this, conn, text);
      } catch (error) {
        // A bug of ours must not take the emulator down: say so on stderr and answer like a server error.
        process.stderr.write(`genesys emulator: web messaging frame failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        this.send(conn, stringError(500, 'Request failed.', undefined));
      }
    });
    ws.on('close', () => this.#forget(conn));
    ws.on('error', () => this.#forget(conn));
  }

  #forget(conn: WmConnection): void {
    this.#connections.delete(conn);
    const session = conn.session;
    if (session) session.connections = session.connections.filter((c) => c !== conn);
  }

  /** Sends a frame (if the socket is open) and applies the close-after-frames fault. */
  send(conn: WmConnection, frame: Frame): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(JSON.stringify(frame));
    if (this.faults.frameSent()) this.drop(conn);
  }

  /** Closes a socket at once, with no close handshake (a dropped connection). */
  drop(conn: WmConnection): void {
    conn.ws.terminate();
    this.#forget(conn);
  }

  /** Sends an event to every open connection of the session. */
  broadcast(session: WmSession, frame: Frame): void {
    for (const conn of [...session.connections]) this.send(conn, frame);
  }

  /** The live session for a token (configureSession), or a fresh one. */
  sessionFor(token: string, deploymentId: string, startNew: boolean): { session: WmSession; isNew: boolean; cleared: boolean } {
    const now = this.clock.now();
    const existing = this.#byToken.get(token);
    if (existing && !existing.ended && !startNew && existing.deploymentId === deploymentId) {
      return { session: existing, isNew: false, cleared: false };
    }
    if (existing && existing.ended && !startNew && existing.deploymentId === deploymentId) {
      return { session: existing, isNew: false, cleared: false }; // read-only: the caller says so
    }
    if (existing) existing.ended = true;
    const session: WmSession = {
      id: randomUUID(),
      token,
      deploymentId,
      createdAt: now,
      lastActivity: now,
      ended: false,
      connections: [],
      attachments: new Map(),
      messages: [],
    };
    this.#byToken.set(token, session);
    this.sessions.set(session.id, session);
    void this.save();
    return { session, isNew: true, cleared: existing !== undefined && startNew };
  }

  /** Marks a session ended when its duration since the last activity has passed. */
  expired(session: WmSession): boolean {
    if (session.ended) return true;
    const d = this.deployment(session.deploymentId);
    const duration = (d?.sessionDurationSeconds ?? 259_200) * 1000;
    if (this.clock.now() >= session.lastActivity + duration) {
      session.ended = true;
      void this.save();
      this.broadcast(session, event('SessionExpiredEvent', {}));
    }
    return session.ended;
  }

  /** Binds a connection to a session; a connection beyond the limit closes the oldest. */
  bind(conn: WmConnection, session: WmSession): void {
    if (conn.session === session) return;
    if (conn.session) conn.session.connections = conn.session.connections.filter((c) => c !== conn);
    conn.session = session;
    session.connections.push(conn);
    const limit = this.settings().limits.connectionsPerSession;
    while (session.connections.length > limit) {
      const oldest = session.connections.shift();
      if (!oldest) break;
      this.send(oldest, event('ConnectionClosedEvent', { reason: 'sessionLimitReached' }));
      oldest.session = undefined;
      oldest.ws.close(1000, 'Session connection limit reached');
    }
  }

  /** Closes every socket of a session (the close-mid-upload fault). */
  dropSession(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    for (const conn of [...(session?.connections ?? [])]) this.drop(conn);
  }

  /** After `ms`, unless the emulator closed first. */
  later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#closed) return;
      try {
        work();
      } catch (error) {
        process.stderr.write(`genesys emulator: web messaging event failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
    }, ms);
    this.#timers.add(timer);
  }

  addMessage(session: WmSession, message: WmMessage): void {
    session.messages.push(message);
  }

  view(): WebMessagingView {
    return buildWmView(this);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const conn of [...this.#connections]) conn.ws.terminate();
    this.#connections.clear();
    this.#wss.close();
    if (!this.#deps.persist) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

export function originAllowed(d: WebMessagingDeployment, origin: string | undefined): boolean {
  if (d.allowedOrigins.includes('*')) return true;
  return origin !== undefined && d.allowedOrigins.some((o) => o.toLowerCase() === origin.toLowerCase());
}

function refuse(socket: Duplex, status: number, text: string): true {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  return true;
}
