/** Field rules of PROTOCOL.md sections 2, 5 and 7, as pure predicates. */

/** The media-upload file name rule real Genesys applies (section 2). */
const FORBIDDEN_IN_NAME = /[\s/\\{^}%`\]">[~<#|]/u;

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export function isValidFileName(name: string): boolean {
  const length = codePointLength(name);
  return length >= 1 && length <= 255 && !name.startsWith('.') && !name.endsWith('/') && !FORBIDDEN_IN_NAME.test(name);
}

/** `type/subtype` with RFC 6838 token characters, optionally followed by parameters. */
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

export function isMediaType(value: string): boolean {
  return value.length <= 255 && MEDIA_TYPE.test(value);
}

/** A BCP-47-looking tag: a 2-3 letter language, then subtags of 1-8 letters or digits. */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export function isLanguageTag(value: string): boolean {
  return value.length <= 64 && LANGUAGE_TAG.test(value);
}

export const CHECKSUM = /^sha256:[0-9a-f]{64}$/;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
