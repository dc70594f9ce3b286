/**
 * Shared set-up for the conversation-media conformance suite: admin calls that create and change
 * conversations, the Platform API calls of docs/emulator-conversations.md over plain HTTP, and
 * file bytes that carry the right signature for their type.
 */
import assert from 'node:assert/strict';
import { api, http, parseS3Error, type HttpResult, type S3Error } from '../../helpers/emulator-client.js';
import type { ConversationsState } from '../../../src/emulator/conversations/types.js';
import { patternBytes } from '../conformance/fixtures.js';

export type ConversationView = ConversationsState['items'][number];

export interface UploadData {
  id: string;
  name: string;
  uploadUrl: string;
  uploadHeaders: Record<string, string>;
  selfUri: string;
}

export interface MediaData {
  id: string;
  name: string;
  url?: string;
  mediaType: string;
  contentLengthBytes: number;
  uploadUrl: string;
  status: 'uploading' | 'valid' | 'invalid';
  conversationId: string;
  communicationId: string;
  selfUri: string;
}

export interface MessageData {
  id: string;
  timestamp: string;
  status: string;
  textBody: string;
  direction: string;
  conversationId: string;
  media: Array<{ id: string; url: string; mediaType: string; contentLengthBytes: number; name: string }>;
  normalizedMessage: { text: string; content: Array<{ contentType: string; attachment: { id: string; mime: string; filename: string; sha256: string; mediaType: string } }> };
}

export async function createConversation(baseUrl: string, body: unknown = {}): Promise<ConversationView> {
  const res = await http<ConversationView>(`${baseUrl}/__emulator/conversations`, { method: 'POST', json: body });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

/** The agent's and the customer's communication ids of a default conversation. */
export function sides(conversation: ConversationView): { agent: string; customer: string } {
  const find = (purpose: string) => conversation.participants.find((p) => p.purpose === purpose)?.communicationId ?? '';
  return { agent: find('agent'), customer: find('customer') };
}

export const mediaPath = (conversationId: string, communicationId: string) =>
  `/api/v2/conversations/messages/${conversationId}/communications/${communicationId}/messages`;

export function requestUpload(baseUrl: string, token: string | undefined, conversationId: string, communicationId: string, body: unknown) {
  return api<UploadData>(baseUrl, token, 'POST', `${mediaPath(conversationId, communicationId)}/media/uploads`, { json: body });
}

export async function requestUploadOrThrow(baseUrl: string, token: string, conversationId: string, communicationId: string, body: unknown): Promise<UploadData> {
  const res = await requestUpload(baseUrl, token, conversationId, communicationId, body);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

export function getMedia(baseUrl: string, token: string | undefined, conversationId: string, communicationId: string, mediaId: string) {
  return api<MediaData>(baseUrl, token, 'GET', `${mediaPath(conversationId, communicationId)}/media/${mediaId}`);
}

export function sendMessage(baseUrl: string, token: string | undefined, conversationId: string, communicationId: string, body: unknown) {
  return api<MessageData>(baseUrl, token, 'POST', mediaPath(conversationId, communicationId), { json: body });
}

export interface PutResult extends HttpResult {
  s3Error: S3Error | undefined;
}

/** PUT the bytes with exactly the uploadHeaders (plus `extra`), never an Authorization unless asked. */
export async function putMedia(upload: Pick<UploadData, 'uploadUrl' | 'uploadHeaders'>, data: Buffer, extra: Record<string, string> = {}): Promise<PutResult> {
  const res = await http(upload.uploadUrl, { method: 'PUT', headers: { ...upload.uploadHeaders, ...extra }, body: data });
  return { ...res, s3Error: parseS3Error(res.text) };
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Bytes that start with the PNG signature (the emulator checks signatures by default). */
export function pngBytes(length: number, seed = 1): Buffer {
  const data = patternBytes(length, seed);
  PNG.copy(data, 0, 0, Math.min(PNG.length, length));
  return data;
}

export function pdfBytes(length: number, seed = 1): Buffer {
  const data = patternBytes(length, seed);
  Buffer.from('%PDF-1.7\n').copy(data, 0);
  return data;
}

/** Upload request, PUT and clock advanced past the validation delay: a `valid` media. */
export async function validMedia(
  emu: { url: string; advanceClock(ms: number): void; settings(): { conversations: { validationDelayMs: number } } },
  token: string,
  conversationId: string,
  communicationId: string,
  fileName: string,
  data: Buffer,
): Promise<UploadData> {
  const upload = await requestUploadOrThrow(emu.url, token, conversationId, communicationId, { fileName, contentLengthBytes: data.length });
  const put = await putMedia(upload, data);
  assert.equal(put.status, 200, put.text);
  emu.advanceClock(emu.settings().conversations.validationDelayMs);
  return upload;
}
