/**
 * Opens one WebSocket to the guest API and maps a failed upgrade to an error a user can act on: a
 * refused Origin is HTTP 403 (a configuration problem, never retried), a network failure or a 5xx
 * is transient. The URL holds only the deployment id, which is not a secret.
 */
import WebSocket from 'ws';
import { ConfigError, TransientError, type UploadError } from '../../errors/index.js';
import { networkErrorCode } from '../../http/network-errors.js';

export interface ConnectOptions {
  url: string;
  origin?: string | undefined;
  /** Time allowed for the upgrade; default 10 s. */
  handshakeTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export function connectSocket(options: ConnectOptions): Promise<WebSocket> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const shown = describeUrl(options.url);
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(options.url, {
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      ...(options.origin !== undefined && { origin: options.origin }),
    });
    let settled = false;
    const finish = (error: UploadError | unknown | undefined): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      ws.removeListener('open', onOpen);
      if (error === undefined) {
        resolve(ws);
        return;
      }
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(error);
    };
    const onAbort = (): void => finish(signal?.reason);
    const onOpen = (): void => finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.once('open', onOpen);
    ws.once('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      finish(upgradeError(status, shown, options.origin));
    });
    ws.once('error', (error) => {
      const code = networkErrorCode(error);
      finish(new TransientError('webmessaging.unreachable', `Could not connect to ${shown}: ${code ?? error.message}.`, { cause: error, ...(code !== undefined && { remoteCode: code }) }));
    });
  });
}

function upgradeError(status: number, shown: string, origin: string | undefined): UploadError {
  if (status === 403) {
    const which = origin === undefined ? 'no Origin header' : `the Origin ${origin}`;
    return new ConfigError('webmessaging.origin_refused', `${shown} refused the connection (HTTP 403): the deployment does not allow ${which}. Pass --origin with one of the deployment's allowed domains (Admin > Message > Messenger Deployments).`, { status });
  }
  if (status === 404 || status === 400) {
    return new ConfigError('webmessaging.deployment', `${shown} refused the connection (HTTP ${status}). Check the deployment id and the region (or the WebSocket URL).`, { status });
  }
  return new TransientError('webmessaging.unreachable', `${shown} refused the connection (HTTP ${status}).`, { status });
}

/** The URL without its query except the deployment id (nothing secret is in it, but keep it short). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '[unparseable URL]';
  }
}
