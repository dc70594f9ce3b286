/**
 * The HTTP side of Web Messaging on the emulator's port: the pre-signed attachment PUT (storage
 * surface, S3 XML errors), the signed download GET, and the guest history route
 * `GET /api/v2/webmessaging/messages` (Bearer jwt from getJwt, not an OAuth token).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../http/context.js';
import { send, sendGenesysError, sendJson, sendS3Error } from '../http/respond.js';
import { INCOMPLETE_BODY, presignedUrlAccepted, receiveRequestBody } from '../http/storage-put.js';
import type { Services } from '../services.js';
import { event } from './frames.js';
import type { WmAttachment } from './model.js';
import type { WebMessaging } from './service.js';
import { WM_STORAGE_PREFIX } from './signing.js';
import { attachmentView, messageBody } from './view.js';

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

function checkSignature(ctx: RequestContext, wm: WebMessaging, method: 'PUT' | 'GET', id: string): WmAttachment | undefined {
  const headers = method === 'PUT' ? { 'content-type': single(ctx.req.headers['content-type']), 'x-amz-tagging': single(ctx.req.headers['x-amz-tagging']) } : {};
  const check = wm.signer.verify(method, `${WM_STORAGE_PREFIX}${id}`, ctx.url.searchParams, headers, wm.clock.now());
  const tampered = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
  if (!presignedUrlAccepted(ctx, check, tampered)) return undefined;
  const attachment = wm.attachments.get(id);
  if (!attachment || attachment.state === 'deleted') {
    sendS3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
    return undefined;
  }
  return attachment;
}

export async function wmUploadRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const wm = env.webMessaging;
  if (ctx.req.headers.authorization !== undefined) {
    env.stats.storageAuthorizationSeen = true;
    return sendS3Error(ctx, 400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  }
  const attachment = checkSignature(ctx, wm, 'PUT', params.attachmentId ?? '');
  if (!attachment) return;
  const length = Number(ctx.req.headers['content-length']);
  if (ctx.req.headers['content-length'] === undefined || !Number.isSafeInteger(length) || length < 0) {
    return sendS3Error(ctx, 411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
  const generation = attachment.generation;
  if (wm.faults.take('close-mid-upload')) wm.dropSession(attachment.sessionId);
  await mkdir(wm.dir, { recursive: true });
  const temp = join(wm.dir, `${attachment.id}.${randomUUID()}.part`);
  const received = await receiveRequestBody(ctx, temp, length);
  if (!received.ok) {
    if (received.reason === 'gone') return;
    return sendS3Error(ctx, 400, 'IncompleteBody', INCOMPLETE_BODY);
  }
  if (!current(wm, attachment, generation)) {
    await unlink(temp).catch(() => undefined); // a newer onAttachment or a delete overtook this PUT
    return sendS3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
  }
  const path = join(wm.dir, attachment.id);
  await rename(temp, path);
  const sha256 = received.sha256.toString('hex');
  Object.assign(attachment, { path, storedSize: length, sha256, uploadedAt: wm.clock.now() });
  await wm.save();
  send(ctx, 200, { ETag: `"${sha256.slice(0, 32)}"` });
  scheduleUploadEvent(wm, attachment, generation);
}

/** After the deployment's delay (and any injected one): the platform's verdict on the stored bytes. */
function scheduleUploadEvent(wm: WebMessaging, attachment: WmAttachment, generation: number): void {
  const session = wm.sessions.get(attachment.sessionId);
  const delay = (wm.deployment(session?.deploymentId)?.uploadEventDelayMs ?? 0) + (wm.faults.take('delay-success')?.delayMs ?? 0);
  const drop = wm.faults.take('drop-success') !== undefined;
  const failure = wm.faults.take('upload-failure');
  wm.later(delay, () => {
    if (!session || !current(wm, attachment, generation)) return;
    const timestamp = new Date(wm.clock.now()).toISOString();
    let verdict: { errorCode: number; errorMessage: string } | undefined;
    if (attachment.storedSize !== attachment.fileSize) {
      verdict = { errorCode: 4002, errorMessage: `Stored size ${attachment.storedSize ?? 0} differs from the declared size ${attachment.fileSize}` };
    } else if (failure) {
      verdict = { errorCode: failure.errorCode ?? 4003, errorMessage: failure.errorMessage ?? 'File content is not valid' };
    }
    if (verdict) {
      attachment.state = 'failed';
      attachment.failure = verdict;
    } else {
      attachment.state = 'uploaded';
      attachment.failure = undefined;
    }
    void wm.save();
    if (drop) return;
    if (verdict) {
      wm.broadcast(session, event('UploadFailureEvent', { attachmentId: attachment.id, ...verdict, timestamp }));
      return;
    }
    for (const conn of [...session.connections]) {
      const origin = (conn as { httpOrigin?: string }).httpOrigin ?? '';
      const downloadUrl = attachmentView(wm, attachment, origin).url;
      wm.send(conn, event('UploadSuccessEvent', { attachmentId: attachment.id, downloadUrl, timestamp }));
    }
  });
}

