/**
 * The text of a link message: the file's name, its size, its SHA-256, the link, and when the link
 * expires, in plain words, within the channel's limit (Web Messaging: 4096 UTF-8 bytes; agent and
 * tutorial messages: 2000 characters). When it does not fit, the file name is shortened first
 * (keeping its extension), then the optional parts go (the exact byte count, the caller's intro);
 * the URL, the SHA-256 and the expiry are never cut. If even that does not fit, the URL itself is
 * too long for the channel: a RejectedError says so.
 */
import { ConfigError, RejectedError } from '../../errors/index.js';
import { SETTING as S3_SETTING } from './options.js';

export interface TextLimit {
  length: number;
  unit: 'characters' | 'bytes';
  /** What takes this limit, for messages ("an SMS conversation"); optional. */
  label?: string | undefined;
}

export const WEB_MESSAGING_LIMIT: TextLimit = Object.freeze({ length: 4096, unit: 'bytes' });
export const AGENT_MESSAGE_LIMIT: TextLimit = Object.freeze({ length: 2000, unit: 'characters' });
export const TUTORIAL_MESSAGE_LIMIT: TextLimit = Object.freeze({ length: 2000, unit: 'characters' });

export interface LinkFacts {
  fileName: string;
  size: number;
  /** "sha256:<hex>" or bare hex. */
  sha256: string;
  url: string;
  /** ISO 8601; undefined: the link does not expire. */
  expiresAt: string | undefined;
  /** The caller's own words, first (optional; cut before anything else is). */
  intro?: string | undefined;
}

/** UTF-16 code units (what a Java or JavaScript platform counts as characters; never fewer than code points), or UTF-8 bytes. */
export function measure(text: string, unit: TextLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

/** 1 byte, 999 bytes, 1.5 KB, 17.8 MB, 2.1 GB (decimal units, as file managers show them). */
export function plainSize(size: number): string {
  if (size === 1) return '1 byte';
  let value = size;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${size} bytes`;
  const shown = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${UNITS[unit]}`;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "Tuesday 8 December 2026 at 07:35 UTC". */
export function plainUtc(iso: string): string {
  const d = new Date(iso);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} at ${hh}:${mm} UTC`;
}

/** Shortens a name to `max` code points, keeping its extension: "a-very-long-re….pdf". */
export function shortenName(name: string, max: number): string {
  const chars = [...name];
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 12 ? [...name.slice(dot)] : [];
  const keep = Math.max(1, max - ext.length - 1);
  return `${chars.slice(0, keep).join('')}…${ext.join('')}`;
}

/** The longest expiry in words ("Wednesday 30 September 2026 at 23:59 UTC"): a check made before the link exists. */
const LONGEST_EXPIRY = 'Wednesday 30 September 0000 at 00:00 UTC';

function compose(facts: LinkFacts, name: string, exactBytes: boolean, intro: string | undefined, expiryWords?: string): string {
  const hex = facts.sha256.replace(/^sha256:/, '');
  const size = plainSize(facts.size);
  const exact = exactBytes && facts.size >= 1000 ? ` (${facts.size.toLocaleString('en-US')} bytes)` : '';
  const expiry = facts.expiresAt === undefined ? 'The link does not expire.' : `The link expires on ${expiryWords ?? plainUtc(facts.expiresAt)}.`;
  const lines = [
    ...(intro === undefined || intro === '' ? [] : [intro]),
    `File: ${name}, ${size}${exact}`,
    `Download: ${facts.url}`,
    expiry,
    `SHA-256: ${hex}`,
  ];
  return lines.join('\n');
}

/** Cuts the intro to what fits (code points, an ellipsis at the end); '' when nothing does. */
function cutIntro(facts: LinkFacts, name: string, intro: string, limit: TextLimit): string {
  const chars = [...intro];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(compose(facts, name, false, `${chars.slice(0, mid).join('')}…`), limit.unit) <= limit.length) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : `${chars.slice(0, lo).join('')}…`;
}

export function buildLinkText(facts: LinkFacts, limit: TextLimit): string {
  const fits = (text: string): boolean => measure(text, limit.unit) <= limit.length;
  const full = compose(facts, facts.fileName, true, facts.intro);
  if (fits(full)) return full;
  // 1. A shorter file name (down to 16 code points), the rest as it is.
  const nameLength = [...facts.fileName].length;
  for (let max = nameLength - 1; max >= 16; max--) {
    const text = compose(facts, shortenName(facts.fileName, max), true, facts.intro);
    if (fits(text)) return text;
  }
  const short = shortenName(facts.fileName, 16);
  // 2. Without the exact byte count.
  const lean = compose(facts, short, false, facts.intro);
  if (fits(lean)) return lean;
  // 3. The intro cut to what fits, or left out.
  if (facts.intro !== undefined && facts.intro !== '') {
    const cut = compose(facts, short, false, cutIntro(facts, short, facts.intro, limit));
    if (fits(cut)) return cut;
  }
  const bare = compose(facts, short, false, undefined);
  if (fits(bare)) return bare;
  throw tooLong(facts, limit);
}

/**
 * Checks, before anything is uploaded, that a link message to this file can fit the limit: the
 * shortest text `buildLinkText` may write (the file name shortened, no intro, the longest expiry
 * in words), with a link of the length the real one will have. A ConfigError (exit 2) naming the
 * limit otherwise: the settings (a shorter link) or the channel have to change, not the file.
 */
export function checkLinkFits(facts: Omit<LinkFacts, 'sha256' | 'intro'>, limit: TextLimit): void {
  const probe: LinkFacts = { ...facts, sha256: '0'.repeat(64) };
  const shortest = compose(probe, shortenName(facts.fileName, 16), false, undefined, LONGEST_EXPIRY);
  const length = measure(shortest, limit.unit);
  if (length <= limit.length) return;
  const on = limit.label === undefined ? '' : ` on ${limit.label}`;
  throw new ConfigError(
    'config.link_text',
    `A link message${on} must fit ${limit.length} ${limit.unit}, and this one needs at least ${length}: its download link alone is ${measure(facts.url, limit.unit)} ${limit.unit}. ` +
      `Refused before uploading. Configure ${S3_SETTING.publicBaseUrl} (shorter links) or a shorter key prefix in ${S3_SETTING.location}, or send through a channel with a larger text limit.`,
    { details: { needed: length, limit: limit.length, unit: limit.unit, urlLength: measure(facts.url, limit.unit) } },
  );
}

function tooLong(facts: LinkFacts, limit: TextLimit): RejectedError {
  return new RejectedError(
    'rejected.link_too_long',
    `The download link (${measure(facts.url, limit.unit)} ${limit.unit}) does not fit a message of at most ${limit.length} ${limit.unit} with the file's name, size, SHA-256 and expiry. ` +
      'Configure a public base URL (shorter links) or a channel with a larger text limit.',
    { details: { urlLength: measure(facts.url, limit.unit), limit: limit.length, unit: limit.unit } },
  );
}
