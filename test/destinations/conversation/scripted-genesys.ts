/**
 * A small scripted node:http server on 127.0.0.1 that plays the Platform API routes of the
 * conversation destination (conversation, media upload request, pre-signed PUT, media status, send,
 * history, bulk), with queued faults per route. Used until (and beside) the emulator's routes:
 * it can give answers the emulator may not (odd statuses, a status sequence per media).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = 'token' | 'conversation' | 'upload' | 'put' | 'media' | 'send' | 'history' | 'bulk';

/** A scripted answer: a status with a body (and headers), a reset before answering, or a lost answer (work done, socket dropped). */
export type Fault = { status: number; body?: unknown; headers?: Record<string, string> } | 'reset' | 'lose';

export interface Participant {
  id: string;
  purpose: string;
  messages: Array<{ id: string; state: string; type?: string }>;
}

export interface StoredMedia {
  id: string;
  name: string;
  announced: number;
  communicationId: string;
  bytes: Buffer | undefined;
  sha256: string | undefined;
  putHeaders: Array<Record<string, string | string[] | undefined>>;
  reads: number;
  /** Statuses answered on successive reads after the PUT (the last repeats). */
  statuses: string[];
}

export interface SentMessage {
  id: string;
  communicationId: string;
  textBody: string;
  mediaIds: string[];
}

export interface ScriptedGenesys {
  url: string;
  conversationId: string;
  participants: Participant[];
  media: StoredMedia[];
  messages: SentMessage[];
  requests: Array<{ route: Route | 'other'; method: string; path: string; authorization: string | undefined }>;
  faults: Partial<Record<Route, Fault[]>>;
  /** Statuses of the n-th media (0-based) after its PUT; default ['valid']. */
  statusPlan: string[][];
  uploadHeaders: Record<string, string>;
  close(): Promise<void>;
}

export const AGENT_COMM = 'comm-agent-1';
export const CUSTOMER_COMM = 'comm-customer-1';

function routeOf(method: string, path: string): Route | 'other' {
  if (path === '/oauth/token') return 'token';
  if (path.startsWith('/storage/')) return method === 'PUT' ? 'put' : 'other';
  if (/^\/api\/v2\/conversations\/[^/]+$/.test(path) && method === 'GET') return 'conversation';
  if (/\/messages\/media\/uploads$/.test(path) && method === 'POST') return 'upload';
  if (/\/messages\/media\/[^/]+$/.test(path) && method === 'GET') return 'media';
  if (/\/communications\/[^/]+\/messages$/.test(path) && method === 'POST') return 'send';
  if (/^\/api\/v2\/conversations\/messages\/[^/]+\/messages\/bulk$/.test(path)) return 'bulk';
  if (/^\/api\/v2\/conversations\/messages\/[^/]+$/.test(path) && method === 'GET') return 'history';
  return 'other';
}