/** Still the attachment this PUT was for: not deleted, not asked for again with the same id since. */
function current(wm: WebMessaging, attachment: WmAttachment, generation: number): boolean {
  return wm.attachments.get(attachment.id) === attachment && attachment.generation === generation && attachment.state !== 'deleted';
}

export async function wmDownloadRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const attachment = checkSignature(ctx, env.webMessaging, 'GET', params.attachmentId ?? '');
  if (!attachment) return;
  if (attachment.state !== 'uploaded' || attachment.path === undefined) return sendS3Error(ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
  const size = attachment.storedSize ?? 0;
  ctx.status = 200;
  if (ctx.loseResponse) {
    ctx.req.socket.destroy();
    return;
  }
  ctx.res.writeHead(200, { ...ctx.headers, 'Content-Type': attachment.fileType, 'Content-Length': size });
  ctx.bytesOut += size;
  await pipeline(createReadStream(attachment.path), ctx.res).catch(() => ctx.res.destroy());
}

export async function wmHistoryRoute(ctx: RequestContext, env: Services): Promise<void> {
  const wm = env.webMessaging;
  const m = /^Bearer +(\S+) *$/i.exec(ctx.req.headers.authorization ?? '');
  const now = wm.clock.now();
  const sessionId = m?.[1] === undefined ? undefined : wm.signer.verifyJwt(m[1], Math.floor(now / 1000));
  const session = sessionId === undefined ? undefined : wm.sessions.get(sessionId);
  if (!session) return sendGenesysError(ctx, 401, 'bad.credentials', 'Invalid login credentials: a valid jwt from getJwt is required.');
  const window = wm.limiter.hit(`history:${session.id}`, now, wm.settings().limits.historyPerSessionPerMinute, 60);
  if (window.limited) {
    return sendGenesysError(ctx, 429, 'too.many.requests', `Rate limit exceeded the maximum. Retry the request in [${window.resetSeconds}] seconds`, {
      headers: { 'Retry-After': window.resetSeconds },
    });
  }
  const pageSize = intParam(ctx.url.searchParams.get('pageSize'), 25, 1, 200);
  const pageNumber = intParam(ctx.url.searchParams.get('pageNumber'), 1, 1, 1_000_000);
  if (pageSize === undefined || pageNumber === undefined) {
    return sendGenesysError(ctx, 400, 'bad.request', 'pageSize must be 1 to 200 and pageNumber at least 1.');
  }
  const all = [...session.messages].reverse(); // newest first
  const origin = env.origin(ctx);
  const entities = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((msg) => messageBody(wm, msg, (a) => attachmentView(wm, a, origin)));
  sendJson(ctx, 200, { entities, pageSize, pageNumber, total: all.length, pageCount: Math.ceil(all.length / pageSize) });
}

function intParam(raw: string | null, fallback: number, min: number, max: number): number | undefined {
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
}
