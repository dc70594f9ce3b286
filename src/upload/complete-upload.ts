/**
 * Completes the upload with the ordered checksums (PROTOCOL.md §5). When the server lists
 * segments that are missing (409 upload.incomplete) or differ (400 checksum.mismatch), exactly
 * those are read again, checked against the first read (the file must not have changed), re-sent,
 * and complete is called again — a bounded number of rounds. A lost response to complete is
 * retried by the API transport: complete is idempotent. The file is checked for changes before
 * every complete call.
 */
import { IntegrityError, RejectedError } from '../errors/index.js';
import type { CompleteResponse } from '../genesys/schemas.js';
import type { CallOptions } from '../genesys/api-transport.js';
import type { GenesysClient } from '../relay/genesys-client.js';
import type { UploadEvent } from './events.js';

/** Complete calls that may ask for re-sends before we give up. */
export const MAX_COMPLETE_ROUNDS = 3;

export interface CompleteContext {
  client: GenesysClient;
  uploadId: string;
  contentType: string;
  checksums: string[];
  callOptions: CallOptions;
  emit: (event: UploadEvent) => void;
  /** Throws if the source file changed. */
  assertUnchanged: () => Promise<void>;
  /** Re-reads and re-sends the given segments. */
  resend: (indexes: number[]) => Promise<void>;
}

function listedIndexes(error: RejectedError, chunks: number): number[] {
  const details = Array.isArray(error.details) ? (error.details as Array<{ index: number }>) : [];
  const indexes = [...new Set(details.map((d) => d.index))].sort((a, b) => a - b);
  if (indexes.length === 0 || indexes.some((i) => i >= chunks)) {
    throw new RejectedError(
      error.code,
      `${error.message} The server did not say which segments (or named segments that do not exist), so they cannot be re-sent.`,
      { status: error.status, remoteCode: error.remoteCode, contextId: error.contextId, details: error.details },
    );
  }
  return indexes;
}

export async function completeUpload(ctx: CompleteContext): Promise<CompleteResponse> {
  for (let round = 1; ; round++) {
    await ctx.assertUnchanged();
    ctx.emit({ type: 'completing', round });
    try {
      return await ctx.client.complete(ctx.uploadId, { checksums: ctx.checksums, contentType: ctx.contentType }, ctx.callOptions);
    } catch (error) {
      const listing =
        error instanceof RejectedError && (error.code === 'upload.checksum_mismatch' || error.code === 'upload.incomplete');
      if (!listing) throw error;
      const indexes = listedIndexes(error, ctx.checksums.length);
      if (round > MAX_COMPLETE_ROUNDS) {
        throw new IntegrityError(
          'integrity.segments_not_stored',
          `After ${MAX_COMPLETE_ROUNDS} re-sends the storage still ${error.code === 'upload.incomplete' ? 'misses' : 'holds different bytes for'} ` +
            `segment(s) ${indexes.slice(0, 20).join(', ')}${indexes.length > 20 ? ', …' : ''}; nothing was completed.`,
          { status: error.status, remoteCode: error.remoteCode, contextId: error.contextId, details: error.details, cause: error },
        );
      }
      await ctx.resend(indexes);
    }
  }
}
