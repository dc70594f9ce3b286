/**
 * The fastify instance: logging, timeouts suited to long uploads, CORS and authentication hooks,
 * and one error shape ({error, message}) for everything that is not a tus response.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAuth } from './auth.js';
import { registerCors } from './cors.js';

export interface AppOptions {
  logger: Logger;
  apiKeys: readonly string[];
  corsOrigins: readonly string[];
}

/** An idle connection (no byte either way) is dropped after this long. */
const IDLE_TIMEOUT_MS = 120_000;

export function createApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    // An upload may legitimately take hours: no whole-request deadline, only the idle timeout.
    requestTimeout: 0,
    connectionTimeout: IDLE_TIMEOUT_MS,
    bodyLimit: 1024 * 1024, // JSON bodies only; tus bodies are streamed (tus-routes.ts)
    // On close, a slow upload must not hold the shutdown: tus clients resume after a restart.
    forceCloseConnections: true,
    return503OnClosing: true,
    // Our own ids; fastify's would be a counter that restarts with the process.
    genReqId: () => randomBytes(6).toString('hex'),
  }) as unknown as FastifyInstance;
  registerCors(app, options.corsOrigins);
  registerAuth(app, options.apiKeys);
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` }));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // A client's mistake is described; our own failure is not (no internals in answers).
    const message = status < 500 ? error.message : 'Internal error; see the service log.';
    return reply.code(status).send({ error: status < 500 ? (error.code ?? 'bad_request') : 'internal', message });
  });
  return app;
}
