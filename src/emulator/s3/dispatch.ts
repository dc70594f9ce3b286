/**
 * The S3 listener's request pipeline: path-style addressing (/{bucket}/{key}), the operation
 * chosen by method and sub-resource (?uploads, ?uploadId, ?partNumber), fault rules (routes
 * s3-*), SigV4 (header or pre-signed), the bucket, then the operation. Errors are S3 XML.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { applyFault } from '../fault-actions.js';
import { trackRequest } from '../http/active-requests.js';
import { RequestContext } from '../http/context.js';
import type { EmulatorRoute } from '../types.js';
import { httpDate, s3Error, type S3Call, type S3Env } from './call.js';
import { completeUpload } from './complete.js';
import { abortUpload, createUpload, listParts, listUploads, partNumberOf, uploadPart } from './multipart.js';
import { deleteObject, getObject, headBucket, headObject, putObject } from './objects.js';
import { parseQuery, verifyRequest } from './sigv4.js';

type Handler = (call: S3Call, s3: S3Env) => Promise<void>;
type Operation = { route: EmulatorRoute; handler: Handler } | { status: number; code: string; message: string };

const has = (query: Record<string, unknown>, name: string) => query[name] !== undefined;

function operation(method: string, key: string, query: Record<string, string | string[]>): Operation {
  if (key === '') {
    if (method === 'GET' && has(query, 'uploads')) return { route: 's3-list', handler: listUploads };
    if (method === 'HEAD') return { route: 's3-head', handler: headBucket };
    return { status: 501, code: 'NotImplemented', message: `${method} on a bucket is not implemented by this endpoint (only ListMultipartUploads and HeadBucket).` };
  }
  const upload = has(query, 'uploadId');
  switch (method) {
    case 'POST':
      if (has(query, 'uploads')) return { route: 's3-create', handler: createUpload };
      if (upload) return { route: 's3-complete', handler: completeUpload };
      break;
    case 'PUT':
      if (upload || has(query, 'partNumber')) return { route: 's3-part', handler: uploadPart };
      return { route: 's3-put', handler: putObject };
    case 'GET':
      return upload ? { route: 's3-list', handler: listParts } : { route: 's3-get', handler: getObject };
    case 'HEAD':
      return { route: 's3-head', handler: headObject };
    case 'DELETE':
      return upload ? { route: 's3-abort', handler: abortUpload } : { route: 's3-delete', handler: deleteObject };
  }
  return { status: 405, code: 'MethodNotAllowed', message: 'The specified method is not allowed against this resource.' };
}

function splitTarget(raw: string): { rawPath: string; rawQuery: string; bucket: string; key: string } | undefined {
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? '' : raw.slice(q + 1);
  if (!rawPath.startsWith('/')) return undefined;
  const slash = rawPath.indexOf('/', 1);
  try {
    const bucket = decodeURIComponent(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
    const key = slash < 0 ? '' : decodeURIComponent(rawPath.slice(slash + 1));
    return { rawPath, rawQuery, bucket, key };
  } catch {
    return undefined;
  }
}

export async function dispatchS3(req: IncomingMessage, res: ServerResponse, s3: S3Env): Promise<void> {
  const { env } = s3;
  const url = new URL('http://s3.invalid/');
  const ctx = new RequestContext(req, res, url, env.clock.now(), env.closing);
  res.once('close', () => env.stats.record(ctx));
  trackRequest(ctx);
  ctx.surface = 'storage';
  ctx.headers['x-amz-request-id'] = ctx.correlationId;
  ctx.headers['x-amz-id-2'] = randomBytes(24).toString('base64');
  ctx.headers.Server = 'GenesysEmulatorS3';
  // The emulator's clock, so a client can see (and correct for) the skew a test created.
  ctx.headers.Date = httpDate(env.clock.now());
  try {
    const target = splitTarget(req.url ?? '/');
    if (!target) return s3Error(ctx, 400, 'InvalidURI', "Couldn't parse the specified URI.");
    if (target.bucket === '') return s3Error(ctx, 501, 'NotImplemented', 'ListBuckets is not implemented; address a bucket: /{bucket}/{key}.');
    const query = parseQuery(target.rawQuery);
    const op = operation(req.method ?? '', target.key, query);
    if ('status' in op) return s3Error(ctx, op.status, op.code, op.message);
    ctx.route = op.route;
    const uploadId = query.uploadId;
    if (typeof uploadId === 'string') ctx.uploadId = uploadId;
    const rule = env.faults.take(op.route, 'request', undefined, op.route === 's3-part' ? partNumberOf(query) : undefined);
    if (rule && (await applyFault(ctx, rule)) === 'done') return;

    const settings = s3.settings();
    const auth = await verifyRequest({ method: req.method ?? '', rawPath: target.rawPath, rawQuery: target.rawQuery, headers: req.headers }, settings, env.clock.now());
    if (auth.kind === 'error') return s3Error(ctx, auth.status, auth.code, auth.message);
    if (auth.kind === 'anonymous') {
      const readable = (op.route === 's3-get' || op.route === 's3-head') && target.key !== '' && settings.publicReadBuckets.includes(target.bucket);
      if (!readable) return s3Error(ctx, 403, 'AccessDenied', 'Access Denied: the request is not signed (SigV4 Authorization header or pre-signed URL).');
    } else if (auth.presigned) {
      s3.seen.presigned += 1;
    } else {
      s3.seen.headerSigned += 1;
    }
    if (!settings.buckets.includes(target.bucket)) return s3Error(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist.');
    if (Buffer.byteLength(target.key) > 1024) return s3Error(ctx, 400, 'KeyTooLongError', 'Your key is too long (at most 1024 bytes).');
    const payload = auth.kind === 'signed' ? auth.payload : { kind: 'unsigned' as const };
    await op.handler({ ctx, bucket: target.bucket, key: target.key, query, payload }, s3);
  } catch (error) {
    if (env.closing.aborted) {
      res.destroy();
      return;
    }
    process.stderr.write(`genesys emulator (s3): internal error on ${ctx.route}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (res.headersSent) res.destroy();
    else s3Error(ctx, 500, 'InternalError', 'We encountered an internal error. Please try again.');
  }
}
