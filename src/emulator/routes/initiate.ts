/**
 * POST {api}/api/v2/files/uploads (PROTOCOL.md section 2). Validation order: field types
 * (bad.request), file name (file.name.invalid), media type syntax (bad.request), size value
 * (file.empty / bad.request), content profile (415), size limits (413).
 */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import type { Services } from '../services.js';
import { chunkSizeFor } from '../settings.js';
import { isMediaType, isValidFileName } from '../validation.js';
import { badRequest, readJsonBody } from './api-body.js';
import { freshUrl } from './upload-view.js';

export async function initiateRoute(ctx: RequestContext, env: Services): Promise<void> {
  const body = await readJsonBody(ctx);
  if (!body) return;
  const { fileName, contentType, totalSize } = body;
  if (typeof fileName !== 'string') return badRequest(ctx, 'fileName must be a string.');
  if (typeof contentType !== 'string') return badRequest(ctx, 'contentType must be a string.');
  if (typeof totalSize !== 'number') return badRequest(ctx, 'totalSize must be a number.');
  if (!isValidFileName(fileName)) {
    return sendGenesysError(
      ctx,
      400,
      'file.name.invalid',
      'fileName must be 1-255 characters, must not start with "." or end with "/", and must not contain whitespace or any of / \\ { ^ } % ` ] " > [ ~ < # |.',
    );
  }
  if (!isMediaType(contentType)) return badRequest(ctx, 'contentType must be a type/subtype media type.');
  if (totalSize === 0) return sendGenesysError(ctx, 400, 'file.empty', 'The file is empty: totalSize must be at least 1 byte.');
  if (!Number.isSafeInteger(totalSize) || totalSize < 0) {
    return badRequest(ctx, 'totalSize must be a positive integer number of bytes.');
  }
  const settings = env.settings();
  if (!settings.allowedContentTypes.includes(contentType)) {
    return sendGenesysError(
      ctx,
      415,
      'file.type.not.allowed',
      `Content type "${contentType}" is not allowed by the organization's content profile.`,
    );
  }
  if (totalSize > settings.maxFileSize) {
    return sendGenesysError(ctx, 413, 'too.large', `The file is larger than the maximum of ${settings.maxFileSize} bytes.`);
  }
  const chunkSize = chunkSizeFor(settings, totalSize);
  const chunks = Math.ceil(totalSize / chunkSize);
  if (chunks > settings.maxChunks) {
    return sendGenesysError(
      ctx,
      413,
      'too.large',
      `The file needs ${chunks} chunks of ${chunkSize} bytes; the maximum is ${settings.maxChunks}.`,
    );
  }
  const uploadId = newId();
  await env.uploads.create({
    uploadId,
    fileName,
    contentType,
    totalSize,
    chunkSize,
    maxChunks: settings.maxChunks,
    createdAt: new Date(env.clock.now()).toISOString(),
    state: 'open',
  });
  ctx.uploadId = uploadId;
  const url = freshUrl(ctx, env, uploadId);
  sendJson(ctx, 201, { uploadId, presignedUrl: url.presignedUrl, chunkSize, maxChunks: settings.maxChunks, expiresAt: url.expiresAt });
}
