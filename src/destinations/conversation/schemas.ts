/**
 * Readers of the Platform API answers the conversation destination uses (Genesys' SDK models
 * `Conversation`, `MessageMediaUploadData`, `MessageMediaData`, `MessageData`,
 * `MessageConversation`), validated at the boundary. Lenient where the contract leaves room: unknown
 * fields are ignored, optional fields may be missing, a message id may come as `messageId` or
 * `id`, and counts are bounded so a broken server cannot make us allocate without limit.
 */
import { ShapeError, array, object, optionalString, string, type Json } from '../../genesys/validate.js';

const ID_MAX = 1024;
const MAX_PARTICIPANTS = 1000;
const MAX_COMMUNICATIONS = 1000;
const MAX_MESSAGES = 100_000;

function id(o: Json, key: string, path = ''): string {
  return string(o, key, path, ID_MAX, 1);
}

function optionalArray(o: Json, key: string, path: string, max: number): unknown[] {
  return o[key] === undefined || o[key] === null ? [] : array(o, key, path, max);
}

export interface Communication {
  id: string;
  /** Lowercased: alerting | connected | disconnected | … */
  state: string;
  type: string | undefined;
}

export interface Participant {
  id: string;
  /** Lowercased: customer | agent | acd | workflow | … (undefined when absent). */
  purpose: string | undefined;
  name: string | undefined;
  messages: Communication[];
}

export interface Conversation {
  id: string;
  participants: Participant[];
}

export function conversation(body: unknown): Conversation {
  const o = object(body, '');
  return {
    id: id(o, 'id'),
    participants: optionalArray(o, 'participants', '', MAX_PARTICIPANTS).map((raw, i) => {
      const path = `participants.${i}.`;
      const p = object(raw, path);
      return {
        id: id(p, 'id', path),
        purpose: optionalString(p, 'purpose', path, 64)?.toLowerCase(),
        name: optionalString(p, 'name', path, 1024),
        messages: optionalArray(p, 'messages', path, MAX_COMMUNICATIONS).map((m, j) => {
          const mpath = `${path}messages.${j}.`;
          const c = object(m, mpath);
          return { id: id(c, 'id', mpath), state: (optionalString(c, 'state', mpath, 64) ?? '').toLowerCase(), type: optionalString(c, 'type', mpath, 64) };
        }),
      };
    }),
  };
}

export interface MediaUpload {
  id: string;
  uploadUrl: string;
  /** Sent exactly as given with the PUT; may be empty. */
  uploadHeaders: Record<string, string>;
}

export function mediaUpload(body: unknown): MediaUpload {
  const o = object(body, '');
  const uploadUrl = string(o, 'uploadUrl', '', 16_384);
  if (!/^https?:\/\//i.test(uploadUrl) || !URL.canParse(uploadUrl)) throw new ShapeError('uploadUrl', 'expected an http(s) URL');
  const headers: Record<string, string> = {};
  if (o['uploadHeaders'] !== undefined && o['uploadHeaders'] !== null) {
    const h = object(o['uploadHeaders'], 'uploadHeaders.');
    const entries = Object.entries(h);
    if (entries.length > 100) throw new ShapeError('uploadHeaders', 'expected at most 100 headers');
    for (const [name, value] of entries) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/.test(name)) throw new ShapeError(`uploadHeaders.${name.slice(0, 40)}`, 'expected a header name');
      if (/^(authorization|content-length|host|transfer-encoding|connection)$/i.test(name)) {
        throw new ShapeError(`uploadHeaders.${name}`, 'a header the client must not take from the server');
      }
      if (typeof value !== 'string' || value.length > 8192 || /[\r\n\0]/.test(value)) throw new ShapeError(`uploadHeaders.${name}`, 'expected a header value');
      headers[name] = value;
    }
  }
  return { id: id(o, 'id'), uploadUrl, uploadHeaders: headers };
}

export type MediaStatus = 'uploading' | 'valid' | 'invalid';

export interface Media {
  id: string;
  /** Lowercased; anything but `valid` and `invalid` is treated as still uploading. */
  status: string;
  contentLengthBytes: number | undefined;
  mediaType: string | undefined;
}

export function media(body: unknown): Media {
  const o = object(body, '');
  const length = o['contentLengthBytes'];
  return {
    id: id(o, 'id'),
    status: (optionalString(o, 'status', '', 64) ?? 'uploading').toLowerCase(),
    contentLengthBytes: typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 ? length : undefined,
    mediaType: optionalString(o, 'mediaType', '', 255),
  };
}

export interface MessageData {
  id: string;
  status: string | undefined;
  textBody: string | undefined;
  mediaIds: string[];
}

export function messageData(body: unknown): MessageData {
  const o = object(body, '');
  return {
    id: id(o, 'id'),
    status: optionalString(o, 'status', '', 64),
    textBody: typeof o['textBody'] === 'string' ? o['textBody'] : undefined,
    mediaIds: optionalArray(o, 'media', '', 100).flatMap((raw) => {
      const m = raw !== null && typeof raw === 'object' ? (raw as Json)['id'] : undefined;
      return typeof m === 'string' && m !== '' ? [m] : [];
    }),
  };
}

/** `GET /api/v2/conversations/messages/{id}`: every message id in the conversation's history. */
export function historyMessageIds(body: unknown): string[] {
  const o = object(body, '');
  const ids = new Set<string>();
  for (const [i, raw] of optionalArray(o, 'participants', '', MAX_PARTICIPANTS).entries()) {
    const path = `participants.${i}.`;
    const p = object(raw, path);
    for (const m of optionalArray(p, 'messages', path, MAX_MESSAGES)) {
      const entry = m !== null && typeof m === 'object' ? (m as Json) : {};
      const value = entry['messageId'] ?? entry['id'];
      if (typeof value === 'string' && value !== '' && value.length <= ID_MAX) ids.add(value);
      if (ids.size > MAX_MESSAGES) throw new ShapeError(`${path}messages`, `expected at most ${MAX_MESSAGES} messages`);
    }
  }
  return [...ids];
}

/** `POST …/messages/bulk`: `{entities: [MessageData]}` (a bare array is accepted too). */
export function bulkMessages(body: unknown): MessageData[] {
  const list = Array.isArray(body) ? body : optionalArray(object(body, ''), 'entities', '', MAX_MESSAGES);
  return list.map((raw, i) => {
    try {
      return messageData(raw);
    } catch (error) {
      if (error instanceof ShapeError) throw new ShapeError(`entities.${i}.${error.path}`, error.problem);
      throw error;
    }
  });
}
