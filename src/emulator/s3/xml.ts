/** The little XML the S3 endpoint writes and reads (results, and the CompleteMultipartUpload body). */

const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

export const xmlEscape = (s: string): string => s.replace(/[<>&"']/g, (c) => ESCAPES[c] ?? c);

const unescape = (s: string): string =>
  s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec !== undefined) return String.fromCodePoint(Number(dec));
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[name] ?? '';
  });

type Node = string | number | undefined | Node[] | { [name: string]: Node };

/** `{A: 1, B: [{C: 'x'}, {C: 'y'}]}` → `<A>1</A><B><C>x</C></B><B><C>y</C></B>`; undefined fields are left out. */
export function toXml(fields: Record<string, Node>): string {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item === undefined) continue;
      const inner = typeof item === 'object' ? toXml(item as Record<string, Node>) : xmlEscape(String(item));
      out += `<${name}>${inner}</${name}>`;
    }
  }
  return out;
}

export function document(root: string, fields: Record<string, Node>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${toXml(fields)}</${root}>`;
}

export interface CompletePart {
  partNumber: number;
  etag: string | undefined;
  checksumSHA256: string | undefined;
}

/** The parts of a CompleteMultipartUpload body, in the order given; undefined when it is not that document. */
export function parseCompleteBody(xml: string): CompletePart[] | undefined {
  const body = xml.replace(/<\?xml[^>]*\?>/, '').trim();
  const root = /^<CompleteMultipartUpload(?:\s[^>]*)?>([\s\S]*)<\/CompleteMultipartUpload>$/.exec(body);
  if (!root) return undefined;
  const inner = root[1] ?? '';
  const parts: CompletePart[] = [];
  const partRe = /<Part>([\s\S]*?)<\/Part>/g;
  let rest = inner;
  for (const m of inner.matchAll(partRe)) {
    const text = m[1] ?? '';
    const field = (name: string) => {
      const f = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
      return f ? unescape(f[1] ?? '').trim() : undefined;
    };
    const number = field('PartNumber');
    if (number === undefined || !/^\d{1,5}$/.test(number)) return undefined;
    parts.push({ partNumber: Number(number), etag: field('ETag'), checksumSHA256: field('ChecksumSHA256') });
    rest = rest.replace(m[0], '');
  }
  if (rest.trim() !== '' || parts.length === 0) return undefined;
  return parts;
}