export async function startScriptedGenesys(): Promise<ScriptedGenesys> {
  const state: Omit<ScriptedGenesys, 'url' | 'close'> = {
    conversationId: 'conv-1',
    participants: [
      { id: 'p-customer', purpose: 'customer', messages: [{ id: CUSTOMER_COMM, state: 'connected', type: 'webmessaging' }] },
      { id: 'p-agent', purpose: 'agent', messages: [{ id: AGENT_COMM, state: 'connected', type: 'webmessaging' }] },
    ],
    media: [],
    messages: [],
    requests: [],
    faults: {},
    statusPlan: [],
    uploadHeaders: { 'x-amz-tagging': 'scope=conversation' },
  };
  let origin = '';
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string): void =>
    json(res, status, { message, code, status, contextId: 'ctx-1' });

  const handle = (req: IncomingMessage, res: ServerResponse, route: Route | 'other', url: URL, body: Buffer): void => {
    const path = url.pathname;
    const commOf = (): string => /\/communications\/([^/]+)\//.exec(path)?.[1] ?? '';
    const connected = (id: string): boolean => state.participants.some((p) => p.messages.some((m) => m.id === id && m.state === 'connected'));
    switch (route) {
      case 'token':
        return json(res, 200, { access_token: 'cc-token', token_type: 'bearer', expires_in: 3600 });
      case 'conversation':
        return json(res, 200, { id: state.conversationId, participants: state.participants, selfUri: path });
      case 'upload': {
        const request = JSON.parse(body.toString('utf8')) as { fileName: string; contentLengthBytes: number };
        const id = `media-${state.media.length + 1}`;
        const communicationId = commOf();
        if (!connected(communicationId)) return error(res, 409, 'communication.disconnected', 'The communication is disconnected.');
        state.media.push({
          id,
          name: request.fileName,
          announced: request.contentLengthBytes,
          communicationId,
          bytes: undefined,
          sha256: undefined,
          putHeaders: [],
          reads: 0,
          statuses: state.statusPlan[state.media.length] ?? ['valid'],
        });
        return json(res, 201, { id, name: request.fileName, uploadUrl: `${origin}/storage/${id}?X-Amz-Signature=topsecret`, uploadHeaders: state.uploadHeaders, selfUri: path });
      }
      case 'put': {
        const media = state.media.find((m) => path === `/storage/${m.id}`);
        if (media === undefined) return error(res, 404, 'not.found', 'no media');
        media.putHeaders.push({ ...req.headers });
        media.bytes = body;
        media.sha256 = createHash('sha256').update(body).digest('hex');
        res.writeHead(200, { etag: `"${media.sha256}"` });
        return void res.end();
      }
      case 'media': {
        const media = state.media.find((m) => path.endsWith(`/media/${m.id}`));
        if (media === undefined) return error(res, 404, 'not.found', 'no media');
        let status = 'uploading';
        if (media.bytes !== undefined) {
          status = media.statuses[Math.min(media.reads, media.statuses.length - 1)] ?? 'valid';
          media.reads++;
          if (media.bytes.length !== media.announced) status = 'invalid';
        }
        return json(res, 200, { id: media.id, name: media.name, mediaType: 'application/pdf', contentLengthBytes: media.announced, status });
      }
      case 'send': {
        const request = JSON.parse(body.toString('utf8')) as { textBody: string; mediaIds?: string[] };
        const communicationId = /\/communications\/([^/]+)\/messages$/.exec(path)?.[1] ?? '';
        if (!connected(communicationId)) return error(res, 409, 'communication.disconnected', 'The communication is disconnected.');
        for (const id of request.mediaIds ?? []) {
          const media = state.media.find((m) => m.id === id);
          if (media === undefined || media.bytes === undefined) return error(res, 400, 'media.not.valid', 'The media is not valid.');
        }
        const message = { id: `msg-${state.messages.length + 1}`, communicationId, textBody: request.textBody, mediaIds: request.mediaIds ?? [] };
        state.messages.push(message);
        return json(res, 200, { id: message.id, status: 'sent', textBody: message.textBody, media: message.mediaIds.map((id) => ({ id })) });
      }
      case 'history':
        return json(res, 200, {
          id: state.conversationId,
          participants: state.participants.map((p) => ({
            id: p.id,
            purpose: p.purpose,
            messages: state.messages.filter((m) => p.messages.some((c) => c.id === m.communicationId)).map((m) => ({ messageId: m.id })),
          })),
        });
      case 'bulk': {
        const ids = JSON.parse(body.toString('utf8')) as string[];
        return json(res, 200, {
          entities: state.messages.filter((m) => ids.includes(m.id)).map((m) => ({ id: m.id, textBody: m.textBody, media: m.mediaIds.map((id) => ({ id })) })),
        });
      }
      default:
        return error(res, 404, 'not.found', `no route ${req.method} ${path}`);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const url = new URL(req.url ?? '/', origin);
    const route = routeOf(req.method ?? 'GET', url.pathname);
    state.requests.push({ route, method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization });
    const fault = route === 'other' ? undefined : state.faults[route]?.shift();
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault !== undefined && fault !== 'lose') return json(res, fault.status, fault.body ?? { message: 'scripted', code: 'scripted', status: fault.status }, fault.headers);
      if (fault === 'lose') {
        // Do the work, then drop the connection instead of answering.
        const sink = { writeHead: () => sink, end: () => req.socket.destroy(), setHeader: () => undefined } as unknown as ServerResponse;
        return handle(req, sink, route, url, Buffer.concat(chunks));
      }
      handle(req, res, route, url, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
