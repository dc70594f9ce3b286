/**
 * Whole objects: PutObject (x-amz-checksum-sha256 and Content-MD5 verified), GetObject (one Range,
 * response-* overrides), HeadObject (x-amz-checksum-mode: ENABLED adds the stored checksum),
 * DeleteObject (204, present or not), and HeadBucket.
 */
import { pipeline } from 'node:stream/promises';
import { discardRest } from '../http/body.js';
import { parseRange } from '../http/ranges.js';
import { send, type Headers } from '../http/respond.js';
import { segmentsContent } from '../store/file-content.js';
import { sha256OfFiles } from '../store/hashing.js';
import { flipMiddleByte } from '../store/segment-receiver.js';
import {
  bodyMatches, declaredLength, integrityHeaders, MAX_PART_SIZE, objectHeadersOf, objectResponseHeaders, s3Error,
  type S3Call, type S3Env,
} from './call.js';
import { cutShort } from './multipart.js';
import { receiveBody } from './receive.js';
import type { Segment, StoredObject } from './store.js';

export async function putObject(call: S3Call, s3: S3Env): Promise<void> {
  const { ctx } = call;
  if (ctx.req.headers['x-amz-copy-source'] !== undefined) return s3Error(ctx, 501, 'NotImplemented', 'CopyObject is not supported here.');
  const length = declaredLength(ctx, MAX_PART_SIZE);
  if (length === undefined) return;
  const expected = integrityHeaders(call, s3);
  if (!expected) return;
  const headers = objectHeadersOf(ctx);
  if (!headers) return;
  const tempPath = s3.store.tempPath();
  const received = await receiveBody(ctx, tempPath, length);
  if (!received.ok) return cutShort(call, received.reason);
  try {
    if (!bodyMatches(call, expected, received)) return;
    let sha256 = received.sha256.toString('hex');
    const corrupt = s3.env.faults.take('s3-put', 'corrupt');
    if (corrupt) {
      ctx.fault = 'corrupt';
      await flipMiddleByte(tempPath, length);
      sha256 = await sha256OfFiles([tempPath], s3.env.closing);
    }
    const path = await s3.store.commit(tempPath);
    const checksum = expected.sha256?.toString('base64');
    const object: StoredObject = {
      bucket: call.bucket,
      key: call.key,
      size: length,
      segments: [{ path, size: length }],
      etag: `"${received.md5.toString('hex')}"`,
      ...(checksum !== undefined && { checksumSHA256: checksum, checksumType: 'FULL_OBJECT' as const }),
      sha256,
      ...headers,
      lastModified: s3.env.clock.now(),
    };
    await s3.store.discard(s3.store.putObject(object));
    const checksumHeaders: Headers = checksum === undefined ? {} : { 'x-amz-checksum-sha256': checksum, 'x-amz-checksum-type': 'FULL_OBJECT' };
    send(ctx, 200, { ETag: object.etag, ...checksumHeaders });
  } finally {
    await s3.store.discard([tempPath]);
  }
}

function findObject(call: S3Call, s3: S3Env): StoredObject | undefined {
  const object = s3.store.object(call.bucket, call.key);
  if (!object) s3Error(call.ctx, 404, 'NoSuchKey', 'The specified key does not exist.');
  return object;
}

export async function headObject(call: S3Call, s3: S3Env): Promise<void> {
  const object = findObject(call, s3);
  if (!object) return;
  const { ctx } = call;
  ctx.status = 200;
  if (ctx.loseResponse) return void ctx.req.socket.destroy();
  ctx.res.writeHead(200, { ...ctx.headers, ...objectResponseHeaders(object, call, s3), 'Content-Length': object.size });
  ctx.res.end();
  discardRest(ctx.req);
}

export async function getObject(call: S3Call, s3: S3Env): Promise<void> {
  const object = findObject(call, s3);
  if (!object) return;
  const { ctx } = call;
  const range = parseRange(ctx.req.headers.range, object.size);
  if (range.kind === 'unsatisfiable') {
    return s3Error(ctx, 416, 'InvalidRange', 'The requested range is not satisfiable.', { 'Content-Range': `bytes */${object.size}` });
  }
  const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, object.size - 1];
  const status = range.kind === 'range' ? 206 : 200;
  const headers = objectResponseHeaders(object, call, s3);
  if (status === 206) {
    // A part of the object: its whole-object checksum does not describe these bytes.
    delete headers['x-amz-checksum-sha256'];
    delete headers['x-amz-checksum-type'];
  }
  ctx.status = status;
  if (ctx.loseResponse) return void ctx.req.socket.destroy();
  ctx.res.writeHead(status, {
    ...ctx.headers,
    ...headers,
    'Content-Length': Math.max(0, end - start + 1),
    ...(status === 206 && { 'Content-Range': `bytes ${start}-${end}/${object.size}` }),
  });
  discardRest(ctx.req);
  try {
    await pipeline(segmentsContent(object.segments, start, end, (n) => (ctx.bytesOut += n)), ctx.res, { signal: ctx.signal });
  } catch {
    ctx.res.destroy(); // the client went away or the emulator is closing
  }
}

export async function deleteObject(call: S3Call, s3: S3Env): Promise<void> {
  await s3.store.discard(s3.store.deleteObject(call.bucket, call.key));
  send(call.ctx, 204, {});
}

export async function headBucket(call: S3Call, s3: S3Env): Promise<void> {
  send(call.ctx, 200, { 'x-amz-bucket-region': s3.settings().region });
}
