/**
 * Plain-words formatting shared by the page: byte counts, rates, type lists, job ids from URLs.
 * Binary units (1 MiB = 1,048,576 bytes), matching what the CLI prints.
 */

const UNITS = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

/** "8 MiB", "1.5 GiB", "900 bytes". */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '?';
  for (const [name, factor] of UNITS) {
    if (bytes >= factor) {
      const value = bytes / factor;
      const text = value >= 100 || Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1);
      return `${text} ${name}`;
    }
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}

/** "12.3 MiB/s", or '' when there is not enough to say. */
export function formatRate(bytesPerSecond) {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 0..100, rounded down so that 100 % means every byte. */
export function percent(done, total) {
  if (!Number.isFinite(total) || total <= 0) return 0;
  return Math.min(100, Math.floor((done / total) * 100));
}

/** The tus upload id is the job id: the last path segment of the upload URL. */
export function jobIdFromUploadUrl(url) {
  const path = new URL(url, window.location.href).pathname.replace(/\/+$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Whether `type` is allowed by a list of media types, where "image/*" covers every image type. */
export function typeAllowed(type, allowedTypes) {
  if (!Array.isArray(allowedTypes) || allowedTypes.length === 0 || type === '') return true;
  const wanted = type.toLowerCase();
  return allowedTypes.some((allowed) => {
    const rule = String(allowed).toLowerCase();
    return rule === wanted || rule === '*/*' || (rule.endsWith('/*') && wanted.startsWith(rule.slice(0, -1)));
  });
}

/** Groups of media types, named the way people talk about files. First match wins. */
const TYPE_GROUPS = [
  ['PDF', (t) => t === 'application/pdf'],
  ['Office documents', (t) => /msword|ms-excel|ms-powerpoint|officedocument|opendocument/.test(t)],
  ['images', (t) => t.startsWith('image/')],
  ['video', (t) => t.startsWith('video/')],
  ['audio', (t) => t.startsWith('audio/')],
  ['text', (t) => t.startsWith('text/')],
  ['archives', (t) => /zip|gzip|x-tar|x-7z|x-rar/.test(t)],
  ['JSON', (t) => t === 'application/json'],
  ['other files', (t) => t === 'application/octet-stream'],
];

/** "PDF, Office documents, images and video" (then "and N more") — short enough for a hint line. */
export function describeTypes(allowedTypes, shown = 9) {
  if (!Array.isArray(allowedTypes) || allowedTypes.length === 0) return 'any type';
  if (allowedTypes.includes('*/*')) return 'any type';
  const names = [];
  for (const raw of allowedTypes) {
    const type = String(raw).toLowerCase();
    const group = TYPE_GROUPS.find(([, matches]) => matches(type));
    const name = group ? group[0] : type;
    if (!names.includes(name)) names.push(name);
  }
  names.sort((a, b) => groupRank(a) - groupRank(b));
  if (names.length <= shown) return capitalise(joinWords(names));
  return capitalise(`${names.slice(0, shown).join(', ')} and ${names.length - shown} more`);
}

function groupRank(name) {
  const index = TYPE_GROUPS.findIndex(([group]) => group === name);
  return index === -1 ? TYPE_GROUPS.length : index;
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function joinWords(words) {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
