/**
 * The JSON API beside the tus intake:
 *
 *   GET  /api/config             {maxSize, allowedTypes, apiKeyRequired, destination, metadataKeys, tusEndpoint, checksumAlgorithms}
 *   GET  /api/jobs?limit=&state= {jobs: JobView[]}, newest first (limit 1..200, default 50)
 *   GET  /api/jobs/:id           JobView, 404 unknown
 *   GET  /api/jobs/:id/events    Server-Sent Events (job-events.ts)
 *   POST /api/jobs/:id/retry     202 JobView (queued again); 404 unknown; 409 unless failed with a complete intake.
 *                                ?redeliver=true: send the message even if an earlier attempt's may have arrived
 *   GET  /healthz                {status: "ok"} while the process serves
 *   GET  /readyz                 200 / 503 {ready, checks, reasons}
 *   GET  /metrics                Prometheus text
 *
 * Errors are {error: code, message}. With API keys, each key sees only the jobs it created (another
 * key's job is 404, the list leaves it out); admin keys see all (auth.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { mayAccess, principalOf, scopeOf } from '../http/auth.js';
import { JOB_STATES, jobView, type JobState } from '../jobs/job.js';
import { keysOf, type ServiceDestination } from '../intake/destination-metadata.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { JobStore } from '../jobs/job-store.js';
import type { ServiceMetrics } from '../metrics.js';
import { CHECKSUM_ALGORITHMS } from '../intake/preflight.js';
import { TUS_PATH } from '../intake/tus-intake.js';
import type { EventStreams } from './job-events.js';
import type { Readiness } from './readiness.js';

export interface ApiDeps {
  store: JobStore;
  runner: JobRunner;
  events: EventStreams;
  readiness: Readiness;
  metrics: ServiceMetrics;
  config: { maxSize: number; allowedTypes: readonly string[]; apiKeyRequired: boolean; destination: ServiceDestination };
}

const LIST_DEFAULT = 50;
const LIST_MAX = 200;

export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, runner } = deps;
  const notFound = (id: string) => ({ error: 'not_found', message: `No job ${id}.` });
  /** Job `id` when the caller may see it. */
  const visible = (request: FastifyRequest, id: string) => {
    const job = store.get(id);
    return job !== undefined && mayAccess(principalOf(request), job) ? job : undefined;
  };

  app.get('/api/config', async () => ({
    maxSize: deps.config.maxSize,
    allowedTypes: [...deps.config.allowedTypes],
    apiKeyRequired: deps.config.apiKeyRequired,
    destination: deps.config.destination,
    metadataKeys: keysOf(deps.config.destination),
    tusEndpoint: `${TUS_PATH}/`,
    checksumAlgorithms: [...CHECKSUM_ALGORITHMS],
  }));

  app.get<{ Querystring: { limit?: string; state?: string } }>('/api/jobs', async (request, reply) => {
    const { limit: rawLimit, state } = request.query;
    const limit = rawLimit === undefined ? LIST_DEFAULT : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX) {
      return reply.code(400).send({ error: 'bad_request', message: `limit must be a whole number from 1 to ${LIST_MAX}.` });
    }
    if (state !== undefined && !(JOB_STATES as readonly string[]).includes(state)) {
      return reply.code(400).send({ error: 'bad_request', message: `state must be one of ${JOB_STATES.join(', ')}.` });
    }
    return { jobs: store.list({ limit, state: state as JobState | undefined, scope: scopeOf(principalOf(request)) }).map(jobView) };
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id', async (request, reply) => {
    const job = visible(request, request.params.id);
    return job === undefined ? reply.code(404).send(notFound(request.params.id)) : jobView(job);
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id/events', (request, reply) =>
    visible(request, request.params.id) === undefined ? reply.code(404).send(notFound(request.params.id)) : deps.events.handle(request, reply),
  );

  app.post<{ Params: { id: string }; Querystring: { redeliver?: string } }>('/api/jobs/:id/retry', async (request, reply) => {
    if (visible(request, request.params.id) === undefined) return reply.code(404).send(notFound(request.params.id));
    const result = await runner.retry(request.params.id, { redeliver: request.query.redeliver === 'true' });
    if (result.ok) return reply.code(202).send(jobView(result.job));
    return reply
      .code(result.reason === 'not-found' ? 404 : 409)
      .send({ error: result.reason === 'not-found' ? 'not_found' : 'conflict', message: result.message });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await deps.readiness.check();
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.header('content-type', deps.metrics.registry.contentType).send(text);
  });
}
