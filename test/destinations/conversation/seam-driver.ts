/**
 * A minimal stand-in for the engine's handling of a single-part session (the conversation store):
 * PUT with exactly the part request's headers plus Content-Length, refresh once on 403, accept,
 * then complete with resend rounds. Shared by the seam tests.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'undici';
import type { RemoteSession, StepContext, StoredFile } from '../../../src/destinations/destination.js';

export async function store(session: RemoteSession, data: Buffer, step: StepContext): Promise<StoredFile> {
  const sha = createHash('sha256').update(data);
  const part = { index: 0, start: 0, length: data.length, checksum: `sha256:${sha.copy().digest('hex')}`, checksumBase64: sha.copy().digest('base64') };
  const whole = { sha256: sha.digest('hex'), size: data.length };
  for (let round = 0; round < 4; round++) {
    if (!session.held.has(0) || round > 0) {
      for (let tries = 0; ; tries++) {
        const req = await session.partRequest(part);
        assert.ok(!Object.keys(req.headers).some((h) => h.toLowerCase() === 'authorization'));
        const response = await request(req.url, { method: 'PUT', headers: { ...req.headers, 'content-length': String(data.length) }, body: data });
        await response.body.dump();
        if (response.statusCode === 403 && tries === 0) {
          await session.refresh(req.version, step);
          continue;
        }
        assert.equal(response.statusCode, 200);
        assert.notEqual(session.accept(part, undefined), 'damaged');
        break;
      }
    }
    const result = await session.complete([{ index: 0, size: data.length, checksum: part.checksum }], whole, step);
    if ('stored' in result) return result.stored;
    assert.deepEqual(result.resend, [0]);
  }
  throw new Error('too many rounds');
}

