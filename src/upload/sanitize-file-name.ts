/**
 * Makes a file name acceptable to PROTOCOL.md §2: 1..255 characters, no leading '.', no trailing
 * '/', no whitespace, '/', '\' or any of { ^ } % ` ] " > [ ~ < # |. Each forbidden or whitespace
 * character becomes '_' (so a path like "../x" cannot survive as one), leading dots are dropped,
 * and a name longer than 255 UTF-16 units is shortened in its stem so the extension survives.
 * Control characters are replaced too: they are invisible and no server wants them. Format
 * characters (\p{Cf}: bidi overrides and isolates, zero-width spaces and joiners, soft hyphens)
 * are removed outright: they are invisible, and a right-to-left override makes
 * "invoice\u202Efdp.exe" display as "invoiceexe.pdf"; without them the name reads as it is.
 */
export const MAX_FILE_NAME_LENGTH = 255;

const FORBIDDEN = /[\s/\\{^}%`\]">[~<#|\p{Cc}]/gu;
const FORMAT = /\p{Cf}/gu;

/** The extension to keep: a short trailing ".ext" of letters and digits. */
function splitExtension(name: string): { stem: string; ext: string } {
  const match = /\.[\p{L}\p{N}_-]{1,16}$/u.exec(name);
  if (match === null || match.index === 0) return { stem: name, ext: '' };
  return { stem: name.slice(0, match.index), ext: match[0] };
}

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // would leave a lone high surrogate
  return text.slice(0, end);
}

export function sanitizeFileName(input: string): string {
  let name = input.normalize('NFC').replace(FORMAT, '').replace(FORBIDDEN, '_');
  name = name.replace(/^\.+/, '');
  if (name.length > MAX_FILE_NAME_LENGTH) {
    const { stem, ext } = splitExtension(name);
    name = ext === '' ? cut(name, MAX_FILE_NAME_LENGTH) : cut(stem, MAX_FILE_NAME_LENGTH - ext.length) + ext;
  }
  return name === '' ? 'file' : name;
}
