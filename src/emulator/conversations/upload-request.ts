/**
 * POST …/communications/{communicationId}/messages/media/uploads, GET …/messages/media/{mediaId},
 * and GET …/messages/media (the list by status).
 *
 * Upload request check order: body shape (400 bad.request), fileName rule (400 bad.request),
 * contentLengthBytes (400), contentMd5 form (400), conversation and communication (404), the
 * communication connected (409 communication.disconnected), size against the platform ceiling and
 * the conversation's profile (413 too.large), type from the extension against the profile
 * (415 media.type.not.allowed).
 */
import type { RequestContext } from '../http/context.js';
import { sendGenesysError, sendJson } from '../http/respond.js';
import { newId } from '../ids.js';
import { badRequest, readJsonBody } from '../routes/api-body.js';
import type { Services } from '../services.js';
import { isValidFileName } from '../validation.js';
import { findCommunication, findConversation, findMedia, refuseDisconnected } from './lookup.js';
import { mediaTypeFor } from './media-types.js';
import type { MediaRecord } from './types.js';
import { mediaDataView, mediaSelfUri } from './views.js';

const BASE64_MD5 = /^[A-Za-z0-9+/]{22}==$/;

export async function uploadRequestRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const body = await readJsonBody(ctx);
  if (!body) return;
  const { fileName, contentLengthBytes, contentMd5 } = body;
  if (typeof fileName !== 'string') return badRequest(ctx, 'fileName is required and must be a string.');
  if (!isValidFileName(fileName)) {
    return badRequest(
      ctx,
      'fileName must be 1-255 characters, must not start with "." or end with "/", and must not contain whitespace or any of \\ { ^ } % ` ] " > [ ~ < # |.',
    );
  }
  if (typeof contentLengthBytes !== 'number' || !Number.isSafeInteger(contentLengthBytes) || contentLengthBytes < 1) {
    return badRequest(ctx, 'contentLengthBytes is required: a whole number of bytes, at least 1.');
  }
  if (contentMd5 !== undefined && contentMd5 !== null && (typeof contentMd5 !== 'string' || !BASE64_MD5.test(contentMd5))) {
    return badRequest(ctx, 'contentMd5, when given, must be the base64 of the 16-byte MD5 digest.');
  }
  await env.conversations.lock(params.conversationId ?? '', async () => {
    const conversation = findConversation(ctx, env, params.conversationId);
    if (!conversation) return;
    const participant = findCommunication(ctx, conversation, params.communicationId);
    if (!participant || refuseDisconnected(ctx, participant)) return;
    const settings = env.settings().conversations;
    const limit = Math.min(settings.maxMediaBytes, conversation.profile.maxBytes);
    if (contentLengthBytes > limit) {
      return sendGenesysError(ctx, 413, 'too.large', `The request is over the size limit. Maximum bytes: ${limit}`, {
        details: [{ maxBytes: limit, platformMaxBytes: settings.maxMediaBytes, profileMaxBytes: conversation.profile.maxBytes }],
      });
    }
    const mediaType = mediaTypeFor(fileName);
    if (!conversation.profile.allowedTypes.includes(mediaType)) {
      return sendGenesysError(
        ctx,
        415,
        'media.type.not.allowed',
        `The media type ${mediaType} (from the file name's extension) is not allowed by this conversation's outbound content profile; allowed: ${conversation.profile.allowedTypes.join(', ') || 'none'}.`,
        { details: [{ mediaType, allowedTypes: [...conversation.profile.allowedTypes] }] },
      );
    }
    const id = newId();
    const uploadHeaders: Record<string, string> = {
      'Content-Type': mediaType,
      'x-amz-tagging': `conversationId=${conversation.id}&communicationId=${participant.communication.id}`,
      ...(typeof contentMd5 === 'string' && { 'Content-MD5': contentMd5 }),
    };
    const now = env.clock.now();
    const media: MediaRecord = {
      id,
      communicationId: participant.communication.id,
      name: fileName,
      mediaType,
      contentLengthBytes,
      ...(typeof contentMd5 === 'string' && { contentMd5 }),
      createdAt: new Date(now).toISOString(),
      uploadUrl: env.conversations.signer.sign(env.origin(ctx), id, 'PUT', uploadHeaders, now, settings.uploadUrlTtlSeconds),
      uploadHeaders,
    };
    await env.conversations.save({ ...conversation, media: [...conversation.media, media] });
    sendJson(ctx, 200, { id, name: fileName, uploadUrl: media.uploadUrl, uploadHeaders, selfUri: mediaSelfUri(conversation.id, media) });
  });
}

export async function mediaStatusRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const conversation = findConversation(ctx, env, params.conversationId);
  if (!conversation) return;
  const participant = findCommunication(ctx, conversation, params.communicationId);
  if (!participant) return;
  const media = findMedia(ctx, conversation, participant.communication.id, params.mediaId);
  if (!media) return;
  sendJson(ctx, 200, mediaDataView(ctx, env, conversation, media));
}

const STATUSES = new Set(['uploading', 'valid', 'invalid']);

/** GET …/messages/media?status=&pageSize=&pageNumber=: the communication's media (MessageMediaListing). */
export async function mediaListRoute(ctx: RequestContext, env: Services, params: Record<string, string>): Promise<void> {
  const query = ctx.url.searchParams;
  const status = query.get('status');
  if (status !== null && !STATUSES.has(status)) return badRequest(ctx, 'status must be one of uploading, valid, invalid.');
  const int = (name: string, fallback: number, max: number): number | undefined => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const n = Number(raw);
    return /^\d+$/.test(raw) && n >= 1 && n <= max ? n : undefined;
  };
  const pageSize = int('pageSize', 25, 100);
  const pageNumber = int('pageNumber', 1, 1_000_000);
  if (pageSize === undefined) return badRequest(ctx, 'pageSize must be a whole number from 1 to 100.');
  if (pageNumber === undefined) return badRequest(ctx, 'pageNumber must be a whole number of at least 1.');
  const conversation = findConversation(ctx, env, params.conversationId);
  if (!conversation) return;
  const participant = findCommunication(ctx, conversation, params.communicationId);
  if (!participant) return;
  const all = conversation.media
    .filter((m) => m.communicationId === participant.communication.id)
    .map((m) => mediaDataView(ctx, env, conversation, m))
    .filter((m) => status === null || m.status === status);
  const entities = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  sendJson(ctx, 200, { entities, pageSize, pageNumber, total: all.length, pageCount: Math.ceil(all.length / pageSize) });
}
