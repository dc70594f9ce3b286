/**
 * A tus-js-client HTTP stack that adds `Upload-Checksum: sha256 <base64>` to every PATCH, so the
 * service can reject a chunk damaged on the way (460) and tus-js-client sends it again.
 *
 * Why a stack and not onBeforeRequest: tus-js-client 4.3.1 calls onBeforeRequest(req) without the
 * chunk, and only `req.send(body)` sees it. Wrapping the default stack's request lets us hash the
 * chunk (a Blob slice, at most one chunk in memory) right before it is sent. crypto.subtle only
 * exists in secure contexts (https, localhost, 127.0.0.1); elsewhere the page uploads without
 * checksums (see `checksumsSupported`).
 */

export function checksumsSupported() {
  return Boolean(globalThis.isSecureContext && globalThis.crypto?.subtle);
}

export class ChecksumHttpStack {
  /** @param {{createRequest(method: string, url: string): any, getName(): string}} inner */
  constructor(inner) {
    this.inner = inner;
  }

  createRequest(method, url) {
    const request = this.inner.createRequest(method, url);
    return method === 'PATCH' ? new ChecksummedRequest(request) : request;
  }

  getName() {
    return `Checksum(${this.inner.getName()})`;
  }
}

class ChecksummedRequest {
  constructor(inner) {
    this.inner = inner;
  }

  getMethod() {
    return this.inner.getMethod();
  }

  getURL() {
    return this.inner.getURL();
  }

  setHeader(name, value) {
    this.inner.setHeader(name, value);
  }

  getHeader(name) {
    return this.inner.getHeader(name);
  }

  setProgressHandler(handler) {
    this.inner.setProgressHandler(handler);
  }

  async send(body) {
    if (body instanceof Blob) {
      const digest = await crypto.subtle.digest('SHA-256', await body.arrayBuffer());
      this.inner.setHeader('Upload-Checksum', `sha256 ${toBase64(new Uint8Array(digest))}`);
    }
    return this.inner.send(body);
  }

  abort() {
    return this.inner.abort();
  }

  getUnderlyingObject() {
    return this.inner.getUnderlyingObject();
  }
}

function toBase64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
