/**
 * `configureSession` and what its `SessionResponse` allows (WEB-MESSAGING.md §3, §4.1). The checks
 * run before any upload request: a file the deployment cannot take is refused here (exit 4), with
 * the limit named and the way out (a link store), and never sent as an attachment.
 */
import { RejectedError } from '../../errors/index.js';
import { frameError, LINK_STORE_HINT } from './errors.js';
import { bodyObject, isErrorFrame, isObject, num, str, type JsonObject } from './frames.js';
import type { WebMessagingSocket } from './socket.js';

export interface SessionLimits {
  newSession: boolean;
  readOnly: boolean;
  /** Undefined: the deployment accepts no attachments. */
  attachments:
    | {
        /** Lower-cased bare types, `type/*` or `*\/*`; undefined when the server did not list them. */
        fileTypes: string[] | undefined;
        /** Bytes (maxFileSizeKB × 1000); undefined when the server gave no limit. */
        maxBytes: number | undefined;
        maxFileSizeKB: number | undefined;
      }
    | undefined;
  /** Lower-cased, each with its leading dot. */
  blockedExtensions: string[];
}

/** Reads a SessionResponse body leniently: unknown fields ignored, odd ones treated as absent. */
export function parseSessionResponse(body: JsonObject): SessionLimits {
  const inbound = isObject(body['allowedMedia']) && isObject(body['allowedMedia']['inbound']) ? body['allowedMedia']['inbound'] : undefined;
  let attachments: SessionLimits['attachments'];
  if (inbound !== undefined) {
    const rawTypes = inbound['fileTypes'];
    const fileTypes = Array.isArray(rawTypes)
      ? rawTypes.map((entry) => (isObject(entry) ? str(entry['type']) : str(entry))).filter((t): t is string => t !== undefined).map((t) => t.trim().toLowerCase())
      : undefined;
    const kb = num(inbound['maxFileSizeKB']);
    attachments = {
      // An empty or missing list says nothing we can check: the server decides (lenient).
      fileTypes: fileTypes === undefined || fileTypes.length === 0 ? undefined : fileTypes,
      maxFileSizeKB: kb,
      // [choice] A KB is 1000 bytes here: the only bound safe under both readings.
      maxBytes: kb === undefined ? undefined : Math.floor(kb * 1000),
    };
  }
  const blocked = Array.isArray(body['blockedExtensions']) ? body['blockedExtensions'] : [];
  return {
    newSession: body['newSession'] === true,
    readOnly: body['readOnly'] === true,
    attachments,
    blockedExtensions: blocked
      .filter((e): e is string => typeof e === 'string' && e.trim() !== '')
      .map((e) => e.trim().toLowerCase())
      .map((e) => (e.startsWith('.') ? e : `.${e}`)),
  };
}

/** Sends configureSession (startNew: end the token's conversation and start another) and returns what the session allows. */
export async function configureSession(
  socket: WebMessagingSocket,
  deploymentId: string,
  options: { startNew?: boolean | undefined; signal?: AbortSignal | undefined } = {},
): Promise<SessionLimits> {
  const frame = await socket.request(
    { action: 'configureSession', deploymentId, ...(options.startNew === true && { startNew: true }) },
    { what: 'open the guest session', signal: options.signal, accepts: (f) => f.class === 'SessionResponse' },
  );
  if (frame.class !== 'SessionResponse' || isErrorFrame(frame)) throw frameError(frame, { what: 'open the guest session' });
  const limits = parseSessionResponse(bodyObject(frame));
  if (limits.readOnly) {
    throw new RejectedError('webmessaging.session_read_only', 'The guest session is read-only (its conversation has ended): nothing can be sent in it. Start a new conversation (without --guest-token-file).');
  }
  return limits;
}

export function fileExtension(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return undefined;
  return fileName.slice(dot).toLowerCase();
}

export function typeAllowed(fileTypes: readonly string[], fileType: string): boolean {
  const type = fileType.trim().toLowerCase();
  const major = type.split('/')[0];
  return fileTypes.some((allowed) => allowed === '*/*' || allowed === type || (allowed.endsWith('/*') && allowed.slice(0, -2) === major));
}

/** The checks before any upload request; undefined when the file fits. */
export function checkAttachment(limits: SessionLimits, file: { fileName: string; fileType: string; size: number }): RejectedError | undefined {
  const name = `"${file.fileName}"`;
  const attachments = limits.attachments;
  if (attachments === undefined) {
    return new RejectedError('webmessaging.attachments_unavailable', `This Web Messaging deployment accepts no attachments (its session offers no allowedMedia), so ${name} cannot be attached. Ask the admin to allow file uploads in the deployment's content profile, or ${LINK_STORE_HINT.toLowerCase()}`);
  }
  if (file.size === 0) return new RejectedError('webmessaging.file_empty', `${name} is empty; Web Messaging refuses empty attachments. Attach a file with content.`);
  const extension = fileExtension(file.fileName);
  if (extension === undefined) {
    return new RejectedError('webmessaging.no_extension', `${name} has no extension; Web Messaging requires one on every attachment. Pass --file-name with an extension that matches the content (for example report.pdf).`);
  }
  if (limits.blockedExtensions.includes(extension)) {
    return new RejectedError('webmessaging.extension_blocked', `The deployment blocks the extension ${extension}, so ${name} cannot be attached. ${LINK_STORE_HINT}`, { details: { extension } });
  }
  if (attachments.fileTypes !== undefined && !typeAllowed(attachments.fileTypes, file.fileType)) {
    return new RejectedError('webmessaging.type_not_allowed', `The deployment does not accept ${file.fileType} (it accepts ${attachments.fileTypes.join(', ')}), so ${name} cannot be attached. Pass --content-type with an allowed type if that is what the file is, or ${LINK_STORE_HINT.toLowerCase()}`, { details: { fileType: file.fileType, allowed: attachments.fileTypes } });
  }
  if (attachments.maxBytes !== undefined && file.size > attachments.maxBytes) {
    return new RejectedError('webmessaging.too_large', `${name} is ${file.size} bytes; the deployment accepts at most ${attachments.maxFileSizeKB} KB (${attachments.maxBytes} bytes) per attachment. ${LINK_STORE_HINT}`, { details: { size: file.size, maxBytes: attachments.maxBytes } });
  }
  return undefined;
}
