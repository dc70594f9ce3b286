/**
 * What /readyz checks: the state store takes a write (and no write of the service failed since
 * the last one that succeeded), and a Genesys Cloud access token can be obtained with the
 * configured client. The token comes from a provider of its own (cached until near expiry, like
 * the engine's), so a probe every few seconds costs one token fetch a day, and a probe never
 * consumes the API rate limit. A failed token check is remembered for `failureCacheMs` (30 s by
 * default): a public /readyz probed every second with wrong credentials must not become a
 * stream of token requests (and a lockout) at the login service.
 */
import type { Dispatcher } from 'undici';
import { TokenProvider } from '../../auth/token-provider.js';
import type { ResolvedConfig } from '../../config/index.js';
import { UploadError } from '../../errors/index.js';
import { systemClock, systemRandom } from '../../http/clock.js';
import { createDispatcher } from '../../http/dispatcher.js';
import { resolveRetryPolicy } from '../../http/retry-policy.js';

export interface ReadinessReport {
  ready: boolean;
  checks: { stateStore: 'ok' | 'failed'; genesysToken: 'ok' | 'failed' | 'not-used' };
  reasons: string[];
}

const PROBE_TIMEOUT_MS = 5000;

export class Readiness {
  /** Undefined when the destination needs no OAuth client (Web Messaging guests). */
  readonly #tokens: TokenProvider | undefined;
  readonly #dispatcher: Dispatcher;
  readonly #probeStore: () => void;
  readonly #failureCacheMs: number;
  readonly #now: () => number;
  #tokenFailure: { at: number; reason: string } | undefined;

  constructor(config: ResolvedConfig | undefined, probeStore: () => void, options: { failureCacheMs: number; now: () => number }) {
    this.#failureCacheMs = options.failureCacheMs;
    this.#now = options.now;
    this.#dispatcher = createDispatcher({ connections: 2, connectTimeoutMs: PROBE_TIMEOUT_MS, headersTimeoutMs: PROBE_TIMEOUT_MS });
    this.#tokens = config === undefined ? undefined : new TokenProvider({
      loginUrl: config.loginUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      dispatcher: this.#dispatcher,
      clock: systemClock,
      random: systemRandom,
      retry: resolveRetryPolicy({ limit: 0 }),
    });
    this.#probeStore = probeStore;
  }

  async check(): Promise<ReadinessReport> {
    const reasons: string[] = [];
    let stateStore: 'ok' | 'failed' = 'ok';
    try {
      this.#probeStore();
    } catch (error) {
      stateStore = 'failed';
      reasons.push(`The state store is not writable: ${error instanceof Error ? error.message : String(error)}`);
    }
    let genesysToken: 'ok' | 'failed' | 'not-used' = this.#tokens === undefined ? 'not-used' : 'ok';
    const failure = this.#tokenFailure;
    if (this.#tokens === undefined) {
      // A Web Messaging guest needs no token: nothing to check before a relay.
    } else if (failure !== undefined && this.#now() - failure.at < this.#failureCacheMs) {
      genesysToken = 'failed';
      reasons.push(failure.reason);
    } else {
      try {
        await this.#tokens.getToken({ signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        this.#tokenFailure = undefined;
      } catch (error) {
        genesysToken = 'failed';
        // UploadError messages are written for people and carry no secret.
        const message = error instanceof UploadError ? error.message : 'no answer in time';
        const reason = `No Genesys Cloud access token: ${message}`;
        this.#tokenFailure = { at: this.#now(), reason };
        reasons.push(reason);
      }
    }
    return { ready: reasons.length === 0, checks: { stateStore, genesysToken }, reasons };
  }

  async close(): Promise<void> {
    this.#tokens?.close();
    await this.#dispatcher.close();
  }
}
