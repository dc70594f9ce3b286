/**
 * The fastify side of the tus intake at /files/: protocol checks @tus/server gets wrong
 * (preflight.ts), the checksum extension (checksum-spool.ts), then @tus/server through its web
 * API (tus-web.ts translates), whose answer is sent through fastify so that the service's CORS, logging and error hooks
 * apply to it like to every other route. Request bodies are left unread for @tus/server.
 *
 * Before @tus/server sees a request: an upload that belongs to another API key is "not found";
 * a creation passes the metadata checks, the creation rate and the intake caps (intake-limits.ts)
 * before any byte of its body is read; a checksummed chunk is spooled while it holds its upload's
 * lock (one chunk per upload at a time): a PATCH's chunk is appended in place and cut back unless
 * verified (checksum-append.ts), a creation's chunk is spooled to a temporary file first.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Metadata } from '@tus/utils';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { mayAccess, principalOf } from '../http/auth.js';
import type { Job } from '../jobs/job.js';
import type { ServiceMetrics } from '../metrics.js';
import type { RelayStreams } from '../relay-stream/relay-streams.js';
import { appendAndVerify, type AppendOutcome } from './checksum-append.js';
import { spoolAndVerify, type SpoolOutcome } from './checksum-spool.js';
import type { IntakeLimiter } from './intake-limits.js';
import { admitIntake, checkMetadataHeader, IntakeRefusal, type AdmittedIntake, type IntakeLimits } from './metadata.js';
import { CHECKSUM_ALGORITHMS, isRefusal, parseUploadChecksum, preflight, TUS_VERSION } from './preflight.js';
import { JOB_ID, TUS_PATH, type IntakeRequestContext, type TusIntake } from './tus-intake.js';
import { CHECKSUM_MISMATCH, header, refusalOf, refuse, webRequest } from './tus-web.js';
import { Superseded, UploadLocks } from './upload-locks.js';

export interface TusRouteDeps {
  intake: TusIntake;
  metrics: ServiceMetrics;
  logger: Logger;
  maxSize: number;
  limits: IntakeLimits;
  maxMetadataBytes: number;
  limiter: IntakeLimiter;
  store: { get(id: string): Job | undefined };
  /** Relay while receiving (relay-stream/relay-streams.ts), when the service runs it. */
  streams?: Pick<RelayStreams, 'start' | 'partSizeOf' | 'progressOf' | 'chunkVerified'> | undefined;
}

