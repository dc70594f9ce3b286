/**
 * The guest socket's keep-alive, as Genesys' clients run it: a WebSocket ping every interval (15 s
 * by default); no pong since the previous ping means the connection is dead even if TCP has not
 * noticed, so it is terminated ('close' then does the rest). Time comes from the injected clock.
 */
import type WebSocket from 'ws';
import type { Clock } from '../../http/clock.js';

/** Starts pinging `ws`; stops when the returned controller aborts or `isCurrent` turns false. */
export function startKeepAlive(ws: WebSocket, clock: Clock, intervalMs: number, isCurrent: () => boolean): AbortController {
  const controller = new AbortController();
  let ponged = true;
  ws.on('pong', () => {
    ponged = true;
  });
  const loop = async (): Promise<void> => {
    for (;;) {
      await clock.sleep(intervalMs, controller.signal);
      if (!isCurrent()) return;
      if (!ponged) {
        ws.terminate();
        return;
      }
      ponged = false;
      try {
        ws.ping();
      } catch {
        return; // the socket is closing: 'close' does the rest
      }
    }
  };
  loop().catch(() => undefined);
  return controller;
}
