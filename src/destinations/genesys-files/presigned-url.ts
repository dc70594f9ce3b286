/**
 * The upload's current pre-signed URL, shared by all workers. When the storage says the URL has
 * expired, the first worker to notice fetches a fresh one through the status endpoint
 * (PROTOCOL.md §4) and the others wait for that same refresh instead of each asking: a worker
 * passes the version it used, and a refresh is skipped when a newer version already exists.
 */
import { RejectedError } from '../../errors/index.js';
import type { UploadStatus } from '../../genesys/schemas.js';

export interface UrlVersion {
  url: string;
  version: number;
}

export class PresignedUrl {
  #current: UrlVersion;
  #refreshing: Promise<void> | undefined;
  refreshes = 0;

  constructor(url: string) {
    this.#current = { url, version: 0 };
  }

  get current(): UrlVersion {
    return this.#current;
  }

  /**
   * Replaces the URL that had version `seen`, unless that already happened; shared by all callers
   * (the first caller's `fetchStatus` is the one used).
   */
  refresh(seen: number, fetchStatus: () => Promise<UploadStatus>, onRefreshed: (expiresAt: string) => void): Promise<void> {
    if (this.#current.version > seen) return Promise.resolve();
    if (this.#refreshing === undefined) {
      this.#refreshing = this.#refresh(fetchStatus, onRefreshed).finally(() => {
        this.#refreshing = undefined;
      });
    }
    return this.#refreshing;
  }

  async #refresh(fetchStatus: () => Promise<UploadStatus>, onRefreshed: (expiresAt: string) => void): Promise<void> {
    const status = await fetchStatus();
    if (status.state !== 'open') {
      throw new RejectedError(
        'upload.not_open',
        `The upload ${status.uploadId} is ${status.state} on the server, so its segments can no longer be sent.`,
        { details: { state: status.state } },
      );
    }
    this.refreshes++;
    this.#current = { url: status.presignedUrl, version: this.#current.version + 1 };
    onRefreshed(status.expiresAt);
  }
}
