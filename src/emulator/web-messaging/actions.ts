/**
 * One client frame → its answer (contract §2–§5). Every request counts against the connection's
 * limit first; the injected TooManyRequests fault comes next; then the action. Requests other
 * than configureSession and echo need a session configured on this connection.
 */
import { randomUUID } from 'node:crypto';
import { attachmentCheck } from './checks.js';
import { GENERATE_URL_ERRORS, generateUrlError, response, stringError, tooManyRequests } from './frames.js';
import type { WmConnection, WmSession } from './model.js';
import type { WebMessaging } from './service.js';
import { originAllowed } from './service.js';
import { attachmentView, messageBody } from './view.js';

type Request = Record<string, unknown> & { action?: unknown; token?: unknown; tracingId?: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT_BYTES = 4096;
const JWT_TTL_SECONDS = 3600;

export function handleFrame(wm: WebMessaging, conn: WmConnection & { httpOrigin: string }, text: string | undefined): void {
  let req: Request;
  try {
    const parsed = text === undefined ? undefined : (JSON.parse(text) as unknown);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    req = parsed as Request;
  } catch {
    return wm.send(conn, stringError(400, 'Request failed: a frame must be one JSON object.', undefined));
  }
  const tracingId = typeof req.tracingId === 'string' ? req.tracingId : undefined;
  const now = wm.clock.now();
  const perConn = wm.settings().limits.requestsPerConnectionPerMinute;
  const window = wm.limiter.hit(`conn:${conn.id}`, now, perConn, 60);
  if (window.limited) {
    return wm.send(conn, tooManyRequests(window.resetSeconds, 4029, 'Request rate too high for this connection', tracingId));
  }
  const injected = wm.faults.take('too-many-requests');
  if (injected) {
    const errorCode = injected.errorCode ?? 4029;
    return wm.send(conn, tooManyRequests(injected.retryAfter ?? 1, errorCode, injected.errorMessage ?? 'Message rate too high for this session', tracingId));
  }
  if (typeof req.token !== 'string' || req.token.length < 1 || req.token.length > 2048) {
    return wm.send(conn, stringError(400, 'Request failed: token must be a string of 1 to 2048 characters.', tracingId));
  }
  const token = req.token;
  switch (req.action) {
    case 'configureSession':
      return configureSession(wm, conn, req, token, tracingId);
    case 'echo':
      return wm.send(conn, response('StructuredMessage', echoBody(req), tracingId));
  }
  const known = ['onAttachment', 'getAttachment', 'deleteAttachment', 'onMessage', 'getJwt'];
  if (typeof req.action !== 'string' || !known.includes(req.action)) {
    return wm.send(conn, stringError(400, 'Request failed: unknown action.', tracingId));
  }
  const session = conn.session;
  if (!session || session.token !== token) {
    return wm.send(conn, stringError(4007, 'Session not found: send configureSession on this connection first.', tracingId));
  }
  if (wm.expired(session)) return wm.send(conn, stringError(4006, 'Session has expired.', tracingId));
  if (req.action === 'getJwt') {
    const exp = Math.floor(now / 1000) + JWT_TTL_SECONDS;
    return wm.send(conn, response('JwtResponse', { jwt: wm.signer.jwt(session.id, exp), exp }, tracingId));
  }
  session.lastActivity = now;
  if (req.action === 'onAttachment') return onAttachment(wm, conn, session, req, tracingId);
  if (req.action === 'getAttachment') return getAttachment(wm, conn, session, req, tracingId);
  if (req.action === 'deleteAttachment') return deleteAttachment(wm, conn, session, req, tracingId);
  return onMessage(wm, conn, session, req, tracingId);
}

function echoBody(req: Request): Record<string, unknown> {
  const message = typeof req.message === 'object' && req.message !== null ? (req.message as Record<string, unknown>) : {};
  const text = typeof message.text === 'string' ? message.text.slice(0, MAX_TEXT_BYTES) : 'ping';
  return { text, type: 'Text', direction: 'Inbound', id: randomUUID() };
}

function configureSession(wm: WebMessaging, conn: WmConnection, req: Request, token: string, tracingId: string | undefined): void {
  const deployment = wm.deployment(typeof req.deploymentId === 'string' ? req.deploymentId : undefined);
  if (!deployment) return wm.send(conn, stringError(400, 'Invalid deploymentId', tracingId));
  if (!originAllowed(deployment, conn.origin)) return wm.send(conn, stringError(403, 'Origin not allowed for this deployment.', tracingId));
  const { session, isNew, cleared } = wm.sessionFor(token, deployment.id, req.startNew === true);
  const readOnly = wm.expired(session);
  if (!readOnly) session.lastActivity = wm.clock.now();
  wm.bind(conn, session);
  const expirationDate = Math.floor((session.lastActivity + deployment.sessionDurationSeconds * 1000) / 1000);
  wm.send(
    conn,
    response(
      'SessionResponse',
      {
        connected: true,
        newSession: isNew,
        readOnly,
        ...(cleared && { clearedExistingSession: true }),
        ...(deployment.fileTypes !== null && {
          allowedMedia: { inbound: { fileTypes: deployment.fileTypes.map((type) => ({ type })), maxFileSizeKB: deployment.maxFileSizeKB } },
        }),
        blockedExtensions: [...deployment.blockedExtensions],
        maxCustomDataBytes: deployment.maxCustomDataBytes,
        durationSeconds: deployment.sessionDurationSeconds,
        expirationDate,
      },
      tracingId,
    ),
  );
}

function onAttachment(wm: WebMessaging, conn: WmConnection & { httpOrigin: string }, session: WmSession, req: Request, tracingId: string | undefined): void {
  const { fileName, fileType, fileSize, attachmentId: given } = req;
  if (given !== undefined && (typeof given !== 'string' || !UUID.test(given))) {
    return wm.send(conn, stringError(400, 'Request failed: attachmentId must be a UUID.', tracingId));
  }
  if (typeof fileName !== 'string' || typeof fileType !== 'string' || !Number.isSafeInteger(fileSize) || (fileSize as number) < 0) {
    return wm.send(conn, stringError(400, 'Request failed: fileName, fileType and fileSize (bytes) are required.', tracingId));
  }
  const other = given === undefined ? undefined : wm.attachments.get(given);
  if (other && other.sessionId !== session.id) return wm.send(conn, stringError(400, 'Request failed: attachmentId is in use.', tracingId));
  const now = wm.clock.now();
  const deployment = wm.deployment(session.deploymentId);
  if (!deployment) return wm.send(conn, stringError(400, 'Invalid deploymentId', tracingId));
  const fault = wm.faults.take('generate-url-error');
  const code = fault ? (fault.errorCode ?? 4001) : attachmentCheck(deployment, fileName, fileType, fileSize as number);
  if (code !== undefined) {
    const text = fault?.errorMessage ?? (code === 4001 ? `File type ${fileType} not supported` : (GENERATE_URL_ERRORS[code] ?? 'File upload failed'));
    return wm.send(conn, generateUrlError(code, text, given, tracingId, now, fault?.outerCode ?? 400));
  }
  const id = given ?? randomUUID();
  const tagging = `organizationId=emulator-org&originPlatform=PureCloud&role=webmessaging&owner=${session.deploymentId}`;
  const previous = wm.attachments.get(id);
  const attachment = {
    id,
    sessionId: session.id,
    fileName,
    fileType,
    fileSize: fileSize as number,
    tagging,
    state: 'pending' as const,
    createdAt: now,
    generation: (previous?.generation ?? 0) + 1,
    sentIn: previous?.sentIn ?? [],
  };
  wm.attachments.set(id, attachment);
  session.attachments.set(id, attachment);
  void wm.save();
  const url = wm.signer.sign('PUT', conn.httpOrigin, id, { 'content-type': fileType, 'x-amz-tagging': tagging }, now, deployment.urlTtlSeconds);
  wm.send(conn, response('PresignedUrlResponse', { attachmentId: id, headers: { 'x-amz-tagging': tagging }, url, fileName, fileType, fileSize }, tracingId));
}

function ownAttachment(wm: WebMessaging, conn: WmConnection, session: WmSession, req: Request, tracingId: string | undefined) {
  const id = typeof req.attachmentId === 'string' ? req.attachmentId : '';
  const attachment = session.attachments.get(id);
  if (!attachment || attachment.state === 'deleted') {
    wm.send(conn, stringError(4009, 'Attachment not found.', tracingId));
    return undefined;
  }
  return attachment;
}

function getAttachment(wm: WebMessaging, conn: WmConnection & { httpOrigin: string }, session: WmSession, req: Request, tracingId: string | undefined): void {
  const attachment = ownAttachment(wm, conn, session, req, tracingId);
  if (!attachment) return;
  if (attachment.state !== 'uploaded') return wm.send(conn, stringError(4010, 'Attachment not successfully uploaded.', tracingId));
  const ttl = wm.deployment(session.deploymentId)?.urlTtlSeconds ?? 600;
  const url = wm.signer.sign('GET', conn.httpOrigin, attachment.id, {}, wm.clock.now(), ttl);
  const { id: attachmentId, fileName, fileType, storedSize } = attachment;
  wm.send(conn, response('PresignedUrlResponse', { attachmentId, headers: {}, url, fileName, fileType, fileSize: storedSize }, tracingId));
}

function deleteAttachment(wm: WebMessaging, conn: WmConnection, session: WmSession, req: Request, tracingId: string | undefined): void {
  const attachment = ownAttachment(wm, conn, session, req, tracingId);
  if (!attachment) return;
  if (attachment.sentIn.length > 0) return wm.send(conn, stringError(400, 'Request failed: the attachment was already sent.', tracingId));
  attachment.state = 'deleted';
  attachment.generation += 1; // an upload event still pending for it is not sent
  void wm.save();
  wm.send(conn, response('AttachmentDeletedResponse', { attachmentId: attachment.id }, tracingId));
}

function onMessage(wm: WebMessaging, conn: WmConnection & { httpOrigin: string }, session: WmSession, req: Request, tracingId: string | undefined): void {
  const now = wm.clock.now();
  const perSecond = wm.settings().limits.messagesPerSessionPerSecond;
  const window = wm.limiter.hit(`msg:${session.id}`, now, perSecond, 1);
  if (window.limited) return wm.send(conn, tooManyRequests(window.resetSeconds, 4029, 'Message rate too high for this session', tracingId));
  if (session.ended) return wm.send(conn, stringError(4006, 'Session has expired.', tracingId));
  const message = typeof req.message === 'object' && req.message !== null ? (req.message as Record<string, unknown>) : undefined;
  if (!message) return wm.send(conn, stringError(400, 'Request failed: message is required.', tracingId));
  const text = message.text;
  if (text !== undefined && typeof text !== 'string') return wm.send(conn, stringError(400, 'Request failed: message.text must be a string.', tracingId));
  const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TEXT_BYTES) return wm.send(conn, stringError(4011, `Message length ${bytes} is larger than ${MAX_TEXT_BYTES}`, tracingId));
  const content = Array.isArray(message.content) ? (message.content as unknown[]) : [];
  const ids: string[] = [];
  for (const item of content) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as { contentType?: unknown; attachment?: { id?: unknown } };
    if (entry.contentType !== 'Attachment') continue; // other content types are not ours to check
    const id = typeof entry.attachment?.id === 'string' ? entry.attachment.id : '';
    const attachment = session.attachments.get(id);
    if (!attachment || attachment.state === 'deleted') return wm.send(conn, stringError(4009, 'Attachment not found.', tracingId));
    if (attachment.state !== 'uploaded') return wm.send(conn, stringError(4010, 'Attachment not successfully uploaded.', tracingId));
    ids.push(id);
  }
  if (bytes === 0 && ids.length === 0) return wm.send(conn, stringError(400, 'Request failed: a message needs text or an attachment.', tracingId));
  const stored = { id: randomUUID(), sessionId: session.id, ...(text !== undefined && { text }), time: now, attachmentIds: ids };
  wm.addMessage(session, stored);
  for (const id of ids) wm.attachments.get(id)?.sentIn.push(stored.id);
  const lose = wm.faults.take('lose-message-response') !== undefined;
  // Answer only once the message is on disk (persistent data directories), as a platform would.
  void wm.save().then(() => {
    if (lose) return wm.drop(conn);
    const body = messageBody(wm, stored, (a) => attachmentView(wm, a, conn.httpOrigin));
    wm.send(conn, tracingId === undefined ? { type: 'message', class: 'StructuredMessage', code: 200, body } : response('StructuredMessage', body, tracingId));
  });
}
