/**
 * Best-effort abort of a remote upload after a failure (PROTOCOL.md §4 DELETE). It must not hang
 * a failed run: a short retry policy and a deadline. Its own failure is swallowed: the upload
 * expires on the server anyway, and the user needs the first error, not this one.
 */
import { resolveRetryPolicy } from '../http/retry-policy.js';
import type { GenesysClient } from '../relay/genesys-client.js';

const CLEANUP_RETRY = resolveRetryPolicy({ limit: 2, baseDelayMs: 250, maxDelayMs: 2000, maxRetryAfterMs: 5000, budgetMs: 15_000 });
const CLEANUP_TIMEOUT_MS = 20_000;

export async function abortRemoteUpload(client: GenesysClient, uploadId: string): Promise<void> {
  await client.abort(uploadId, { retry: CLEANUP_RETRY, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) }).catch(() => undefined);
}
