/**
 * tus-js-client has no checksum support, but it lets a caller supply the HTTP stack. This one
 * wraps the default Node stack and, for each request that carries a chunk (PATCH, or POST with
 * uploadDataDuringCreation), adds `Upload-Checksum: <algorithm> <base64 digest>` of exactly the
 * bytes being sent. With a Buffer source every chunk is a Uint8Array, so the digest is computed
 * from the same bytes that go on the wire. (A browser would do the same with crypto.subtle over
 * the Blob slice.)
 */
import { createHash } from 'node:crypto';
import { DefaultHttpStack, type HttpRequest, type HttpStack } from 'tus-js-client';

export class ChecksumHttpStack implements HttpStack {
  readonly #inner: HttpStack;
  readonly #algorithm: 'sha1' | 'sha256';
  /** Chunks sent with a checksum (for the test to check that it really happened). */
  checksummed = 0;

  constructor(algorithm: 'sha1' | 'sha256' = 'sha256', inner: HttpStack = new DefaultHttpStack({})) {
    this.#algorithm = algorithm;
    this.#inner = inner;
  }

  createRequest(method: string, url: string): HttpRequest {
    const request = this.#inner.createRequest(method, url);
    const send = request.send.bind(request);
    request.send = (body: unknown) => {
      if (body instanceof Uint8Array && body.length > 0) {
        request.setHeader('Upload-Checksum', `${this.#algorithm} ${createHash(this.#algorithm).update(body).digest('base64')}`);
        this.checksummed += 1;
      }
      return send(body);
    };
    return request;
  }

  getName(): string {
    return `ChecksumHttpStack(${this.#inner.getName()})`;
  }
}
