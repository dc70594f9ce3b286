/**
 * The media type declared at initiation, guessed from the file's extension. Only common types of
 * an org's usual content profile are listed; anything else is application/octet-stream, which the
 * user can override (--content-type) when the org expects something specific.
 */
import { extname } from 'node:path';
import { ConfigError } from '../errors/index.js';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.bin': 'application/octet-stream',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
});

export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

/** A `type/subtype` media type (RFC 9110 tokens, parameters allowed), as PROTOCOL.md §2 requires. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\]*"))*$`);

export function validateContentType(value: string): string {
  if (value.length > 255 || !MEDIA_TYPE.test(value)) {
    throw new ConfigError(
      'config.content_type',
      `--content-type: ${JSON.stringify(value.slice(0, 100))} is not a media type; give type/subtype such as application/pdf.`,
    );
  }
  return value;
}
