/**
 * GET /api/jobs/:id/events — Server-Sent Events. The first event is the job as it is now; then
 * one `job` event per change; when the job reaches delivered or failed, a last `end` event with
 * the same data, and the stream closes. A comment line every `heartbeatMs` keeps proxies from
 * closing an idle stream. A client that goes away is unsubscribed at once.
 *
 *   event: job
 *   id: 3
 *   data: {"id":"…","state":"relaying","intake":{…},"relay":{"bytes":5242880,"total":…},…}
 *
 *   : heartbeat
 *
 *   event: end
 *   id: 9
 *   data: {"id":"…","state":"delivered",…,"messageId":"…"}
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTerminal, jobView, type Job } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';

export interface EventStreams {
  /** Ends every open stream (the service is closing). */
  closeAll(): void;
  handle(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): FastifyReply;
}

export function createEventStreams(store: JobStore, heartbeatMs: number): EventStreams {
  const open = new Set<() => void>();
  return {
    closeAll() {
      for (const close of [...open]) close();
    },
    handle(request, reply) {
      const job = store.get(request.params.id);
      if (job === undefined) return reply.code(404).send({ error: 'not_found', message: `No job ${request.params.id}.` });
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>), // CORS, set by the onRequest hook
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx: do not buffer the stream
      });
      let sequence = 0;
      let closed = false;
      const send = (event: 'job' | 'end', current: Job): void => {
        sequence += 1;
        res.write(`event: ${event}\nid: ${sequence}\ndata: ${JSON.stringify(jobView(current))}\n\n`);
      };
      const close = (): void => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        open.delete(close);
        res.end();
      };
      const deliver = (current: Job): void => {
        if (closed) return;
        send('job', current);
        if (isTerminal(current.state)) {
          send('end', current);
          close();
        }
      };
      const unsubscribe = store.watch(job.id, deliver);
      const heartbeat = setInterval(() => {
        if (!closed) res.write(': heartbeat\n\n');
      }, heartbeatMs);
      heartbeat.unref();
      open.add(close);
      // The response's 'close' fires when the client disconnects (or after end()).
      res.on('close', close);
      res.on('error', close);
      res.write('retry: 2000\n\n');
      deliver(store.get(job.id) ?? job);
      return reply;
    },
  };
}
