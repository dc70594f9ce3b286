/**
 * The engine's part transport for an S3 store: the project's own PUT path (pooled undici
 * connections, the exact headers a session gives plus Content-Length, never an Authorization
 * header — the pre-signed URL carries the credentials), and the clock and randomness its retries
 * use. The AWS SDK is not on this path: it would buffer, re-hash and add its own checksums.
 */
import type { Dispatcher } from 'undici';
import { systemClock, systemRandom, type Clock, type Random } from '../../http/clock.js';
import { createDispatcher } from '../../http/dispatcher.js';
import { putPart, type PartTransport } from '../../upload/put-part.js';

export interface S3TransportOptions {
  dispatcher?: Dispatcher | undefined;
  clock?: Clock | undefined;
  random?: Random | undefined;
}

export interface S3Transport extends PartTransport {
  close(): Promise<void>;
}

export function createS3Transport(options: S3TransportOptions = {}): S3Transport {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const owns = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createDispatcher();
  let closed = false;
  return {
    clock,
    random,
    putPart: (request) => putPart(dispatcher, request, () => clock.now()),
    async close() {
      if (closed) return;
      closed = true;
      if (owns) await dispatcher.close();
    },
  };
}
