/**
 * The tus Upload-Metadata of an intake, turned into a job's spec (or a refusal with the status
 * the client should see). Keys, all values base64 as tus requires:
 *
 *   filename   the file's name; sanitised for Genesys (default "file")
 *   filetype   its media type; default guessed from the name's extension
 *   to         the recipients: a comma-separated list ("a@x.org,+15550100") or a JSON array of
 *              strings ('["a@x.org"]'); 1 to 10 entries; required
 *   text       the message text (default, also when empty: "File NAME attached.")
 *   language   the guest's BCP-47 language tag (default en-US)
 *
 * Unknown keys are ignored. Nothing here touches the file system: the spool path is the job id.
 */
import { UploadError } from '../../errors/index.js';
import { validateDelivery } from '../../relay/deliver-file.js';
import { contentTypeFor, validateContentType } from '../../upload/content-type.js';
import { sanitizeFileName } from '../../upload/sanitize-file-name.js';
import type { JobSpec } from '../jobs/job.js';
import { typeAllowed } from '../options.js';

/**
 * A refusal of an intake request. `status_code` and `body` are the fields @tus/server reads from
 * an error thrown by its hooks to build the response.
 */
export class IntakeRefusal extends Error {
  override readonly name = 'IntakeRefusal';
  readonly status_code: number;
  readonly body: string;
  constructor(status: number, message: string) {
    super(message);
    this.status_code = status;
    this.body = `${message}\n`;
  }
}

type Metadata = Record<string, string | null | undefined>;

/** `to` as a JSON array or a comma-separated list; blanks dropped. */
export function parseRecipients(value: string): string[] {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new IntakeRefusal(400, 'Upload-Metadata "to": not a valid JSON array of addresses.');
    }
    if (!Array.isArray(parsed) || parsed.some((entry) => typeof entry !== 'string')) {
      throw new IntakeRefusal(400, 'Upload-Metadata "to": a JSON list must hold only strings.');
    }
    return (parsed as string[]).map((entry) => entry.trim()).filter((entry) => entry !== '');
  }
  return trimmed
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

export interface IntakeLimits {
  maxSize: number;
  allowedTypes: readonly string[];
}

export function jobSpecFromMetadata(metadata: Metadata | undefined, size: number | undefined, limits: IntakeLimits): JobSpec {
  if (size === undefined || !Number.isSafeInteger(size)) {
    throw new IntakeRefusal(400, 'Upload-Length is required: this server does not accept uploads of unknown length.');
  }
  if (size < 1) throw new IntakeRefusal(400, 'Upload-Length must be at least 1: an empty file cannot be sent.');
  if (size > limits.maxSize) throw new IntakeRefusal(413, `Upload-Length ${size} exceeds this server's maximum of ${limits.maxSize} bytes.`);

  const meta = metadata ?? {};
  const fileName = sanitizeFileName(meta.filename ?? '');
  const declared = meta.filetype?.trim() ?? '';
  let contentType: string;
  try {
    contentType = declared === '' ? contentTypeFor(fileName) : validateContentType(declared);
  } catch {
    throw new IntakeRefusal(415, `Upload-Metadata "filetype": ${JSON.stringify(declared.slice(0, 100))} is not a media type such as application/pdf.`);
  }
  if (!typeAllowed(limits.allowedTypes, contentType)) {
    throw new IntakeRefusal(415, `Files of type ${contentType} are not accepted here. Allowed: ${limits.allowedTypes.join(', ')}.`);
  }

  if (meta.to === undefined || meta.to === null || meta.to.trim() === '') {
    throw new IntakeRefusal(400, 'Upload-Metadata "to" is required: one to ten recipient addresses, comma-separated or as a JSON array.');
  }
  const to = parseRecipients(meta.to);
  const text = meta.text === null || meta.text === undefined || meta.text === '' ? undefined : meta.text;
  const language = meta.language === null || meta.language === undefined || meta.language.trim() === '' ? undefined : meta.language.trim();
  try {
    validateDelivery({ to, text, language });
  } catch (error) {
    // validateDelivery speaks of options (to:, text:, language:); the client gave metadata keys.
    const message = error instanceof UploadError ? error.message : String(error);
    throw new IntakeRefusal(400, `Upload-Metadata ${message}`);
  }
  return { fileName, contentType, size, to, text, language };
}
