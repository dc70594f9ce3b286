/**
 * The request pipeline: parse the URL, match a route, set the surface's common headers, apply
 * fault rules, run the {api} guard (auth → rate limit → permission), then the route's handler.
 * Anything unexpected becomes a 500 in the surface's error format, never a crash.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { trackRequest } from './http/active-requests.js';
import { RequestContext, type Surface } from './http/context.js';
import { sendGenesysError, sendS3Error, type Headers } from './http/respond.js';
import { Router } from './http/router.js';
import { applyFault } from './fault-actions.js';
import { isId } from './ids.js';
import type { Services } from './services.js';
import type { EmulatorRoute, Permission } from './types.js';
import { CONVERSATION_ROUTES } from './conversations/routes.js';
import * as admin from './routes/admin.js';
import { guardApi, setUncountedRateHeaders } from './routes/api-guard.js';
import { completeRoute } from './routes/complete.js';
import { contentRoute, fileRoute } from './routes/files.js';
import { guestRoute } from './routes/guests.js';
import { initiateRoute } from './routes/initiate.js';
import { guestMessagesRoute, messageGetRoute, messageRoute } from './routes/messages.js';
import { peekSegmentIndex, segmentRoute } from './routes/segment.js';
import { tokenRoute } from './routes/token.js';
import { abortRoute, statusRoute } from './routes/upload-status.js';
import * as wmAdmin from './web-messaging/admin.js';
import { wmDownloadRoute, wmHistoryRoute, wmUploadRoute } from './web-messaging/http.js';

type Handler = (ctx: RequestContext, env: Services, params: Record<string, string>) => Promise<void>;

interface RouteSpec {
  route: EmulatorRoute | 'admin';
  /** null: any valid token will do (file content). Only meaningful on the api surface. */
  permission: Permission | readonly Permission[] | null;
  handler: Handler;
  /** The route checks its own credentials (Web Messaging history: a guest jwt, not an OAuth token). */
  ownAuth?: boolean;
}

const api = (route: EmulatorRoute, permission: Permission | readonly Permission[] | null, handler: Handler): RouteSpec => ({ route, permission, handler });
const adm = (handler: Handler): RouteSpec => ({ route: 'admin', permission: null, handler });

export const STORAGE_PATH = '/storage/uploads/:uploadId';

const router = new Router<RouteSpec>()
  .add('POST', '/oauth/token', api('token', null, tokenRoute))
  .add('POST', '/api/v2/files/uploads', api('initiate', 'files:upload', initiateRoute))
  .add('GET', '/api/v2/files/uploads/:uploadId', api('status', 'files:upload', statusRoute))
  .add('DELETE', '/api/v2/files/uploads/:uploadId', api('abort', 'files:upload', abortRoute))
  .add('POST', '/api/v2/files/uploads/:uploadId/complete', api('complete', 'files:upload', completeRoute))
  .add('GET', '/api/v2/files/:fileId', api('file', 'files:upload', fileRoute))
  .add('GET', '/api/v2/files/:fileId/content', api('content', null, contentRoute))
  .add('POST', '/api/v2/conversations/messaging/guests', api('guest', 'messaging:guest', guestRoute))
  .add('POST', '/api/v2/conversations/messaging/messages', api('message', 'messaging:send', messageRoute))
  .add('GET', '/api/v2/conversations/messaging/messages/:messageId', api('message-get', 'messaging:send', messageGetRoute))
  .add('GET', '/api/v2/conversations/messaging/guests/:guestId/messages', api('message-get', 'messaging:send', guestMessagesRoute))
  .add('PUT', STORAGE_PATH, api('segment', null, segmentRoute))
  .add('PUT', '/storage/webmessaging/:attachmentId', api('wm-upload', null, wmUploadRoute))
  .add('GET', '/storage/webmessaging/:attachmentId', api('wm-download', null, wmDownloadRoute))
  .add('GET', '/api/v2/webmessaging/messages', { ...api('wm-history', null, wmHistoryRoute), ownAuth: true })
  .add('GET', '/__emulator/web-messaging/faults', adm(wmAdmin.getWmFaults))
  .add('POST', '/__emulator/web-messaging/faults', adm(wmAdmin.postWmFaults))
  .add('DELETE', '/__emulator/web-messaging/faults', adm(wmAdmin.deleteWmFaults))
  .add('DELETE', '/__emulator/web-messaging/faults/:faultId', adm(wmAdmin.deleteWmFault))
  .add('GET', '/__emulator/state', adm(admin.getState))
  .add('GET', '/__emulator/config', adm(admin.getConfig))
  .add('PATCH', '/__emulator/config', adm(admin.patchConfig))
  .add('GET', '/__emulator/faults', adm(admin.getFaults))
  .add('POST', '/__emulator/faults', adm(admin.postFaults))
  .add('DELETE', '/__emulator/faults', adm(admin.deleteFaults))
  .add('DELETE', '/__emulator/faults/:faultId', adm(admin.deleteFault))
  .add('GET', '/__emulator/clock', adm(admin.getClock))
  .add('POST', '/__emulator/clock', adm(admin.postClock));
