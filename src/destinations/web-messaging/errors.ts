/**
 * Turns the guest API's error frames into the project's error classes (WEB-MESSAGING.md §3-§5).
 * Each message quotes the platform's words and says what to do. The guest token is a credential:
 * nothing here ever sees it, and frames are never copied whole into an error.
 */
import { ConfigError, IntegrityError, RejectedError, TransientError, UploadError, type UploadErrorOptions } from '../../errors/index.js';
import { bodyObject, errorCodeOf, errorTextOf, str, type Frame } from './frames.js';

/** The way out for a file the channel cannot take as an attachment. */
export const LINK_STORE_HINT = 'Send it as a link instead: --delivery link with a link store.';

export interface FrameErrorContext {
  /** What we tried to do, as a verb phrase: "request an upload URL". */
  what: string;
  fileName?: string | undefined;
  fileType?: string | undefined;
  fileSize?: number | undefined;
}

function options(frame: Frame, code: number | undefined): UploadErrorOptions {
  const attachmentId = str(bodyObject(frame)['attachmentId']);
  return {
    ...(code !== undefined && { remoteCode: String(code) }),
    // The outer `code` is informational only (servers vary it), so it is not reported as a status.
    details: { class: frame.class, ...(frame.code !== undefined && { outerCode: frame.code }), ...(attachmentId !== undefined && { attachmentId }) },
  };
}

/** Maps any error frame (GenerateUrlError, class "string", UploadFailureEvent, …). */
export function frameError(frame: Frame, context: FrameErrorContext): UploadError {
  const code = errorCodeOf(frame);
  const said = errorTextOf(frame);
  const quote = said === undefined ? '' : ` Genesys Cloud said: "${said}".`;
  const opts = options(frame, code);
  const name = context.fileName === undefined ? 'the file' : `"${context.fileName}"`;
  const lead = `Could not ${context.what}`;
  if (frame.class === 'UploadFailureEvent') return uploadFailure(code, quote, name, opts);
  switch (code) {
    case 4000:
      return new RejectedError('webmessaging.attachments_unavailable', `${lead}: this Web Messaging deployment accepts no attachments (4000).${quote} Ask the admin to allow file uploads in the deployment's content profile, or ${LINK_STORE_HINT.toLowerCase()}`, opts);
    case 4001:
      return new RejectedError('webmessaging.type_not_allowed', `${lead}: the deployment does not accept ${context.fileType ?? 'this type'} (or the file's extension) for ${name} (4001).${quote} Pass --content-type with an allowed type, ask the admin to allow it, or ${LINK_STORE_HINT.toLowerCase()}`, opts);
    case 4002:
      return new RejectedError('webmessaging.too_large', `${lead}: ${name}${context.fileSize === undefined ? '' : ` (${context.fileSize} bytes)`} is larger than the deployment accepts (4002).${quote} ${LINK_STORE_HINT}`, opts);
    case 4003:
      return new RejectedError('webmessaging.content_invalid', `${lead}: the platform refused the content of ${name} (4003).${quote} Check that the file is what its type says.`, opts);
    case 4004:
      return new RejectedError('webmessaging.name_invalid', `${lead}: the platform refused the file name ${name} (4004).${quote} Pass --file-name with a plain name and an extension.`, opts);
    case 4005:
      return new RejectedError('webmessaging.name_too_long', `${lead}: the file name is too long (4005; it must be under 1024 characters).${quote} Pass --file-name with a shorter name.`, opts);
    case 4102:
      return new RejectedError('webmessaging.file_empty', `${lead}: ${name} is empty (4102).${quote} Attach a file with content.`, opts);
    case 4006:
      return new RejectedError('webmessaging.session_expired', `${lead}: the guest session has expired (4006).${quote} Start a new conversation (without --guest-token-file).`, opts);
    case 4007:
      return new RejectedError('webmessaging.session_not_found', `${lead}: the guest session was not found (4007).${quote} Start a new conversation (without --guest-token-file).`, opts);
    case 4008:
      return new RejectedError('webmessaging.attachment_expired', `${lead}: the uploaded attachment expired before it was sent (4008).${quote} Run the send again to upload it anew.`, opts);
    case 4009:
      return new RejectedError('webmessaging.attachment_not_found', `${lead}: the platform does not know the attachment (4009).${quote} Run the send again to upload it anew.`, opts);
    case 4010:
      return new RejectedError('webmessaging.attachment_not_uploaded', `${lead}: the attachment was not successfully uploaded (4010).${quote} Run the send again to upload it anew.`, opts);
    case 4011:
      return new ConfigError('webmessaging.text_too_long', `${lead}: the text is too long (4011: at most 4096 bytes of UTF-8).${quote} Shorten --text.`, opts);
    case 429:
    case 4029:
      return new TransientError('webmessaging.rate_limited', `${lead}: the platform kept asking to slow down (${code}).${quote} Try again in a minute.`, opts);
    default:
      break;
  }
  if (frame.class === 'string' && said !== undefined && /deployment/i.test(said)) {
    return new ConfigError('webmessaging.deployment', `${lead}: the deployment was refused.${quote} Check --deployment-id and the region (or the WebSocket URL).`, opts);
  }
  if (code !== undefined && code >= 500 && code < 600) {
    return new TransientError('webmessaging.server_error', `${lead}: the platform failed (${code}).${quote}`, opts);
  }
  return new RejectedError('webmessaging.rejected', `${lead}: the platform refused it${code === undefined ? '' : ` (${code})`}.${quote}`, opts);
}

function uploadFailure(code: number | undefined, quote: string, name: string, opts: UploadErrorOptions): UploadError {
  const which = code === undefined ? '' : ` (${code})`;
  // The platform's verdict on the bytes it stored; Genesys' clients report it and never retry it.
  if (code === 4002) {
    return new IntegrityError('webmessaging.upload_failed', `The platform refused ${name} after the upload: the stored size is not the declared size${which}.${quote} Check that the file did not change while it was sent, then send it again.`, opts);
  }
  if (code === 4001 || code === 4003) {
    return new RejectedError('webmessaging.upload_refused', `The platform refused the content of ${name} after the upload${which}.${quote} Check that the file is what its type says, or ${LINK_STORE_HINT.toLowerCase()}`, opts);
  }
  return new IntegrityError('webmessaging.upload_failed', `The platform reported that the upload of ${name} failed${which}.${quote} Send it again; if it fails again, check the file.`, opts);
}

export function connectionLost(what: string, cause?: unknown): TransientError {
  return new TransientError('webmessaging.connection_lost', `The Web Messaging connection dropped while trying to ${what}.`, cause === undefined ? {} : { cause });
}
