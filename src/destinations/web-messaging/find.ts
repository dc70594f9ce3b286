/**
 * Settles an `onMessage` whose answer was lost (WEB-MESSAGING.md §5), asked exactly once: `getJwt`
 * on the socket, then the guest's history on the REST API (newest first), looking for our message by
 * its attachment id or by a marker unique to it (a link's URL). The answer is the message id, or
 * "absent" when the history proves it (the whole history seen, or the page reaches back before the
 * send); otherwise the platform cannot tell and this throws. The JWT is a credential: it goes only
 * in the Authorization header to the API host, never to a storage host, a log, or an error.
 */
import type { Dispatcher } from 'undici';
import { TransientError } from '../../errors/index.js';
import { readBodyText, sendRequest } from '../../http/send-request.js';
import { frameError } from './errors.js';
import { bodyObject, isErrorFrame, isObject, num, str, type JsonObject } from './frames.js';
import { attachmentIdsOf } from './message.js';
import type { WebMessagingSocket } from './socket.js';

export const HISTORY_PAGE_SIZE = 25;

export interface FindQuery {
  attachmentId?: string | undefined;
  /** A string only our message's text contains. */
  marker?: string | undefined;
  /** Milliseconds since the epoch, taken before the send: history older than this cannot hold it. */
  sentAfter?: number | undefined;
}

export async function getJwt(socket: WebMessagingSocket, signal?: AbortSignal): Promise<string> {
  const what = 'get a token to read the conversation history';
  const frame = await socket.request({ action: 'getJwt' }, { what, signal, accepts: (f) => f.class === 'JwtResponse' });
  const jwt = str(bodyObject(frame)['jwt']);
  if (frame.class !== 'JwtResponse' || isErrorFrame(frame) || jwt === undefined) throw frameError(frame, { what });
  return jwt;
}

/** Decides from one history page; pure, for tests. */
export function judgeHistory(page: JsonObject, query: FindQuery): { messageId: string } | 'absent' | 'unknown' {
  const entities = Array.isArray(page['entities']) ? page['entities'].filter(isObject) : [];
  for (const entity of entities) {
    const id = str(entity['id']);
    if (id === undefined || entity['direction'] === 'Outbound') continue;
    if (query.attachmentId !== undefined && attachmentIdsOf(entity).includes(query.attachmentId)) return { messageId: id };
    if (query.marker !== undefined && typeof entity['text'] === 'string' && entity['text'].includes(query.marker)) return { messageId: id };
  }
  const total = num(page['total']);
  const pageCount = num(page['pageCount']);
  if ((total !== undefined && total <= entities.length) || (pageCount !== undefined && pageCount <= 1) || entities.length < (num(page['pageSize']) ?? HISTORY_PAGE_SIZE)) return 'absent';
  const oldest = entities[entities.length - 1];
  const channel = oldest !== undefined && isObject(oldest['channel']) ? oldest['channel'] : undefined;
  const oldestTime = Date.parse(str(channel?.['time']) ?? '');
  if (query.sentAfter !== undefined && Number.isFinite(oldestTime) && oldestTime < query.sentAfter) return 'absent';
  return 'unknown';
}

export interface FindContext {
  socket: WebMessagingSocket;
  dispatcher: Dispatcher;
  /** https://api.{region}, or the emulator's http origin. */
  apiOrigin: string;
  signal?: AbortSignal | undefined;
}

export async function findMessage(context: FindContext, query: FindQuery): Promise<{ messageId: string } | 'absent'> {
  if (query.attachmentId === undefined && query.marker === undefined) {
    throw new TransientError('delivery.answer_lost', 'The answer to the message was lost and it carries nothing unique to look for in the history, so whether it arrived cannot be told. Check the conversation.');
  }
  const jwt = await getJwt(context.socket, context.signal);
  const url = `${context.apiOrigin.replace(/\/$/, '')}/api/v2/webmessaging/messages?pageSize=${HISTORY_PAGE_SIZE}&pageNumber=1`;
  const response = await sendRequest({ dispatcher: context.dispatcher, url, method: 'GET', headers: { authorization: `Bearer ${jwt}`, accept: 'application/json' }, signal: context.signal });
  const { text } = await readBodyText(response.body, 4 * 1024 * 1024);
  if (response.status !== 200) {
    throw new TransientError('delivery.answer_lost', `The answer to the message was lost, and the conversation history could not be read (HTTP ${response.status}) to tell whether it arrived. Check the conversation.`, { status: response.status });
  }
  let page: unknown;
  try {
    page = JSON.parse(text);
  } catch {
    page = undefined;
  }
  const verdict = isObject(page) ? judgeHistory(page, query) : 'unknown';
  if (verdict === 'unknown') {
    throw new TransientError('delivery.answer_lost', 'The answer to the message was lost, and the conversation history does not show whether it arrived (too many newer messages). Check the conversation.');
  }
  return verdict;
}