for (const r of CONVERSATION_ROUTES) router.add(r.method, r.path, r.route === 'admin' ? adm(r.handler) : api(r.route, r.permission, r.handler));

function surfaceOf(pathname: string): Surface {
  if (pathname === '/__emulator' || pathname.startsWith('/__emulator/')) return 'admin';
  if (pathname.startsWith('/storage/')) return 'storage';
  if (pathname.startsWith('/oauth/')) return 'login';
  return 'api';
}

function parseTarget(raw: string | undefined): URL | undefined {
  const target = raw ?? '/';
  try {
    // Origin-form ("/path?q") is the norm; absolute-form ("http://host/path") is legal too.
    return target.startsWith('/') ? new URL(`http://emulator.invalid${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}

function notFound(ctx: RequestContext, status: 404 | 405, allowed?: string[]): void {
  const headers: Headers = allowed ? { Allow: allowed.join(', ') } : {};
  if (ctx.surface === 'storage') {
    const [code, message] =
      status === 405 ? ['MethodNotAllowed', 'The specified method is not allowed against this resource.'] : ['NoSuchKey', 'The specified key does not exist.'];
    return sendS3Error(ctx, status, code, message, headers);
  }
  const message = status === 405 ? `Method not allowed; use ${allowed?.join(' or ') ?? ''}.` : 'No resource at this path.';
  sendGenesysError(ctx, status, status === 405 ? 'method.not.allowed' : 'not.found', message, { headers });
}

export async function dispatch(req: IncomingMessage, res: ServerResponse, env: Services): Promise<void> {
  const url = parseTarget(req.url) ?? new URL('http://emulator.invalid/');
  const ctx = new RequestContext(req, res, url, env.clock.now(), env.closing);
  res.once('close', () => env.stats.record(ctx));
  trackRequest(ctx);
  ctx.surface = surfaceOf(url.pathname);
  if (ctx.surface === 'storage') ctx.headers['x-amz-request-id'] = ctx.correlationId;
  else ctx.headers['ININ-Correlation-Id'] = ctx.correlationId;
  if (ctx.surface === 'api') setUncountedRateHeaders(ctx, env);
  try {
    if (!parseTarget(req.url)) return sendGenesysError(ctx, 400, 'bad.request', 'The request target is not a valid URL.');
    const match = router.match(req.method ?? '', url.pathname);
    if (match.kind === 'none') return notFound(ctx, 404);
    if (match.kind === 'method') return notFound(ctx, 405, match.allowed);
    const { value: spec, params } = match;
    ctx.route = spec.route;
    if (params.uploadId !== undefined && isId(params.uploadId)) ctx.uploadId = params.uploadId;
    if (spec.route === 'admin') {
      if (!admin.acceptAdminBody(ctx)) return; // JSON only: no cross-origin simple requests
      return await spec.handler(ctx, env, params);
    }
    if (spec.route === 'segment') {
      if (req.headers.authorization !== undefined) env.stats.storageAuthorizationSeen = true; // recorded, then ignored
      ctx.segmentIndex = peekSegmentIndex(ctx, env, params.uploadId ?? '');
    }
    const rule = env.faults.take(spec.route, 'request', ctx.segmentIndex);
    if (rule && (await applyFault(ctx, rule)) === 'done') return;
    if (ctx.surface === 'api' && !spec.ownAuth && !guardApi(ctx, env, spec.permission)) return;
    await spec.handler(ctx, env, params);
  } catch (error) {
    if (env.closing.aborted) {
      res.destroy();
      return;
    }
    process.stderr.write(`genesys emulator: internal error on ${ctx.route}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (res.headersSent) {
      res.destroy();
    } else if (ctx.surface === 'storage') {
      sendS3Error(ctx, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    } else {
      sendGenesysError(ctx, 500, 'internal.server.error', 'The emulator failed unexpectedly; see its stderr.');
    }
  }
}
