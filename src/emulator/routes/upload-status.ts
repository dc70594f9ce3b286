/**
 * GET and DELETE {api}/api/v2/files/uploads/{uploadId} (PROTOCOL.md section 4).
 */
import type { RequestContext } from '../http/context.js';
import { send, sendGenesysError, sendJson } from '../http/respond.js';
import type { Services } from '../services.js';
import type { Upload } from '../store/uploads.js';
import { freshUrl, segmentsView } from './upload-view.js';

function findUpload(ctx: RequestContext, env: Services, uploadId: string): Upload | undefined {
  const upload = env.uploads.get(uploadId);
  if (!upload) sendGenesysError(ctx, 404, 'not.found', 'No upload with this id exists.');
  else ctx.uploadId = upload.meta.uploadId;
  return upload;
}

export async function statusRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const upload = findUpload(ctx, env, params.uploadId ?? '');
  if (!upload) return;
  const { meta } = upload;
  sendJson(ctx, 200, {
    uploadId: meta.uploadId,
    fileName: meta.fileName,
    contentType: meta.contentType,
    totalSize: meta.totalSize,
    chunkSize: meta.chunkSize,
    maxChunks: meta.maxChunks,
    state: meta.state,
    segments: segmentsView(upload),
    ...freshUrl(ctx, env, meta.uploadId),
    ...(meta.fileId !== undefined && { fileId: meta.fileId }),
  });
}

export async function abortRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const upload = findUpload(ctx, env, params.uploadId ?? '');
  if (!upload) return;
  await env.uploads.lock(upload.meta.uploadId, async () => {
    if (upload.meta.state === 'completed') {
      return sendGenesysError(ctx, 409, 'conflict', 'The upload is completed; a completed upload cannot be aborted.');
    }
    if (upload.meta.state === 'open') {
      env.wholeHashes.forget(upload.meta.uploadId);
      await env.uploads.abort(upload);
    }
    send(ctx, 204, {});
  });
}
