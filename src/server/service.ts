/**
 * startService(): the proxy service. Browsers and apps hand it files over tus (resumable,
 * checksummed), it spools them, relays each with the same engine as `send`, and reports every
 * job's progress and result (JSON, Server-Sent Events, metrics). See src/server/index.ts.
 */
import type { FastifyInstance } from 'fastify';
import { startEmulator, type EmulatorHandle } from '../emulator/index.js';
import { registerApiRoutes } from './api/api-routes.js';
import { createEventStreams, type EventStreams } from './api/job-events.js';
import { Readiness } from './api/readiness.js';
import { createApp } from './http/app.js';
import { registerStatic } from './http/static.js';
import { isLoopbackHost } from './http/host-check.js';
import { IntakeLimiter } from './intake/intake-limits.js';
import { TusIntake } from './intake/tus-intake.js';
import { registerTusRoutes } from './intake/tus-routes.js';
import { acquireInstanceLock } from './instance-lock.js';
import { JobRunner } from './jobs/job-runner.js';
import { StateWrites } from './jobs/state-writes.js';
import { RelayStreams } from './relay-stream/relay-streams.js';
import { JobStore } from './jobs/job-store.js';
import { openRelayJournal, type RelayJournal } from './jobs/relay-journal.js';
import { sweepRetention } from './jobs/retention.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { resolveServiceOptions, type ServiceOptions } from './options.js';
import { setUpRelay } from './relay-setup.js';
import { ensurePrivateDir } from './private-fs.js';