const METHODS = ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function registerTusRoutes(app: FastifyInstance, deps: TusRouteDeps): void {
  const { intake, metrics, logger } = deps;
  const locks = new UploadLocks();

  /** Everything a creation must pass before its body is read. Throws an IntakeRefusal. */
  const admitCreation = async (request: FastifyRequest, owner: string | undefined): Promise<AdmittedIntake> => {
    const rawMetadata = header(request, 'upload-metadata');
    checkMetadataHeader(rawMetadata, deps.maxMetadataBytes);
    let metadata: Record<string, string | null> | undefined;
    try {
      metadata = rawMetadata === undefined ? undefined : Metadata.parse(rawMetadata);
    } catch {
      throw new IntakeRefusal(400, 'Upload-Metadata is not valid: comma-separated "key base64value" pairs.');
    }
    const size = Number(header(request, 'upload-length'));
    const admitted = admitIntake(metadata, size, deps.limits);
    const length = header(request, 'content-length');
    if (length !== undefined && Number(length) > size) {
      throw new IntakeRefusal(413, `The request body (${length} bytes) is longer than Upload-Length (${size}).`);
    }
    deps.limiter.take(owner ?? `address:${request.ip}`);
    await deps.limiter.admit(size);
    return admitted;
  };

  /** The upload id of a tus response: the request's, or the new one in Location. */
  const idOf = (request: FastifyRequest, response: Response): string | undefined => {
    const fromParams = (request.params as { id?: string }).id;
    if (fromParams !== undefined) return fromParams;
    const location = response.headers.get('location');
    return location?.slice(location.lastIndexOf('/') + 1);
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const method = request.method;
    const id = (request.params as { id?: string }).id;
    if (id !== undefined && !JOB_ID.test(id)) return refuse(reply, { status: 404, body: 'No such upload.\n' });
    if (id === undefined && method !== 'POST' && method !== 'OPTIONS') {
      return refuse(reply, { status: 405, body: 'Use POST to create an upload.\n', headers: { allow: 'POST, OPTIONS' } });
    }
    if (id !== undefined && method === 'POST') return refuse(reply, { status: 405, body: 'Use PATCH to append to an upload.\n', headers: { allow: 'HEAD, PATCH, DELETE, OPTIONS' } });
    const refusal = preflight(method, request.headers, deps.maxSize);
    if (refusal !== undefined) return refuse(reply, refusal);
    const principal = principalOf(request);
    if (id !== undefined && method !== 'OPTIONS') {
      // Another key's upload is indistinguishable from a missing one.
      const owned = deps.store.get(id);
      if (owned !== undefined && !mayAccess(principal, owned)) return refuse(reply, { status: 404, body: 'No such upload.\n' });
    }
    const context: IntakeRequestContext = { owner: principal.owner };
    if (method === 'POST') {
      try {
        context.admitted = await admitCreation(request, principal.owner);
      } catch (error) {
        if (error instanceof IntakeRefusal) return refuse(reply, refusalOf(error));
        throw error;
      }
    }
    // HEAD too (waiting, not taking over): a client that resumes must learn the offset after an
    // append in progress.
    const locked = id !== undefined && ((header(request, 'upload-checksum') !== undefined && method === 'PATCH') || method === 'HEAD');
    const work = (supersede?: AbortSignal) => handleAdmitted(request, reply, id, context, supersede);
    try {
      return await (locked ? locks.run(id, method === 'PATCH', work) : work());
    } finally {
      if (context.createdId !== undefined && reply.statusCode >= 300) await discardCreated(context, reply.statusCode);
    }
  };

  /** The creation failed after its job was recorded (its body broke off, was too long, the disk failed): no orphan stays behind. */
  const discardCreated = async (context: IntakeRequestContext, status: number): Promise<void> => {
    const id = context.createdId!;
    context.createdId = undefined;
    logger.info({ job: id, step: 'intake-create-failed', status }, 'creation failed; its job is removed');
    await intake.discard(id);
  };

  const handleAdmitted = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string | undefined,
    context: IntakeRequestContext,
    supersede?: AbortSignal,
  ): Promise<FastifyReply> => {
    const method = request.method;
    if (method === 'HEAD' && id !== undefined) {
      const job = deps.store.get(id);
      // A complete intake stays complete, also once its spool file is gone after delivery: a
      // client that lost the last PATCH's answer must learn that, not start a second upload.
      if (job !== undefined && job.receivedAt !== undefined) {
        return reply
          .code(200)
          .headers({ 'tus-resumable': TUS_VERSION, 'upload-offset': String(job.size), 'upload-length': String(job.size), 'cache-control': 'no-store' })
          .send();
      }
    }

    const hasBody = method === 'PATCH' || (method === 'POST' && header(request, 'content-type') !== undefined);
    let body: Readable | undefined = hasBody ? request.raw : undefined;
    const overrides: Record<string, string> = {};
    let verifiedPath: string | undefined;
    const checksum = header(request, 'upload-checksum');
    try {
      if (checksum !== undefined && hasBody) {
        const expected = parseUploadChecksum(checksum);
        if (isRefusal(expected)) return refuse(reply, expected);
        const limit = await checksumLimit(request, id);
        if (limit !== undefined) {
          const declared = Number(header(request, 'content-length') ?? '0');
          if (declared > limit) return refuse(reply, { status: 413, body: `The chunk is longer than the ${limit} bytes the upload still needs.\n` });
          let outcome: AppendOutcome | SpoolOutcome;
          const offset = Number(header(request, 'upload-offset'));
          // The upload's whole-file hash, fed this chunk too when it is next in order (one pass for the relay).
          const whole = method === 'PATCH' && id !== undefined ? deps.streams?.progressOf(id)?.wholeHashAt(offset) : undefined;
          try {
            // A PATCH is appended in place (written once); a creation's chunk has no spool file yet.
            outcome =
              method === 'PATCH' && id !== undefined
                ? await intake.appendingInPlace(id, () =>
                    appendAndVerify(request.raw, expected, { id, path: intake.pathOf(id), offset, limit, markerDir: intake.partialDirectory, whole }, supersede),
                  )
                : await spoolAndVerify(request.raw, expected, intake.partialDirectory, limit, supersede);
          } catch (error) {
            if (!(supersede?.reason instanceof Superseded)) throw error;
            logger.info({ job: id, step: 'chunk-superseded', offset: header(request, 'upload-offset') }, 'a newer request for this upload took over; chunk dropped');
            return refuse(reply, { status: 409, body: 'A newer request for this upload took over; ask for the offset (HEAD) and continue from it.\n' });
          }
          if (id !== undefined && supersede !== undefined) locks.appending(id, supersede);
          if (outcome.kind === 'too-large') return refuse(reply, { status: 413, body: `The chunk is longer than the ${limit} bytes the upload still needs.\n` });
          if (outcome.kind === 'mismatch') {
            metrics.intakeChecksumMismatches.inc();
            logger.warn({ job: id, step: 'chunk-checksum-mismatch', offset: header(request, 'upload-offset'), size: outcome.size, algorithm: expected.algorithm }, 'chunk refused: checksum mismatch');
            return refuse(reply, { status: CHECKSUM_MISMATCH, body: 'Checksum Mismatch: the chunk was discarded; send it again.\n' });
          }
          if (outcome.kind === 'gone') {
            body = undefined; // terminated or expired meanwhile: @tus/server answers 404
          } else if (outcome.path !== undefined) {
            verifiedPath = outcome.path;
            body = createReadStream(outcome.path);
            overrides['content-length'] = String(outcome.size);
          } else {
            if (id !== undefined) deps.streams?.chunkVerified(id, offset, outcome.size, expected.algorithm, outcome.hex, whole);
            // Already in the spool file: @tus/server gets an empty PATCH at the new offset, which
            // answers like any chunk and fires the completion hook at the last one.
            body = undefined;
            overrides['content-length'] = '0';
            overrides['upload-offset'] = String(Number(header(request, 'upload-offset')) + outcome.size);
          }
          if (outcome.kind !== 'gone') logger.info({ job: id, step: 'chunk-verified', offset: header(request, 'upload-offset') ?? '0', size: outcome.size, algorithm: expected.algorithm, checksum: outcome.hex }, 'chunk checksum verified');
        } else {
          body = undefined; // unknown upload or offset conflict: @tus/server gives the answer, no body needed
        }
      }
      const response = await intake.handle(webRequest(request, body, overrides), context);
      if (!response.ok && context.createdId !== undefined) {
        // Before answering: a client that sees the refusal must not find the job afterwards.
        await discardCreated(context, response.status);
      }
      return await forward(request, reply, response);
    } catch (error) {
      // A client that goes away mid-chunk is normal for a resumable protocol: nothing to answer.
      if (request.raw.destroyed || request.raw.readableAborted) {
        logger.info({ job: id, step: 'chunk-interrupted', offset: header(request, 'upload-offset') }, 'client went away during a chunk');
        return reply.code(400).send();
      }
      if (error instanceof IntakeRefusal) return refuse(reply, refusalOf(error));
      throw error;
    } finally {
      if (verifiedPath !== undefined) await rm(verifiedPath, { force: true });
    }
  };

  /** Bytes the checksummed chunk may hold; undefined when @tus/server should answer (404, 409, …) instead. */
  const checksumLimit = async (request: FastifyRequest, id: string | undefined): Promise<number | undefined> => {
    if (request.method === 'POST') return Number(header(request, 'upload-length'));
    if (id === undefined) return undefined;
    const upload = await intake.datastore.getUpload(id).catch(() => undefined);
    if (upload === undefined || upload.size === undefined) return undefined;
    if (String(upload.offset) !== header(request, 'upload-offset')) return undefined;
    return upload.size - upload.offset;
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply, response: Response): Promise<FastifyReply> => {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      // CORS is the service's; the length is recomputed by fastify.
      if (!name.startsWith('access-control-') && name !== 'content-length') headers[name] = value;
    });
    if (request.method === 'OPTIONS') headers['tus-checksum-algorithm'] = CHECKSUM_ALGORITHMS.join(',');
    // The job store was unavailable (tus-intake.ts): the client may try again shortly.
    if (response.status === 503 && !response.headers.has('retry-after')) headers['retry-after'] = '5';
    const id = idOf(request, response);
    const offsetHeader = response.headers.get('upload-offset');
    if (id !== undefined && response.ok && offsetHeader !== null) {
      const offset = Number(offsetHeader);
      intake.recordOffset(id, offset);
      if (request.method === 'PATCH' || request.method === 'POST') {
        const from = request.method === 'PATCH' ? Number(header(request, 'upload-offset') ?? offset) : 0;
        if (offset > from) metrics.intakeBytes.inc(offset - from);
        logger.info({ job: id, step: 'chunk-received', from, offset }, 'intake chunk stored');
      }
    }
    if (request.method === 'POST' && response.status === 201 && id !== undefined) {
      // Relay while receiving: the client's chunks should be the destination's parts.
      let partSize: number | undefined;
      try {
        partSize = await deps.streams?.start(id);
      } catch (error) {
        if (!(error instanceof IntakeRefusal)) throw error;
        await intake.discard(id); // nothing can be delivered: no upload is left behind
        return refuse(reply, refusalOf(error));
      }
      if (partSize !== undefined) headers['genesys-upload-part-size'] = String(partSize);
    } else if (request.method === 'HEAD' && id !== undefined && response.ok) {
      // A client resuming (after a reload) learns it again.
      const partSize = deps.streams?.partSizeOf(id);
      if (partSize !== undefined) headers['genesys-upload-part-size'] = String(partSize);
    }
    const job = id === undefined ? undefined : deps.store.get(id);
    if (job?.state === 'receiving' && response.ok && request.method !== 'DELETE') {
      headers['upload-expires'] = new Date(intake.expiresAt(job)).toUTCString();
    }
    const text = await response.text();
    return reply.code(response.status).headers(headers).send(text === '' ? undefined : text);
  };

  app.register(async (scope) => {
    // Leave every request body unread: @tus/server (or the checksum spool) streams it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    for (const url of [TUS_PATH, `${TUS_PATH}/`, `${TUS_PATH}/:id`]) {
      scope.route({ method: [...METHODS], url, handler: handle });
    }
  });
}
