/**
 * The remote side of an upload before any segment moves: a new one (initiate, PROTOCOL.md §2), or
 * an existing one continued from its fresh status (§4), whose stored segments and their checksums
 * the engine then compares with the file's. A resumed upload keeps the name, type and plan the
 * server recorded; only the pre-signed URL is new.
 */
import { IntegrityError, RejectedError } from '../errors/index.js';
import type { CallOptions } from '../genesys/api-transport.js';
import type { StoredSegment, UploadStatus } from '../genesys/schemas.js';
import type { GenesysClient } from '../relay/genesys-client.js';
import { segmentRange, type SegmentPlan } from './plan.js';

/** The remote upload as the server described it; the engine plans from it once it knows the id. */
export interface RemoteUpload {
  uploadId: string;
  presignedUrl: string;
  fileName: string;
  contentType: string;
  chunkSize: number;
  maxChunks: number;
  /** The segments the server already holds (none for a new upload). */
  segments: StoredSegment[];
  resumed: boolean;
}

export async function startUpload(
  client: GenesysClient,
  request: { fileName: string; contentType: string; size: number; resumeFrom: UploadStatus | undefined },
  callOptions: CallOptions,
): Promise<RemoteUpload> {
  const status = request.resumeFrom;
  if (status === undefined) {
    const initiated = await client.initiate({ fileName: request.fileName, contentType: request.contentType, totalSize: request.size }, callOptions);
    return {
      uploadId: initiated.uploadId,
      presignedUrl: initiated.presignedUrl,
      fileName: request.fileName,
      contentType: request.contentType,
      chunkSize: initiated.chunkSize,
      maxChunks: initiated.maxChunks,
      segments: [],
      resumed: false,
    };
  }
  if (status.state === 'aborted') {
    throw new RejectedError('upload.not_open', `The upload ${status.uploadId} was aborted on the server; it cannot be continued.`);
  }
  if (status.totalSize !== request.size) {
    throw new IntegrityError(
      'integrity.file_changed',
      `The upload ${status.uploadId} is for ${status.totalSize} bytes but the file now has ${request.size}; it cannot be continued with this file.`,
    );
  }
  return {
    uploadId: status.uploadId,
    presignedUrl: status.presignedUrl,
    fileName: status.fileName,
    contentType: status.contentType,
    chunkSize: status.chunkSize,
    maxChunks: status.maxChunks,
    segments: status.segments,
    resumed: true,
  };
}

/** Checksums of the held segments by index; one of the wrong length cannot be ours and is left out (sent again). */
export function heldChecksums(plan: SegmentPlan, segments: readonly StoredSegment[]): Map<number, string> {
  const held = new Map<number, string>();
  for (const segment of segments) {
    if (segment.index < plan.chunks && segment.size === segmentRange(plan, segment.index).length) held.set(segment.index, segment.checksum);
  }
  return held;
}
