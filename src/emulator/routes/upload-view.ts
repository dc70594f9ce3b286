/** The upload as the status endpoint and the state view show it. */
import type { RequestContext } from '../http/context.js';
import type { Services } from '../services.js';
import type { Upload } from '../store/uploads.js';

export function segmentsView(upload: Upload): Array<{ index: number; size: number; checksum: string }> {
  return [...upload.segments.values()]
    .sort((a, b) => a.index - b.index)
    .map((s) => ({ index: s.index, size: s.size, checksum: `sha256:${s.sha256}` }));
}

/** Signs a fresh URL for the upload; PROTOCOL.md section 4 asks for one on every status call. */
export function freshUrl(ctx: RequestContext, env: Services, uploadId: string): { presignedUrl: string; expiresAt: string } {
  const signed = env.signer.sign(env.origin(ctx), uploadId, env.clock.now(), env.settings().urlTtlSeconds);
  return { presignedUrl: signed.url, expiresAt: new Date(signed.expiresAt).toISOString() };
}
