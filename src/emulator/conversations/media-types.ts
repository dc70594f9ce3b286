/**
 * A media's type comes from its file name's extension (the upload request carries no type), and
 * the stored bytes must not contradict it: a `.png` whose bytes are a PDF fails validation
 * (`invalid`). Only types with an unmistakable file signature are checked; the rest pass.
 */
import { extname } from 'node:path';

const BY_EXTENSION: Readonly<Record<string, string>> = Object.freeze({
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.3gp': 'video/3gpp',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.amr': 'audio/amr',
  '.wav': 'audio/wav',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
});

export const UNKNOWN_MEDIA_TYPE = 'application/octet-stream';

export function mediaTypeFor(fileName: string): string {
  return BY_EXTENSION[extname(fileName).toLowerCase()] ?? UNKNOWN_MEDIA_TYPE;
}

/** The first bytes a file of the type must start with (any one of the alternatives). */
const SIGNATURES: Readonly<Record<string, Buffer[]>> = Object.freeze({
  'image/jpeg': [Buffer.from([0xff, 0xd8, 0xff])],
  'image/png': [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  'image/gif': [Buffer.from('GIF87a'), Buffer.from('GIF89a')],
  'application/pdf': [Buffer.from('%PDF-')],
  'application/zip': [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x50, 0x4b, 0x05, 0x06])],
});

/** Bytes needed to judge any signature above. */
export const SIGNATURE_PREFIX_BYTES = 8;

/** False when the type has a known signature and `head` (the first bytes) does not start with it. */
export function matchesSignature(mediaType: string, head: Buffer): boolean {
  const signatures = SIGNATURES[mediaType];
  if (!signatures) return true;
  return signatures.some((sig) => head.length >= sig.length && head.subarray(0, sig.length).equals(sig));
}

/** The normalized-message attachment kind Genesys uses: Image, Video, Audio or File. */
export function attachmentKind(mediaType: string): 'Image' | 'Video' | 'Audio' | 'File' {
  if (mediaType.startsWith('image/')) return 'Image';
  if (mediaType.startsWith('video/')) return 'Video';
  if (mediaType.startsWith('audio/')) return 'Audio';
  return 'File';
}
