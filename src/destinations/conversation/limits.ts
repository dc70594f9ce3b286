/**
 * Checks made before any byte is uploaded, so a file the conversation cannot take is refused at
 * once with the limit named and the way out (a link), instead of after a 25 MB upload:
 *
 * - the platform's ceiling, "25 MB" (CONVERSATION-MEDIA.md §3.1). Genesys does not say whether
 *   that is 25,000,000 or 26,214,400 bytes; the client takes the larger reading (lenient: a file
 *   between the two is left for the platform to judge, and its 413 is mapped with its own words);
 * - when known, the conversation's outbound content profile: the allowed media types (by the
 *   file name's extension, wildcards such as `image/*` allowed) or extensions, and its size limit.
 */
import { extname } from 'node:path';
import { ConfigError, RejectedError } from '../../errors/index.js';
import { contentTypeFor } from '../../upload/content-type.js';
import { LINK_WAY_OUT } from './errors.js';

/** 25 MiB: the larger reading of the platform's "25 MB". */
export const PLATFORM_MAX_MEDIA_BYTES = 25 * 1024 * 1024;

/** What is known of the conversation's outbound content profile (every field optional). */
export interface ContentProfile {
  /** Media types allowed (`image/png`, `image/*`, `*\/*`). */
  allowedTypes?: readonly string[] | undefined;
  /** Extensions allowed (`.pdf` or `pdf`), case-insensitive. */
  allowedExtensions?: readonly string[] | undefined;
  /** Largest file, in bytes. */
  maxBytes?: number | undefined;
}

export interface MediaFacts {
  fileName: string;
  size: number;
}

/** Validates a profile given by a caller (named in messages as `setting`). */
export function validateContentProfile(profile: ContentProfile, setting = 'contentProfile'): ContentProfile {
  const max = profile.maxBytes;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
    throw new ConfigError('config.content_profile', `${setting}.maxBytes must be a whole number of bytes >= 1; got ${String(max)}.`);
  }
  for (const type of profile.allowedTypes ?? []) {
    if (!/^(\*|[\w.+-]+)\/(\*|[\w.+-]+)$/.test(type)) {
      throw new ConfigError('config.content_profile', `${setting}.allowedTypes: ${JSON.stringify(type.slice(0, 100))} is not a media type such as image/png or image/*.`);
    }
  }
  return profile;
}

function typeAllowed(type: string, allowed: readonly string[]): boolean {
  const [major] = type.split('/');
  return allowed.some((a) => {
    const pattern = a.toLowerCase();
    return pattern === '*/*' || pattern === type || pattern === `${major}/*`;
  });
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes} bytes (${(bytes / (1024 * 1024)).toFixed(1)} MiB)` : `${bytes} bytes`;
}

/** `textBody` limits (CONVERSATION-MEDIA.md §3.4): 2000 characters, 765 on SMS. */
export const MAX_TEXT = 2000;
export const MAX_SMS_TEXT = 765;

/** The `textBody` limit of a communication's channel (unknown: the 2000 characters of most). */
export function textLimitOf(channel: string | undefined): { length: number; unit: 'characters'; label: string } {
  return channel?.toLowerCase() === 'sms'
    ? { length: MAX_SMS_TEXT, unit: 'characters', label: 'an SMS conversation' }
    : { length: MAX_TEXT, unit: 'characters', label: 'a conversation message' };
}

/** Refuses a message text the channel cannot take, before anything is uploaded. */
export function checkText(text: string, channel: string | undefined): ConfigError | undefined {
  const limit = textLimitOf(channel);
  const length = [...text].length;
  if (length <= limit.length) return undefined;
  return new ConfigError('config.text', `--text: the message text has ${length} characters; ${limit.label} takes at most ${limit.length}. Shorten it.`);
}

/** The refusal, or undefined when the file fits what is known. */
export function checkMedia(file: MediaFacts, profile: ContentProfile | undefined): RejectedError | undefined {
  const name = JSON.stringify(file.fileName);
  if (file.size > PLATFORM_MAX_MEDIA_BYTES) {
    return new RejectedError(
      'rejected.too_large',
      `${name} is ${sizeText(file.size)}: more than Genesys Cloud takes into a conversation (25 MB, ${PLATFORM_MAX_MEDIA_BYTES} bytes). ${LINK_WAY_OUT}`,
      { details: { size: file.size, limit: PLATFORM_MAX_MEDIA_BYTES } },
    );
  }
  if (profile?.maxBytes !== undefined && file.size > profile.maxBytes) {
    return new RejectedError(
      'rejected.too_large',
      `${name} is ${sizeText(file.size)}: more than this conversation's content profile allows (${sizeText(profile.maxBytes)}). ${LINK_WAY_OUT}`,
      { details: { size: file.size, limit: profile.maxBytes } },
    );
  }
  const ext = extname(file.fileName).toLowerCase();
  const type = contentTypeFor(file.fileName);
  if (profile?.allowedExtensions !== undefined) {
    const allowed = profile.allowedExtensions.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase());
    if (!allowed.includes(ext)) {
      return new RejectedError(
        'rejected.content_type',
        `${name}: this conversation's content profile does not allow ${ext === '' ? 'files without an extension' : `${ext} files`} ` +
          `(allowed: ${allowed.join(', ') || 'none'}). ${LINK_WAY_OUT}`,
        { details: { extension: ext, allowed } },
      );
    }
  }
  if (profile?.allowedTypes !== undefined && !typeAllowed(type, profile.allowedTypes)) {
    return new RejectedError(
      'rejected.content_type',
      `${name} is ${type} (by its extension): this conversation's content profile does not allow it ` +
        `(allowed: ${profile.allowedTypes.join(', ') || 'none'}). ${LINK_WAY_OUT}`,
      { details: { contentType: type, allowed: [...profile.allowedTypes] } },
    );
  }
  return undefined;
}
