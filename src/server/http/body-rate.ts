/**
 * A minimum body rate for requests that carry a body (tus PATCH and POST): a client that trickles
 * (one byte every 100 s keeps an idle timeout from ever firing) holds a socket, a spool slot and
 * the upload's lock for as long as it likes. Every `windowMs` the bytes the socket delivered are
 * compared with `minBytesPerSecond`; a request below it is cut off (its socket destroyed: tus
 * clients resume from the stored offset). A window in which the service itself was not reading
 * (the body paused for backpressure, or waiting for the upload's lock) does not count against the
 * client. Reading the socket's byte counter leaves the body stream untouched.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export interface BodyRateOptions {
  minBytesPerSecond: number;
  windowMs: number;
}

const BODY_METHODS = new Set(['POST', 'PATCH', 'PUT']);

export function watchBodyRate(request: FastifyRequest, options: BodyRateOptions, logger: Logger): () => void {
  const raw = request.raw;
  const socket = raw.socket;
  let lastBytes = socket.bytesRead;
  const minBytes = (options.minBytesPerSecond * options.windowMs) / 1000;
  const timer = setInterval(() => {
    if (raw.complete || socket.destroyed) return stop();
    const bytes = socket.bytesRead;
    const received = bytes - lastBytes;
    lastBytes = bytes;
    const waitingOnUs = raw.readableFlowing !== true || raw.readableLength > 0 || socket.isPaused();
    if (waitingOnUs || received >= minBytes) return;
    logger.warn(
      { reqId: request.id, step: 'slow-body', received, windowMs: options.windowMs, minBytesPerSecond: options.minBytesPerSecond },
      'request body slower than the minimum rate: connection closed',
    );
    stop();
    socket.destroy();
  }, options.windowMs);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
  }
  raw.once('close', stop);
  return stop;
}

export function registerBodyRate(app: FastifyInstance, options: BodyRateOptions, logger: Logger): void {
  if (options.minBytesPerSecond <= 0) return;
  app.addHook('onRequest', async (request) => {
    if (BODY_METHODS.has(request.method)) watchBodyRate(request, options, logger);
  });
}
