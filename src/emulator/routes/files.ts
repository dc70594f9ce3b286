/**
 * GET {api}/api/v2/files/{fileId} and …/{fileId}/content (PROTOCOL.md section 6). Content honours
 * one `Range: bytes=a-b | a- | -n`; unsatisfiable is 416 with `Content-Range: bytes *\/size`;
 * malformed or multiple ranges are ignored (200 with everything).
 */
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../http/context.js';
import { discardRest } from '../http/body.js';
import { parseRange } from '../http/ranges.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import type { FileRecord } from '../records.js';
import type { Services } from '../services.js';
import { fileContent } from '../store/file-content.js';

function findFile(ctx: RequestContext, env: Services, fileId: string): FileRecord | undefined {
  const file = env.files.get(fileId);
  if (!file) sendGenesysError(ctx, 404, 'not.found', 'No file with this id exists.');
  return file;
}

export async function fileRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const file = findFile(ctx, env, params.fileId ?? '');
  if (!file) return;
  const { id, name, contentType, size, sha256, checksums, createdAt } = file;
  sendJson(ctx, 200, { id, name, contentType, size, sha256, checksums, createdAt });
}

/** RFC 8187 filename* so any name survives the header. */
const disposition = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;

export async function contentRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const file = findFile(ctx, env, params.fileId ?? '');
  if (!file) return;
  const range = parseRange(ctx.req.headers.range, file.size);
  if (range.kind === 'unsatisfiable') {
    return sendGenesysError(ctx, 416, 'range.not.satisfiable', `The file has ${file.size} bytes.`, {
      headers: { 'Content-Range': `bytes */${file.size}` },
    });
  }
  const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, file.size - 1];
  const status = range.kind === 'range' ? 206 : 200;
  ctx.status = status;
  if (ctx.loseResponse) {
    ctx.req.socket.destroy();
    return;
  }
  ctx.res.writeHead(status, {
    ...ctx.headers,
    'Content-Type': file.contentType,
    'Content-Length': end - start + 1,
    'Accept-Ranges': 'bytes',
    ETag: `"${file.sha256}"`,
    'Content-Disposition': disposition(file.name),
    ...(status === 206 && { 'Content-Range': `bytes ${start}-${end}/${file.size}` }),
  });
  discardRest(ctx.req);
  try {
    await pipeline(fileContent(env.uploads, file, start, end, (n) => (ctx.bytesOut += n)), ctx.res, { signal: ctx.signal });
  } catch {
    ctx.res.destroy(); // the client went away or the emulator is closing: nothing more to say
  }
}
