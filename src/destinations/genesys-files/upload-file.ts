/**
 * `uploadFile(client, …)`: the library's upload to the tutorial's Files API, a thin wrapper of
 * the engine over this destination's store. Its result names the upload and the file by their ids.
 */
import { runUpload, type RunUploadOptions } from '../../upload/run-upload.js';
import type { UploadFileOptions } from '../../upload/options.js';
import type { GenesysClient } from '../../relay/genesys-client.js';
import { FilesStore } from './store.js';

export interface UploadFileResult {
  uploadId: string;
  fileId: string;
  /** The name the file was uploaded under (sanitised). */
  fileName: string;
  contentType: string;
  size: number;
  /** Whole-file SHA-256, lowercase hex, computed by us and confirmed by the server. */
  sha256: string;
  chunks: number;
  chunkSize: number;
  /** Retries of any kind (storage, API, token, damaged-segment re-sends). */
  retries: number;
  /** Bytes put on the wire to the storage, re-sends included. */
  bytesSent: number;
  /** True when an existing remote upload was continued. */
  resumed: boolean;
  /** Bytes not sent because the server already held them with the same checksum. */
  bytesSkipped: number;
}

export async function uploadToFiles(client: GenesysClient, options: Omit<RunUploadOptions, 'basePolicy'>): Promise<UploadFileResult> {
  const result = await runUpload(new FilesStore(client), client, { ...options, basePolicy: client.retryPolicy });
  const { stored } = result;
  return {
    uploadId: result.sessionId,
    fileId: typeof stored.ref === 'string' ? stored.ref : '',
    fileName: stored.fileName,
    contentType: stored.contentType,
    size: stored.size,
    sha256: stored.sha256,
    chunks: result.chunks,
    chunkSize: result.chunkSize,
    retries: result.retries,
    bytesSent: result.bytesSent,
    resumed: result.resumed,
    bytesSkipped: result.bytesSkipped,
  };
}

export function uploadFile(client: GenesysClient, options: UploadFileOptions): Promise<UploadFileResult> {
  return uploadToFiles(client, options);
}
