/**
 * The tutorial's Files API as a store (PROTOCOL.md §2-§5): `open` initiates an upload and plans
 * it from the server's chunkSize and maxChunks only; `resume` asks the status of a journalled
 * upload (the server is the truth: the segments it holds, a fresh URL), and answers undefined when
 * the server forgot it or aborted it, so that the caller starts over. A resumed upload keeps the
 * name, type and plan the server recorded.
 */
import { IntegrityError, RejectedError } from '../../errors/index.js';
import type { StoredSegment } from '../../genesys/schemas.js';
import type { GenesysClient } from '../../relay/genesys-client.js';
import { planSegments, segmentRange, type SegmentPlan } from '../../upload/plan.js';
import type { FileFacts, JsonValue, RemoteSession, StepContext, Store, StoredPart } from '../destination.js';
import { callOptionsOf } from './call-options.js';
import { FilesSession, abortRemoteUpload, sessionStateOf } from './session.js';

export const GENESYS_FILES = 'genesys-files';

/** Held segments by index; one of the wrong length cannot be ours and is left out (sent again). */
export function heldParts(plan: SegmentPlan, segments: readonly StoredSegment[]): Map<number, StoredPart> {
  const held = new Map<number, StoredPart>();
  for (const segment of segments) {
    if (segment.index < plan.chunks && segment.size === segmentRange(plan, segment.index).length) {
      held.set(segment.index, { index: segment.index, size: segment.size, checksum: segment.checksum });
    }
  }
  return held;
}

export class FilesStore implements Store {
  readonly name = GENESYS_FILES;
  readonly #client: GenesysClient;

  constructor(client: GenesysClient) {
    this.#client = client;
  }

  async open(file: FileFacts, step: StepContext): Promise<RemoteSession> {
    const initiated = await this.#client.initiate({ fileName: file.fileName, contentType: file.contentType, totalSize: file.size }, callOptionsOf(step));
    let plan: SegmentPlan;
    try {
      plan = planSegments(file.size, initiated.chunkSize, initiated.maxChunks);
    } catch (error) {
      // The org's limits cannot hold the file: the upload just opened will never be used.
      step.emit({ type: 'aborting', uploadId: initiated.uploadId });
      await abortRemoteUpload(this.#client, initiated.uploadId);
      throw error;
    }
    return new FilesSession(this.#client, {
      uploadId: initiated.uploadId,
      presignedUrl: initiated.presignedUrl,
      fileName: file.fileName,
      contentType: file.contentType,
      plan,
      held: new Map(),
      resumed: false,
    });
  }

  async resume(state: JsonValue, file: FileFacts, step: StepContext): Promise<RemoteSession | undefined> {
    const known = sessionStateOf(state);
    if (known === undefined) return undefined;
    let status;
    try {
      status = await this.#client.status(known.uploadId, callOptionsOf(step));
    } catch (error) {
      if (error instanceof RejectedError && error.status === 404) return undefined;
      throw error;
    }
    if (status.state === 'aborted') return undefined;
    if (status.totalSize !== file.size) {
      throw new IntegrityError(
        'integrity.file_changed',
        `The upload ${status.uploadId} is for ${status.totalSize} bytes but the file now has ${file.size}; it cannot be continued with this file.`,
      );
    }
    const plan = planSegments(status.totalSize, status.chunkSize, status.maxChunks);
    return new FilesSession(this.#client, {
      uploadId: status.uploadId,
      presignedUrl: status.presignedUrl,
      fileName: status.fileName,
      contentType: status.contentType,
      plan,
      held: heldParts(plan, status.segments),
      resumed: true,
    });
  }

  async discard(state: JsonValue): Promise<void> {
    const known = sessionStateOf(state);
    if (known !== undefined) await abortRemoteUpload(this.#client, known.uploadId);
  }
}
