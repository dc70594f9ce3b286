/**
 * POST {api}/api/v2/files/uploads/{uploadId}/complete (PROTOCOL.md section 5).
 *
 * Order: body syntax and field types (400 bad.request) → upload lookup (404 for unknown or
 * aborted) → checksum count and contentType (400 bad.request) → missing segments (409
 * upload.incomplete, before any mismatch) → mismatched segments (400 checksum.mismatch) → the
 * file is created. Runs under the upload's lock, so concurrent completes create one file and the
 * losers answer like a repeated complete.
 *
 * On a completed upload: the same checksums answer the same 200 again; different checksums answer
 * 400 checksum.mismatch with the differing indexes (the file itself never changes).
 */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import type { FileRecord } from '../records.js';
import type { Services } from '../services.js';
import { segmentCount, type Upload } from '../store/uploads.js';
import { CHECKSUM } from '../validation.js';
import { badRequest, readJsonBody } from './api-body.js';

function fileAnswer(file: FileRecord) {
  return { fileId: file.id, name: file.name, size: file.size, contentType: file.contentType, sha256: file.sha256 };
}

function mismatches(submitted: string[], actual: (index: number) => string | undefined) {
  const details: Array<{ index: number; expected: string; actual: string }> = [];
  submitted.forEach((expected, index) => {
    const stored = actual(index);
    if (stored !== undefined && stored !== expected) details.push({ index, expected, actual: stored });
  });
  return details;
}

export async function completeRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const body = await readJsonBody(ctx);
  if (!body) return;
  const { checksums, contentType } = body;
  if (!Array.isArray(checksums) || !checksums.every((c): c is string => typeof c === 'string')) {
    return badRequest(ctx, 'checksums must be an array of strings.');
  }
  if (typeof contentType !== 'string') return badRequest(ctx, 'contentType must be a string.');
  const malformed = checksums.findIndex((c) => !CHECKSUM.test(c));
  if (malformed >= 0) return badRequest(ctx, `checksums[${malformed}] must look like "sha256:<64 lowercase hex digits>".`);

  const found = env.uploads.get(params.uploadId ?? '');
  if (!found || found.meta.state === 'aborted') {
    return sendGenesysError(ctx, 404, 'not.found', 'No open or completed upload with this id exists.');
  }
  ctx.uploadId = found.meta.uploadId;
  await env.uploads.lock(found.meta.uploadId, () => completeLocked(ctx, env, found, checksums, contentType));
}

async function completeLocked(ctx: RequestContext, env: Services, upload: Upload, checksums: string[], contentType: string) {
  const { meta } = upload;
  if (meta.state === 'aborted') return sendGenesysError(ctx, 404, 'not.found', 'The upload was aborted.');
  const count = segmentCount(meta);
  if (checksums.length !== count) {
    return badRequest(ctx, `The upload has ${count} segment(s); ${checksums.length} checksum(s) were given.`);
  }
  if (contentType !== meta.contentType) {
    return badRequest(ctx, `contentType differs from the type declared at initiation ("${meta.contentType}").`);
  }
  if (meta.state === 'completed') {
    const file = meta.fileId === undefined ? undefined : env.files.get(meta.fileId);
    if (!file) return sendGenesysError(ctx, 500, 'internal.server.error', 'The completed file record is missing.');
    const details = mismatches(checksums, (i) => file.checksums[i]);
    if (details.length > 0) {
      return sendGenesysError(ctx, 400, 'checksum.mismatch', 'The upload is already completed with different checksums.', {
        details,
      });
    }
    return sendJson(ctx, 200, fileAnswer(file));
  }
  const missing: Array<{ index: number }> = [];
  for (let index = 0; index < count; index++) if (!upload.segments.has(index)) missing.push({ index });
  if (missing.length > 0) {
    return sendGenesysError(ctx, 409, 'upload.incomplete', `${missing.length} segment(s) have not been stored yet.`, {
      details: missing,
    });
  }
  const stored = (index: number) => {
    const segment = upload.segments.get(index);
    return segment && `sha256:${segment.sha256}`;
  };
  const details = mismatches(checksums, stored);
  if (details.length > 0) {
    return sendGenesysError(
      ctx,
      400,
      'checksum.mismatch',
      `${details.length} segment checksum(s) differ from the stored segments; re-send those segments and complete again.`,
      { details },
    );
  }
  const segments = [...upload.segments.values()].sort((a, b) => a.index - b.index);
  // The client going away does not stop a complete in progress; only closing the emulator does.
  const sha256 = await env.wholeHashes.digest(upload, segments);
  const file: FileRecord = {
    id: newId(),
    name: meta.fileName,
    contentType: meta.contentType,
    size: meta.totalSize,
    sha256,
    checksums: segments.map((s) => `sha256:${s.sha256}`),
    createdAt: new Date(env.clock.now()).toISOString(),
    uploadId: meta.uploadId,
    chunkSize: meta.chunkSize,
  };
  await env.files.add(file);
  await env.uploads.markCompleted(upload, file.id);
  sendJson(ctx, 200, fileAnswer(file));
}
