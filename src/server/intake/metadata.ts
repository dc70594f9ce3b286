/**
 * The tus Upload-Metadata of an intake, turned into a job's spec (or a refusal with the status
 * the client should see). Keys, all values base64 as tus requires:
 *
 *   filename   the file's name; sanitised for Genesys (default "file")
 *   filetype   its media type; default guessed from the name's extension
 *   text       the message text (default, also when empty: "File NAME attached.")
 *
 * and the keys of the service's destination (destination-metadata.ts):
 *
 *   genesys-files   to: the recipients, a comma-separated list ("a@x.org,+15550100") or a JSON
 *                   array of strings ('["a@x.org"]'), 1 to 10 entries, required; language: the
 *                   guest's BCP-47 tag (default en-US)
 *   web-messaging   guesttoken: an existing guest's token (a secret, kept apart); absent, a new guest
 *   conversation    conversationid (required), communicationid (optional)
 *
 * Any other key, or a key of another destination, is refused (400), and so is metadata larger
 * than the configured cap (default 8 KiB as sent): job rows keep only what the service documents.
 * Executables (by extension or by type) are refused (415) unless the operator allows them.
 * Nothing here touches the file system: the spool path is the job id.
 */
import { contentTypeFor, validateContentType } from '../../upload/content-type.js';
import { sanitizeFileName } from '../../upload/sanitize-file-name.js';
import type { JobSpec } from '../jobs/job.js';
import { typeAllowed } from './allowed-types.js';
import { ALL_KEYS, destinationFields, keysOf, type ServiceDestination } from './destination-metadata.js';

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
  /** Accept executables whose type is allowed. */
  allowExecutables: boolean;
  /** The service's destination, whose keys the metadata may use; default genesys-files. */
  destination?: ServiceDestination | undefined;
  /** A file the destination cannot take as an attachment can go as a link (a link store, delivery not `attachment`). */
  linkDelivery?: boolean | undefined;
}

/** Every key some destination takes; admitIntake narrows to the configured destination's. */
export const METADATA_KEYS: readonly string[] = ALL_KEYS;

/** File name extensions that run when opened on a common desktop. */
const EXECUTABLE_EXTENSIONS = new Set(
  'exe com bat cmd scr pif msi msp msc cpl dll sys vbs vbe js jse ws wsf wsh ps1 psm1 hta jar lnk reg app apk sh run command dmg pkg deb rpm appimage iso'.split(' '),
);
const EXECUTABLE_TYPES = new Set([
  'application/x-msdownload',
  'application/x-msdos-program',
  'application/x-executable',
  'application/x-sharedlib',
  'application/x-mach-binary',
  'application/vnd.microsoft.portable-executable',
  'application/x-sh',
  'application/x-csh',
  'application/x-bat',
  'application/java-archive',
  'application/vnd.android.package-archive',
  'application/x-ms-installer',
  'application/x-msi',
  'application/hta',
  'text/javascript',
  'application/javascript',
  'application/x-apple-diskimage',
]);

export function isExecutable(fileName: string, contentType: string): boolean {
  const dot = fileName.lastIndexOf('.');
  const extension = dot === -1 ? '' : fileName.slice(dot + 1).toLowerCase();
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return EXECUTABLE_EXTENSIONS.has(extension) || EXECUTABLE_TYPES.has(essence);
}

/** The raw Upload-Metadata header: at most `maxBytes`, and only the documented keys. */
export function checkMetadataHeader(header: string | undefined, maxBytes: number): void {
  if (header === undefined) return;
  if (Buffer.byteLength(header, 'utf8') > maxBytes) {
    throw new IntakeRefusal(400, `Upload-Metadata is larger than this server's limit of ${maxBytes} bytes.`);
  }
  for (const pair of header.split(',')) {
    const key = pair.trim().split(' ')[0] ?? '';
    if (key !== '' && !METADATA_KEYS.includes(key)) {
      throw new IntakeRefusal(400, `Upload-Metadata key ${JSON.stringify(key.slice(0, 40))} is not known here; use ${METADATA_KEYS.join(', ')}.`);
    }
  }
}

/** A creation's checked metadata: the job's spec, and apart from it the secret the service keeps in its own file. */
export interface AdmittedIntake {
  spec: JobSpec;
  guestToken: string | undefined;
}

export function admitIntake(metadata: Metadata | undefined, size: number | undefined, limits: IntakeLimits): AdmittedIntake {
  if (size === undefined || !Number.isSafeInteger(size)) {
    throw new IntakeRefusal(400, 'Upload-Length is required: this server does not accept uploads of unknown length.');
  }
  if (size < 1) throw new IntakeRefusal(400, 'Upload-Length must be at least 1: an empty file cannot be sent.');
  if (size > limits.maxSize) throw new IntakeRefusal(413, `Upload-Length ${size} exceeds this server's maximum of ${limits.maxSize} bytes.`);

  const meta = metadata ?? {};
  const fileName = sanitizeFileName(meta.filename ?? '');
  const destination = limits.destination ?? 'genesys-files';
  const keys = keysOf(destination);
  const unknown = Object.keys(meta).find((key) => !keys.includes(key));
  if (unknown !== undefined) {
    const why = METADATA_KEYS.includes(unknown) ? `is not used by this service's destination (${destination})` : 'is not known here';
    throw new IntakeRefusal(400, `Upload-Metadata key ${JSON.stringify(unknown.slice(0, 40))} ${why}; use ${keys.join(', ')}.`);
  }

  const text = meta.text === null || meta.text === undefined || meta.text === '' ? undefined : meta.text;
  const fields = destinationFields(destination, meta, { size, text, parseRecipients, linkDelivery: limits.linkDelivery === true }, (status, message) => new IntakeRefusal(status, message));
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
  if (!limits.allowExecutables && isExecutable(fileName, contentType)) {
    throw new IntakeRefusal(415, `${JSON.stringify(fileName)} looks like a program or script; this server does not accept executables.`);
  }
  return { spec: { fileName, contentType, size, destination, to: fields.to, text, language: fields.language, details: fields.details }, guestToken: fields.guestToken };
}
