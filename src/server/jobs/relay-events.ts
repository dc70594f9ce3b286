/**
 * What each engine event of a relay does to the service: updates the job record (progress,
 * uploadId, fileId, messageId), the metrics, and gives one log line. The message id is recorded
 * at once: a crash after that point must not send the message again.
 */
import type { Logger } from 'pino';
import type { UploadEvent } from '../../upload/events.js';
import type { ServiceMetrics } from '../metrics.js';
import type { StateWrites } from './state-writes.js';

export interface RelayEventSinks {
  writes: StateWrites;
  metrics: ServiceMetrics;
  logger: Logger;
}

export function recordRelayEvent(sinks: RelayEventSinks, id: string, event: UploadEvent): void {
  const { writes, logger, metrics } = sinks;
  switch (event.type) {
    case 'initiated':
      writes.persist(id, { uploadId: event.uploadId, relayBytes: 0 });
      logger.info({ job: id, step: 'initiated', uploadId: event.uploadId, chunks: event.chunks, chunkSize: event.chunkSize }, 'upload initiated');
      return;
    case 'segment-stored':
      writes.tryUpdate(id, { relayBytes: event.bytesStored });
      if (event.skipped !== true) {
        metrics.segments.inc();
        metrics.relayBytes.inc(event.size);
      }
      logger.info(
        { job: id, step: event.skipped === true ? 'segment-already-stored' : 'segment-stored', chunk: event.index, size: event.size, checksum: event.checksum },
        event.skipped === true ? 'segment already stored (resume)' : 'segment stored',
      );
      return;
    case 'resumed':
      writes.persist(id, { uploadId: event.uploadId, relayBytes: event.bytesOnServer });
      logger.info(
        { job: id, step: 'resumed', phase: event.phase, uploadId: event.uploadId, segmentsOnServer: event.segmentsOnServer, bytesOnServer: event.bytesOnServer },
        'continuing an interrupted relay',
      );
      return;
    case 'starting-over':
      logger.warn({ job: id, step: 'starting-over', uploadId: event.uploadId, reason: event.reason }, 'the interrupted upload cannot be continued; starting a new one');
      return;
    case 'retry':
      metrics.retries.inc({ route: event.route, status: String(event.status ?? event.code ?? 'network') });
      logger.warn(
        { job: id, step: 'retry', route: event.route, attempt: event.attempt, delayMs: event.delayMs, status: event.status, code: event.code, chunk: event.segmentIndex, reason: event.reason },
        'retrying',
      );
      return;
    case 'completed':
      writes.persist(id, { fileId: event.fileId, sha256: event.sha256 });
      logger.info({ job: id, step: 'completed', fileId: event.fileId, sha256: event.sha256 }, 'upload completed');
      return;
    case 'delivered':
      // Recorded at once: a crash after this point must not send the message again.
      writes.persist(id, { messageId: event.messageId });
      logger.info({ job: id, step: 'message-sent', messageId: event.messageId, guestId: event.guestId }, 'message sent');
      return;
    default:
      logger.debug({ job: id, step: event.type, ...event }, event.type);
  }
}
