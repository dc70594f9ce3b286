/**
 * What the pipeline needs to send through one destination: the destination itself (store +
 * notifier), the transport that PUTs its parts (never with a bearer token), the retry policy to
 * start from, and the target as the journal records it. The journal's job key is the file's path
 * plus `target.apiUrl` and `target.clientId`: for the tutorial's Files API these are the org's API
 * origin and the OAuth client (so entries journalled before destinations existed keep resolving);
 * other destinations put their name and their own target key there (see `viaTarget`).
 */
import type { Dispatcher } from 'undici';
import type { Destination, JsonValue, Receipt } from '../destinations/destination.js';
import { genesysFilesDestination } from '../destinations/genesys-files/index.js';
import { systemClock, systemRandom, type Clock, type Random } from '../http/clock.js';
import { createDispatcher } from '../http/dispatcher.js';
import type { RetryPolicy } from '../http/retry-policy.js';
import type { RecordedTarget } from '../journal/index.js';
import { putPart, type PartTransport } from '../upload/put-part.js';
import type { GenesysClient } from './genesys-client.js';

export interface Via {
  destination: Destination;
  transport: PartTransport;
  retryPolicy: RetryPolicy;
  /** No secret. With the file path, `apiUrl` + `clientId` are the journal's job key. */
  target: RecordedTarget;
  /**
   * What the message carries: the stored file as an attachment (the default), or a text with a
   * link to it (a link store's via, delivery-choice.ts): then the user's text is the link
   * message's intro, and there is no "File X attached." default.
   */
  delivery?: 'attachment' | 'link' | undefined;
}

/** The tutorial's Files API through a client: the job key stays the org and the OAuth client. */
export function genesysFilesVia(client: GenesysClient, recipients: { to: string[]; language: string }): Via {
  return {
    destination: genesysFilesDestination(client, recipients),
    transport: client,
    retryPolicy: client.retryPolicy,
    target: { apiUrl: client.apiUrl, loginUrl: client.loginUrl, clientId: client.clientId, description: client.target },
  };
}

/**
 * The journal target of any other destination: its name where the API origin would be, its target
 * key where the OAuth client would be. A caller that needs to find the job again before the
 * destination exists (a new Web Messaging guest) passes its own key instead.
 */
export function viaTarget(destination: Destination, overrides: Partial<RecordedTarget> = {}): RecordedTarget {
  return { apiUrl: destination.name, loginUrl: '', clientId: destination.targetKey, description: destination.description, ...overrides };
}

/** A part transport of its own (a destination without a Genesys client); close() ends its pool. */
export function createPartTransport(options: { dispatcher?: Dispatcher; clock?: Clock; random?: Random } = {}): PartTransport & { close(): Promise<void> } {
  const owns = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? createDispatcher();
  const clock = options.clock ?? systemClock;
  return {
    clock,
    random: options.random ?? systemRandom,
    putPart: (request) => putPart(dispatcher, request, () => clock.now()),
    close: async () => {
      if (owns) await dispatcher.close();
    },
  };
}

/**
 * Destination-specific ids for a result: the stored file's reference (when it is an object of
 * strings) and the receipt's details, e.g. attachmentId, conversationId, communicationId, mediaId.
 */
export function detailsOf(ref: JsonValue | undefined, receipt: Receipt | undefined): Record<string, string> {
  const details: Record<string, string> = {};
  if (ref !== null && typeof ref === 'object' && !Array.isArray(ref)) {
    for (const [name, value] of Object.entries(ref)) if (typeof value === 'string' && value !== '') details[name] = value;
  }
  return { ...details, ...receipt?.details };
}
