/**
 * The fastify instance: logging, timeouts suited to long uploads, the Host check, CORS and
 * authentication hooks, and one error shape ({error, message}) for everything that is not a tus
 * response.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerAuth } from './auth.js';
import { registerBodyRate, type BodyRateOptions } from './body-rate.js';
import { registerCors } from './cors.js';
import { registerHostCheck } from './host-check.js';

export interface AppOptions {
  logger: Logger;
  apiKeys: readonly string[];
  adminKeys: readonly string[];
  corsOrigins: readonly string[];
  /** The address the service binds (for the Host check) and the public names it answers to. */
  host: string;
  publicHosts: readonly string[];
  /** A connection with no byte either way is dropped after this long. */
  idleTimeoutMs: number;
  /** Open connections at most; more are closed at once (server.maxConnections). */
  maxConnections: number;
  bodyRate: BodyRateOptions;
}

export function createApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    // An upload may legitimately take hours: no whole-request deadline; the idle timeout and the
    // minimum body rate (body-rate.ts) end the connections that make no progress.
    requestTimeout: 0,
    connectionTimeout: options.idleTimeoutMs,
    bodyLimit: 1024 * 1024, // JSON bodies only; tus bodies are streamed (tus-routes.ts)
    // On close, a slow upload must not hold the shutdown: tus clients resume after a restart.
    forceCloseConnections: true,
    return503OnClosing: true,
    // Our own ids; fastify's would be a counter that restarts with the process.
    genReqId: () => randomBytes(6).toString('hex'),
  }) as unknown as FastifyInstance;
  app.server.maxConnections = options.maxConnections;
  // First: a request for a foreign Host name gets nothing else, not even a CORS answer.
  registerHostCheck(app, options.host, options.publicHosts);
  registerCors(app, options.corsOrigins);
  registerAuth(app, { apiKeys: options.apiKeys, adminKeys: options.adminKeys });
  registerBodyRate(app, options.bodyRate, options.logger);
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` }));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // A client's mistake is described; our own failure is not (no internals in answers).
    const message = status < 500 ? error.message : status === 503 || status === 507 ? error.message : 'Internal error; see the service log.';
    if (status === 503) reply.header('retry-after', '5');
    return reply.code(status).send({ error: status < 500 ? (error.code ?? 'bad_request') : status === 500 ? 'internal' : (error.code ?? 'unavailable'), message });
  });
  return app;
}
