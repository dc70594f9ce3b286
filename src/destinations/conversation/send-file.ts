/**
 * The whole conversation flow on its own (without the engine's journal): checks before uploading
 * (the platform's ceiling, the content profile when known), the communication (given, or the agent
 * side's connected one), the media upload (request → PUT → valid; invalid → once more), and the
 * message `{textBody, mediaIds: [id]}` → its id. `sendTextToConversation` sends a text alone (a
 * link). A send whose answer is lost is settled by one lookup (`findMessage`): found, it is the
 * result; provably absent, it is sent once more; otherwise the error says the outcome is unknown.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { ConfigError, IntegrityError, TransientError } from '../../errors/index.js';
import { sanitizeFileName } from '../../upload/sanitize-file-name.js';
import type { ConversationClient } from './client.js';
import { chooseCommunication } from './communication.js';
import type { ConversationEventListener } from './events.js';
import { findMessage, provablyNotSent } from './find-message.js';
import { checkMedia, checkText, PLATFORM_MAX_MEDIA_BYTES, type ContentProfile } from './limits.js';
import { callOptions, uploadMedia } from './media-upload.js';
import { resolveMediaPoll, type MediaPollSettings } from './media-status.js';

export interface ConversationTarget {
  conversationId: string;
  /** Undefined: the agent side's connected message communication is looked up. */
  communicationId?: string | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ConversationEventListener | undefined;
}

export interface SendFileToConversationInput extends ConversationTarget {
  filePath: string;
  /** Defaults to the file's base name; sanitised either way. */
  fileName?: string | undefined;
  text: string;
  contentProfile?: ContentProfile | undefined;
  poll?: Partial<MediaPollSettings> | undefined;
}

export interface ConversationSendResult {
  messageId: string;
  conversationId: string;
  communicationId: string;
  mediaId: string | undefined;
  fileName: string | undefined;
  size: number | undefined;
  sha256: string | undefined;
  /** Media requested (2 after an `invalid` or an expired URL). */
  mediaAttempts: number;
}

/**
 * The communication to post on: the given one, or the agent side's connected one (an event says
 * which), with its channel when known.
 */
export async function findCommunication(client: ConversationClient, target: ConversationTarget): Promise<{ communicationId: string; channel: string | undefined }> {
  const { conversationId, onEvent } = target;
  if (target.communicationId !== undefined) {
    onEvent?.({ type: 'communication-chosen', conversationId, communicationId: target.communicationId, reason: 'given' });
    return { communicationId: target.communicationId, channel: undefined };
  }
  const conversation = await client.api.getConversation(conversationId, callOptions(target.signal, onEvent));
  const chosen = chooseCommunication(conversation);
  onEvent?.({
    type: 'communication-chosen',
    conversationId,
    communicationId: chosen.communicationId,
    reason: chosen.reason,
    participantId: chosen.participantId,
    purpose: chosen.purpose,
    candidates: chosen.candidates,
  });
  return { communicationId: chosen.communicationId, channel: chosen.type };
}

export async function resolveCommunication(client: ConversationClient, target: ConversationTarget): Promise<string> {
  return (await findCommunication(client, target)).communicationId;
}

async function communicationForText(client: ConversationClient, target: ConversationTarget, text: string): Promise<string> {
  const tooLong = checkText(text, undefined);
  if (tooLong !== undefined) throw tooLong;
  const { communicationId, channel } = await findCommunication(client, target);
  const tooLongHere = checkText(text, channel);
  if (tooLongHere !== undefined) throw tooLongHere;
  return communicationId;
}

/** Reads the whole (≤ 25 MiB) file once, with its SHA-256; refuses a file that changes size meanwhile. */
async function readSmallFile(path: string, maxBytes: number): Promise<{ body: Buffer; sha256: string }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new IntegrityError('integrity.file_changed', `${path} grew to ${size} bytes while being sent.`);
    const body = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(body, read, size - read, read);
      if (bytesRead === 0) throw new IntegrityError('integrity.file_changed', `${path} shrank while being read (${read} of ${size} bytes).`);
      read += bytesRead;
    }
    return { body, sha256: createHash('sha256').update(body).digest('hex') };
  } finally {
    await handle.close();
  }
}

/** Sends once; a lost answer is looked up once, and a provably absent message is sent once more. */
async function sendSettled(
  client: ConversationClient,
  target: ConversationTarget & { communicationId: string },
  text: string,
  mediaId: string | undefined,
): Promise<string> {
  const { conversationId, communicationId, signal, onEvent } = target;
  const call = callOptions(signal, onEvent);
  const body = mediaId === undefined ? { textBody: text } : { textBody: text, mediaIds: [mediaId] };
  try {
    const sent = await client.api.sendMessage(conversationId, communicationId, body, call);
    onEvent?.({ type: 'message-sent', messageId: sent.id, mediaId });
    return sent.id;
  } catch (error) {
    // Only a transient failure may hide a processed send (a dropped answer, a 500 after the work).
    if (!(error instanceof TransientError) || provablyNotSent(error) || signal?.aborted) throw error;
    const found = await findMessage(client.api, { conversationId, mediaId, text }, call);
    onEvent?.({ type: 'message-settled', found: found !== undefined, messageId: found?.id });
    if (found !== undefined) return found.id;
    const sent = await client.api.sendMessage(conversationId, communicationId, body, call);
    onEvent?.({ type: 'message-sent', messageId: sent.id, mediaId });
    return sent.id;
  }
}

export async function sendFileToConversation(client: ConversationClient, input: SendFileToConversationInput): Promise<ConversationSendResult> {
  const poll = resolveMediaPoll(input.poll);
  const fileName = sanitizeFileName(input.fileName ?? basename(input.filePath));
  const handle = await open(input.filePath, 'r').catch((error: unknown) => {
    throw new ConfigError('input.unreadable', `Cannot read ${input.filePath}: ${(error as { code?: string }).code ?? 'error'}.`, { cause: error });
  });
  const { size } = await handle.stat().finally(() => handle.close());
  const refusal = checkMedia({ fileName, size }, input.contentProfile);
  if (refusal !== undefined) throw refusal;
  const communicationId = await communicationForText(client, input, input.text);
  const { body, sha256 } = await readSmallFile(input.filePath, PLATFORM_MAX_MEDIA_BYTES);
  if (body.length !== size) throw new IntegrityError('integrity.file_changed', `${input.filePath} changed size while being sent (${size} → ${body.length} bytes).`);
  const { mediaId, attempts } = await uploadMedia(client, {
    conversationId: input.conversationId,
    communicationId,
    fileName,
    body,
    poll,
    signal: input.signal,
    onEvent: input.onEvent,
  });
  const messageId = await sendSettled(client, { ...input, communicationId }, input.text, mediaId);
  return { messageId, conversationId: input.conversationId, communicationId, mediaId, fileName, size, sha256, mediaAttempts: attempts };
}

/** A text alone (a link to a file the conversation cannot take). */
export async function sendTextToConversation(client: ConversationClient, input: ConversationTarget & { text: string }): Promise<ConversationSendResult> {
  const communicationId = await communicationForText(client, input, input.text);
  const messageId = await sendSettled(client, { ...input, communicationId }, input.text, undefined);
  return { messageId, conversationId: input.conversationId, communicationId, mediaId: undefined, fileName: undefined, size: undefined, sha256: undefined, mediaAttempts: 0 };
}
