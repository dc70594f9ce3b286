/**
 * A tiny scripted Web Messaging server for the client's tests (until the emulator lands): a `ws`
 * server at /v1 and an http server on the same port for the pre-signed PUT and the history route.
 * Frames are shaped exactly as WEB-MESSAGING.md shows them. By default it behaves; a test changes
 * `script` to make it misbehave, and reads what arrived from `seen`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Seen {
  requests: Record<string, unknown>[];
  puts: { path: string; headers: IncomingMessage['headers']; sha256: string; size: number }[];
  upgrades: { origin: string | undefined }[];
  history: { authorization: string | undefined }[];
  messages: { id: string; text?: string; attachmentIds: string[] }[];
}

type Reply = (frame: Record<string, unknown>) => void;

export interface Script {
  session: Record<string, unknown>;
  /** Return true when the request was handled (the default then does nothing). */
  onRequest?: (request: Record<string, unknown>, reply: Reply, ws: WebSocket, next: (reply: Reply) => void) => boolean;
  /** Return an HTTP status to fail the PUT with it, 'reset' to destroy the socket, or undefined. */
  onPut?: (n: number) => number | 'reset' | undefined;
  /** After a good PUT: the event to send ('success' by default), or 'none'. */
  afterPut?: (attachmentId: string) => 'success' | 'failure' | 'none';
  /** Origins refused with 403. */
  refuseOrigin?: string;
  /** The next N upgrades fail with 503. */
  failUpgrades?: number;
}

export interface ScriptedServer {
  url: string;
  wsUrl: string;
  seen: Seen;
  script: Script;
  sockets: Set<WebSocket>;
  /** Forgets what was seen and counted (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_SESSION = {
  connected: true,
  newSession: true,
  readOnly: false,
  allowedMedia: { inbound: { fileTypes: [{ type: 'image/png' }, { type: 'application/*' }], maxFileSizeKB: 10 } },
  blockedExtensions: ['.exe', '.bat'],
  maxCustomDataBytes: 2048,
};

export async function startScriptedServer(options: { autoPong?: boolean } = {}): Promise<ScriptedServer> {
  const seen: Seen = { requests: [], puts: [], upgrades: [], history: [], messages: [] };
  const script: Script = { session: DEFAULT_SESSION };
  const attachments = new Map<string, { ws: WebSocket; fileType: string }>();
  let puts = 0;
  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/api/v2/webmessaging/messages') {
      seen.history.push({ authorization: req.headers.authorization });
      const entities = [...seen.messages].reverse().map((m) => ({
        id: m.id,
        direction: 'Inbound',
        text: m.text,
        content: m.attachmentIds.map((id) => ({ contentType: 'Attachment', attachment: { id } })),
      }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1 }));
      return;
    }
    if (req.method === 'PUT' && url.pathname.startsWith('/upload/')) {
      const n = ++puts;
      const fault = script.onPut?.(n);
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      const hash = createHash('sha256');
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      req.on('end', () => {
        const id = url.pathname.slice('/upload/'.length);
        seen.puts.push({ path: url.pathname, headers: req.headers, sha256: hash.digest('hex'), size });
        if (typeof fault === 'number') {
          res.statusCode = fault;
          res.end(`<?xml version="1.0"?><Error><Code>${fault === 403 ? 'AccessDenied' : 'SlowDown'}</Code><Message>${fault === 403 ? 'Request has expired' : 'Please reduce your request rate.'}</Message></Error>`);
          return;
        }
        const attachment = attachments.get(id);
        if (attachment === undefined || req.headers['content-type'] !== attachment.fileType || req.headers['x-amz-tagging'] === undefined) {
          res.statusCode = 403;
          res.end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
          return;
        }
        res.end();
        const verdict = script.afterPut?.(id) ?? 'success';
        if (verdict === 'none') return;
        const body = verdict === 'success' ? { attachmentId: id, downloadUrl: `${base}/download/${id}`, timestamp: new Date().toISOString() } : { attachmentId: id, errorCode: 4003, errorMessage: 'File content is invalid', timestamp: new Date().toISOString() };
        attachment.ws.send(JSON.stringify({ type: 'message', class: verdict === 'success' ? 'UploadSuccessEvent' : 'UploadFailureEvent', code: 200, body }));
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  const wss = new WebSocketServer({
    server: http,
    path: '/v1',
    autoPong: options.autoPong ?? true,
    verifyClient: (info, done) => {
      seen.upgrades.push({ origin: info.origin === '' ? undefined : info.origin });
      if (script.refuseOrigin !== undefined && info.origin === script.refuseOrigin) done(false, 403);
      else if ((script.failUpgrades ?? 0) > 0) {
        script.failUpgrades = (script.failUpgrades ?? 0) - 1;
        done(false, 503);
      }
      else done(true);
    },
  });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const request = JSON.parse(data.toString()) as Record<string, unknown>;
      seen.requests.push(request);
      const reply: Reply = (frame) => ws.send(JSON.stringify({ ...frame, ...(request['tracingId'] !== undefined && frame['tracingId'] === undefined && { tracingId: request['tracingId'] }) }));
      if (script.onRequest?.(request, reply, ws, (other) => defaultAnswer(request, other, ws)) === true) return;
      defaultAnswer(request, reply, ws);
    });
  });
  function defaultAnswer(request: Record<string, unknown>, reply: Reply, ws: WebSocket): void {
    switch (request['action']) {
      case 'configureSession':
        reply({ type: 'response', class: 'SessionResponse', code: 200, body: script.session });
        return;
      case 'onAttachment': {
        const id = typeof request['attachmentId'] === 'string' ? request['attachmentId'] : randomUUID();
        attachments.set(id, { ws, fileType: String(request['fileType']) });
        reply({ type: 'response', class: 'PresignedUrlResponse', code: 200, body: { attachmentId: id, url: `${base}/upload/${id}?X-Amz-Signature=s3cr3tsig`, headers: { 'x-amz-tagging': 'organizationId=1234&originPlatform=PureCloud' }, fileName: request['fileName'], fileType: request['fileType'], fileSize: request['fileSize'] } });
        return;
      }
      case 'onMessage': {
        const message = request['message'] as { text?: string; content?: { attachment: { id: string } }[] };
        const stored = { id: randomUUID(), ...(message.text !== undefined && { text: message.text }), attachmentIds: (message.content ?? []).map((c) => c.attachment.id) };
        seen.messages.push(stored);
        reply({ type: 'response', class: 'StructuredMessage', code: 200, body: { id: stored.id, type: 'Text', text: message.text, direction: 'Inbound', channel: { time: new Date().toISOString() }, content: message.content ?? [] } });
        return;
      }
      case 'getJwt':
        reply({ type: 'response', class: 'JwtResponse', code: 200, body: { jwt: 'jwt-secret-value', exp: 1767225600 } });
        return;
      default:
        reply({ type: 'response', class: 'string', code: 400, body: 'Unknown action' });
    }
  }
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    wsUrl: `ws://127.0.0.1:${port}/v1`,
    seen,
    script,
    sockets,
    reset() {
      puts = 0;
      for (const list of Object.values(seen)) (list as unknown[]).length = 0;
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
