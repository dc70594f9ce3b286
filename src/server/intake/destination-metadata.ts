/**
 * The Upload-Metadata keys that depend on the service's destination (`serve --via`), and the
 * checks each destination allows at creation. Keys of another destination are refused (400) like
 * unknown keys: a job row keeps only what its destination uses.
 *
 *   genesys-files   to (required), language
 *   web-messaging   guesttoken (optional): an existing guest's token, to send into that guest's
 *                   conversation; absent, each upload starts a new guest. A SECRET: it is never
 *                   kept in the job row, the spool's metadata, a view, a log or an error; the
 *                   service keeps it in an owner-only file (src/server/jobs/guest-tokens.ts).
 *   conversation    conversationid (required), communicationid (optional)
 *
 * The Web Messaging deployment's limits need a guest session, so they are checked when the job
 * relays (the job fails with the platform's words); the conversation destination's 25 MB ceiling
 * is checked here, with the size known, unless such a file can go as a link (a link store).
 */
import { UploadError } from '../../errors/index.js';
import { parseConversationOptions, PLATFORM_MAX_MEDIA_BYTES } from '../../destinations/conversation/index.js';
import { isGuestTokenForm, MAX_GUEST_TOKEN_LENGTH } from '../../destinations/web-messaging/guest-token.js';
import { MAX_TEXT_BYTES } from '../../destinations/web-messaging/message.js';
import { MAX_TEXT } from '../../destinations/conversation/limits.js';
import { validateDelivery } from '../../relay/deliver-file.js';

export const SERVICE_DESTINATIONS = ['genesys-files', 'web-messaging', 'conversation'] as const;
export type ServiceDestination = (typeof SERVICE_DESTINATIONS)[number];

/** Keys every destination takes. */
export const COMMON_KEYS: readonly string[] = ['filename', 'filetype', 'text'];
export const DESTINATION_KEYS: Readonly<Record<ServiceDestination, readonly string[]>> = {
  'genesys-files': ['to', 'language'],
  'web-messaging': ['guesttoken'],
  conversation: ['conversationid', 'communicationid'],
};
/** Keys whose values are secrets: kept apart, removed from the spooled upload's metadata. */
export const SECRET_KEYS: readonly string[] = ['guesttoken'];

/** Every key some destination takes (the raw header's first check). */
export const ALL_KEYS: readonly string[] = [...COMMON_KEYS, ...Object.values(DESTINATION_KEYS).flat()];

export function keysOf(destination: ServiceDestination): string[] {
  return [...COMMON_KEYS, ...DESTINATION_KEYS[destination]];
}

/** What a destination takes from the metadata: the job's fields, and its secret (kept apart). */
export interface DestinationFields {
  to: string[];
  language: string | undefined;
  details: Record<string, string>;
  /** Web Messaging: an existing guest's token. A secret: never in the job's fields. */
  guestToken: string | undefined;
}

type Metadata = Record<string, string | null | undefined>;
type Refuse = (status: number, message: string) => Error;

const value = (meta: Metadata, key: string): string | undefined => {
  const raw = meta[key];
  return raw === null || raw === undefined || raw.trim() === '' ? undefined : raw.trim();
};

/** The guest token of a Web Messaging upload (validated without ever quoting it), or undefined. */
function guestTokenOf(meta: Metadata | undefined, refuse: Refuse): string | undefined {
  const token = value(meta ?? {}, 'guesttoken');
  if (token === undefined) return undefined;
  if (!isGuestTokenForm(token)) {
    throw refuse(400, `Upload-Metadata "guesttoken" must be one guest token of 1 to ${MAX_GUEST_TOKEN_LENGTH} characters without spaces.`);
  }
  return token;
}

/** The metadata without its secret keys (what the spool may keep). */
export function withoutSecrets<T extends Metadata | undefined>(meta: T): T {
  if (meta === undefined) return meta;
  return Object.fromEntries(Object.entries(meta).filter(([key]) => !SECRET_KEYS.includes(key))) as T;
}

export function destinationFields(
  destination: ServiceDestination,
  meta: Metadata,
  input: { size: number; text: string | undefined; parseRecipients: (value: string) => string[]; linkDelivery?: boolean },
  refuse: Refuse,
): DestinationFields {
  const text = input.text;
  if (destination === 'web-messaging') {
    if (text !== undefined && Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) {
      throw refuse(400, `Upload-Metadata "text" is ${Buffer.byteLength(text, 'utf8')} bytes of UTF-8; Web Messaging accepts at most ${MAX_TEXT_BYTES}.`);
    }
    const guestToken = guestTokenOf(meta, refuse);
    return { to: [], language: undefined, details: { guest: guestToken === undefined ? 'new' : 'existing' }, guestToken };
  }
  if (destination === 'conversation') {
    if (text !== undefined && [...text].length > MAX_TEXT) {
      throw refuse(400, `Upload-Metadata "text" is ${[...text].length} characters; a conversation message takes at most ${MAX_TEXT}.`);
    }
    if (input.size > PLATFORM_MAX_MEDIA_BYTES && input.linkDelivery !== true) {
      throw refuse(413, `Upload-Length ${input.size} exceeds Genesys Cloud's ${PLATFORM_MAX_MEDIA_BYTES}-byte (25 MB) limit for media in a conversation.`);
    }
    const conversationId = value(meta, 'conversationid');
    if (conversationId === undefined) throw refuse(400, 'Upload-Metadata "conversationid" is required: the id of the messaging conversation to put the file into.');
    let parsed;
    try {
      parsed = parseConversationOptions({ flags: { conversationId, communicationId: value(meta, 'communicationid') }, env: {} });
    } catch (error) {
      // The parser speaks of flags; the client gave metadata keys.
      const message = error instanceof UploadError ? error.message : String(error);
      throw refuse(400, `Upload-Metadata ${message.replace('--conversation-id', '"conversationid"').replace('--communication-id', '"communicationid"')}`);
    }
    return {
      to: [],
      language: undefined,
      details: { conversationId: parsed.conversationId, ...(parsed.communicationId !== undefined && { communicationId: parsed.communicationId }) },
      guestToken: undefined,
    };
  }
  const to = value(meta, 'to');
  if (to === undefined) throw refuse(400, 'Upload-Metadata "to" is required: one to ten recipient addresses, comma-separated or as a JSON array.');
  const recipients = input.parseRecipients(to);
  const language = value(meta, 'language');
  try {
    validateDelivery({ to: recipients, text, language });
  } catch (error) {
    // validateDelivery speaks of options (to:, text:, language:); the client gave metadata keys.
    const message = error instanceof UploadError ? error.message : String(error);
    throw refuse(400, `Upload-Metadata ${message}`);
  }
  return { to: recipients, language, details: {}, guestToken: undefined };
}
