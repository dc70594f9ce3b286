/**
 * Prometheus metrics of one service instance (prom-client, its own registry so that several
 * services in one process — tests — do not collide). Served at GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  readonly registry: Registry;
  intakeBytes: Counter;
  intakeChecksumMismatches: Counter;
  unalignedChunks: Counter;
  relayBytes: Counter;
  segments: Counter;
  retries: Counter<'route' | 'status'>;
  jobs: Counter<'outcome'>;
  jobDuration: Histogram<'outcome'>;
  queueDepth: Gauge;
  running: Gauge;
}

export function createMetrics(sample: { queued(): number; running(): number }): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    intakeBytes: new Counter({ name: 'genesys_upload_intake_bytes_total', help: 'Bytes accepted from clients into the spool (tus PATCH/POST bodies).', registers }),
    intakeChecksumMismatches: new Counter({
      name: 'genesys_upload_intake_checksum_mismatches_total',
      help: 'tus chunks refused with 460 because their Upload-Checksum did not match.',
      registers,
    }),
    unalignedChunks: new Counter({
      name: 'genesys_upload_unaligned_chunks_total',
      help: 'Checksummed tus chunks that did not cover exactly one part of a destination relayed while receiving (that part is hashed again).',
      registers,
    }),
    relayBytes: new Counter({ name: 'genesys_upload_relay_bytes_total', help: 'Bytes stored in Genesys Cloud (distinct segment bytes).', registers }),
    segments: new Counter({ name: 'genesys_upload_segments_total', help: 'Segments stored in Genesys Cloud.', registers }),
    retries: new Counter({
      name: 'genesys_upload_retries_total',
      help: 'Retries of Genesys Cloud calls, by route (storage, api, token) and HTTP status (or network error code).',
      labelNames: ['route', 'status'] as const,
      registers,
    }),
    jobs: new Counter({ name: 'genesys_upload_jobs_total', help: 'Relay jobs finished, by outcome (delivered, failed).', labelNames: ['outcome'] as const, registers }),
    jobDuration: new Histogram({
      name: 'genesys_upload_job_duration_seconds',
      help: 'Duration of relay attempts (upload to Genesys and delivery), by outcome.',
      labelNames: ['outcome'] as const,
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'genesys_upload_queue_depth',
      help: 'Jobs whose intake is complete, waiting for a relay slot.',
      registers,
      collect() {
        this.set(sample.queued());
      },
    }),
    running: new Gauge({
      name: 'genesys_upload_jobs_running',
      help: 'Relay jobs running now.',
      registers,
      collect() {
        this.set(sample.running());
      },
    }),
  };
}