export interface ServiceHandle {
  /** `http://HOST:PORT` of the service. */
  url: string;
  port: number;
  /** The embedded emulator, when started with `emulator`. */
  emulator: EmulatorHandle | undefined;
  spoolDir: string;
  stateDir: string;
  /** Fails and removes the unfinished intakes past their expiry now (a timer also does). Returns how many. */
  sweepExpiredIntakes(): Promise<number>;
  /** Removes finished jobs past their retention now (the sweep timer also does). Returns how many. */
  sweepRetention(): Promise<number>;
  /** Stops accepting, ends event streams, pauses running relays (they resume after a restart), closes everything. */
  close(): Promise<void>;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startService(input: ServiceOptions): Promise<ServiceHandle> {
  const options = resolveServiceOptions(input);
  const now = (): number => options.clock.now();
  const logger = createLogger(options.logLevel, options.logStream);
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'error while closing');
      }
    }
    cleanups.length = 0;
  };

  try {
    // Private (0700): job rows and spooled files are the users' data.
    await ensurePrivateDir(options.spoolDir);
    await ensurePrivateDir(options.stateDir);
    cleanups.push(acquireInstanceLock(options.stateDir));
    if (!isLoopbackHost(options.host) && options.apiKeys.length + options.adminKeys.length === 0) {
      // Only reachable with allowOpen (resolveServiceOptions refuses it otherwise).
      logger.warn({ host: options.host }, 'listening on a non-loopback address WITHOUT API keys (--allow-open): anyone who can reach it can send files');
    }

    let emulator: EmulatorHandle | undefined;
    if (options.emulator !== undefined) {
      emulator = await startEmulator(options.emulator);
      const running = emulator;
      cleanups.push(() => running.close());
      logger.info({ emulator: emulator.url }, 'embedded Genesys Cloud emulator started');
    }

    const store = new JobStore(options.stateDir, now, { busyTimeoutMs: options.storeBusyTimeoutMs });
    cleanups.push(() => store.close());
    const journal: RelayJournal | undefined = await openRelayJournal(options.stateDir, logger);
    if (journal !== undefined) cleanups.push(() => journal.close());
    // Called only once the intake exists (a guest token is kept at an upload's creation, and later).
    const spoolPath = (id: string): string => intake.pathOf(id);
    const relay = await setUpRelay(options, { emulator, journal, spoolPath, logger });
    cleanups.push(() => relay.close());
    const { guestTokens } = relay;
    // A file a destination cannot take as an attachment may still go as a link.
    const linkDelivery = relay.vias.delivery?.link !== undefined && options.delivery !== 'attachment';
    if (guestTokens !== undefined) cleanups.push(store.onChange((job) => guestTokens.onChange(job)));

    let runner: JobRunner | undefined;
    let streams: RelayStreams | undefined;
    const metrics = createMetrics({ queued: () => store.countInState('queued'), running: () => runner?.runningCount ?? 0 });
    const intake = new TusIntake({
      spoolDir: options.spoolDir,
      limits: { maxSize: options.maxSize, allowedTypes: options.allowedTypes, allowExecutables: options.allowExecutables, destination: options.via, linkDelivery },
      expiryMs: options.intakeExpiryMs,
      store,
      logger,
      now,
      onComplete: (id) => runner?.enqueue(id),
      onOffset: (id, offset) => streams?.advanced(id, offset),
      onGone: (id) => streams?.gone(id),
      onRecovered: async () => streams?.recover(),
      keepSecrets: guestTokens === undefined ? undefined : (id, token) => guestTokens.keep(id, token),
    });
    const writes = new StateWrites(store, logger);
    const jobRunner = new JobRunner({
      store,
      writes,
      vias: relay.vias,
      metrics,
      logger,
      maxJobs: options.maxJobs,
      concurrency: options.concurrency,
      now,
      spoolPath: (id) => intake.pathOf(id),
      removeSpool: (id) => intake.remove(id),
      spoolComplete: (id) => intake.spoolComplete(id),
      engineOptions: journal === undefined ? undefined : (job) => journal.engineOptions(job),
      // Relayed while receiving: the relay waits for that upload and then only delivers.
      beforeRelay: (job, signal) => streams?.uploaded(job, signal) ?? Promise.resolve(job),
      slotFree: (id) => streams?.has(id) === true,
    });
    // Closed last (cleanups run in reverse), when neither the runner nor a stream writes any more.
    cleanups.push(() => writes.close());
    // Stopped after the runner (cleanups run in reverse): a relay waiting for a stream goes back to the queue.
    const relayStreams = new RelayStreams({
      store,
      // Relayed while receiving: what can be stored before the destination is opened (the Files
      // API; the link store for a job that surely goes as a link). The rest relays after intake.
      vias: relay.vias,
      journal: (job) => journal?.engineOptions(job).journal,
      spoolDir: options.spoolDir,
      spoolPath: (id) => intake.pathOf(id),
      concurrency: options.concurrency,
      logger,
      metrics,
      writes,
    });
    // Off (--no-relay-while-receiving): no stream starts, and none left by a previous run is recovered.
    streams = options.relayWhileReceiving ? relayStreams : undefined;
    cleanups.push(() => relayStreams.close());
    runner = jobRunner;
    cleanups.push(() => jobRunner.close());

    const probeStore = (): void => {
      store.probeWrite();
      if (jobRunner.pendingWrites > 0) throw new Error(`${jobRunner.pendingWrites} job state change(s) are not recorded yet; retrying.`);
    };
    const readiness = new Readiness(relay.readinessConfig, probeStore, { failureCacheMs: options.readinessFailureCacheMs, now });
    cleanups.push(() => readiness.close());
    const events: EventStreams = createEventStreams(store, options.heartbeatMs);
    const app: FastifyInstance = createApp({
      logger,
      apiKeys: options.apiKeys,
      adminKeys: options.adminKeys,
      corsOrigins: options.corsOrigins,
      host: options.host,
      publicHosts: options.publicHosts,
      idleTimeoutMs: options.idleTimeoutMs,
      maxConnections: options.maxConnections,
      bodyRate: { minBytesPerSecond: options.minBodyRate, windowMs: options.bodyRateWindowMs },
    });
    app.addHook('preClose', async () => events.closeAll());
    const limiter = new IntakeLimiter({
      perMinute: options.createRatePerMinute,
      maxIntakes: options.maxIntakes,
      minFreeSpace: options.minFreeSpace,
      spoolDir: options.spoolDir,
      now,
      load: () => store.intakeLoad(),
    });
    registerTusRoutes(app, {
      intake,
      metrics,
      logger,
      maxSize: options.maxSize,
      limits: { maxSize: options.maxSize, allowedTypes: options.allowedTypes, allowExecutables: options.allowExecutables, destination: options.via, linkDelivery },
      maxMetadataBytes: options.maxMetadataBytes,
      limiter,
      store,
      streams,
    });
    registerApiRoutes(app, {
      store,
      runner: jobRunner,
      events,
      readiness,
      metrics,
      config: { maxSize: options.maxSize, allowedTypes: options.allowedTypes, apiKeyRequired: options.apiKeys.length + options.adminKeys.length > 0, destination: options.via },
    });
    registerStatic(app, { frameAncestors: options.frameAncestors });
    // Closed first (cleanups run in reverse): no new work arrives while the rest shuts down.
    cleanups.push(() => app.close());

    const retention = (): Promise<number> =>
      sweepRetention(store, { retentionMs: options.retentionMs, now, removeSpool: (id) => intake.remove(id), logger });
    await intake.recover();
    await intake.sweepExpired();
    await retention();
    await guestTokens?.sweep(store);
    jobRunner.start();
    let sweeping = false;
    const sweeper = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      // Each step on its own: a failing store (locked, full) must not stop the others, and
      // nothing thrown here may reach the process.
      const step = (name: string, run: () => Promise<unknown>) =>
        run().catch((error: unknown) => logger.error({ step: name, err: String(error) }, `${name} failed; next sweep retries`));
      void (async () => {
        await step('expiry sweep', () => intake.sweepExpired());
        await step('completion sweep', () => intake.completeReceived());
        await step('retention sweep', retention);
        if (guestTokens !== undefined) await step('guest token sweep', () => guestTokens.sweep(store));
      })().finally(() => (sweeping = false));
    }, options.sweepIntervalMs);
    sweeper.unref();
    cleanups.push(() => clearInterval(sweeper));

    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = formatUrl(options.host, port);
    logger.info({ url, via: options.via, target: relay.target, maxJobs: options.maxJobs, journal: journal !== undefined }, 'service listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      emulator,
      spoolDir: options.spoolDir,
      stateDir: options.stateDir,
      sweepExpiredIntakes: () => intake.sweepExpired(),
      sweepRetention: retention,
      close() {
        closing ??= cleanUp().then(() => logger.info('service stopped'));
        return closing;
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
