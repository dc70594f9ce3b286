/**
 * `onMessage` (WEB-MESSAGING.md §5): a Text message carrying the attachment, or a text alone (how
 * a link is sent). The echoed StructuredMessage's id is the message id. There is no idempotency
 * key: a request whose answer was lost is reported as such (`webmessaging.connection_lost` or
 * `webmessaging.no_answer`), and the caller asks the platform (`findMessage`) before any resend.
 */
import { ConfigError, InternalError } from '../../errors/index.js';
import { frameError } from './errors.js';
import { bodyObject, isErrorFrame, isObject, str, type Frame } from './frames.js';
import type { WebMessagingSocket } from './socket.js';

export const MAX_TEXT_BYTES = 4096;

export function checkText(text: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TEXT_BYTES) {
    throw new ConfigError('webmessaging.text_too_long', `The message text is ${bytes} bytes of UTF-8; Web Messaging accepts at most ${MAX_TEXT_BYTES}. Shorten --text.`, { details: { bytes, max: MAX_TEXT_BYTES } });
  }
}

export interface OutgoingMessage {
  text: string;
  /** Absent for a text-only message (a link). */
  attachmentId?: string | undefined;
}

export function messageRequest(message: OutgoingMessage): { action: 'onMessage'; message: Record<string, unknown> } {
  return {
    action: 'onMessage',
    message: {
      type: 'Text',
      ...(message.text !== '' && { text: message.text }),
      ...(message.attachmentId !== undefined && { content: [{ contentType: 'Attachment', attachment: { id: message.attachmentId } }] }),
    },
  };
}

/** Attachment ids in a StructuredMessage or WebMessagingMessage body (lenient about the shape). */
export function attachmentIdsOf(body: Record<string, unknown>): string[] {
  const content = Array.isArray(body['content']) ? body['content'] : [];
  const ids: string[] = [];
  for (const item of content) {
    if (!isObject(item)) continue;
    const attachment = isObject(item['attachment']) ? item['attachment'] : undefined;
    const id = str(attachment?.['id']) ?? str(item['id']);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** Whether an untraced StructuredMessage is the echo of ours. */
function isOurEcho(frame: Frame, message: OutgoingMessage): boolean {
  if (frame.class !== 'StructuredMessage') return false;
  const body = bodyObject(frame);
  if (body['direction'] === 'Outbound') return false;
  if (message.attachmentId !== undefined) return attachmentIdsOf(body).includes(message.attachmentId);
  return body['text'] === message.text;
}

export async function sendMessage(socket: WebMessagingSocket, message: OutgoingMessage, signal?: AbortSignal): Promise<{ messageId: string }> {
  checkText(message.text);
  const what = message.attachmentId === undefined ? 'send the message' : 'send the message with the attachment';
  const frame = await socket.request(messageRequest(message), { what, signal, isMessage: true, accepts: (f) => isOurEcho(f, message) });
  if (frame.class !== 'StructuredMessage' || isErrorFrame(frame)) throw frameError(frame, { what });
  const messageId = str(bodyObject(frame)['id']);
  if (messageId === undefined) throw new InternalError('webmessaging.bad_response', `The platform's answer to ${what} had no message id.`);
  return { messageId };
}
