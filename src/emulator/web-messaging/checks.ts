/**
 * The server's own checks of an onAttachment request against the deployment (contract §4): the
 * same ones a client should make first, plus the name rules. Returns a GenerateUrlError code, or
 * undefined when the file may be uploaded.
 */
import type { WebMessagingDeployment } from './settings.js';

/** Longest accepted file name: 1024 characters and more is 4005. */
export const MAX_FILE_NAME = 1023;

// Path separators and control characters make a name invalid (4004).
// eslint-disable-next-line no-control-regex
const BAD_NAME = /[/\\\u0000-\u001f\u007f]/;

export function extensionOf(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return undefined;
  return fileName.slice(dot).toLowerCase();
}

/** `fileTypes` entries may be exact types, `type/*` or `*\/*`; comparison ignores case. */
export function typeAllowed(fileType: string, fileTypes: readonly string[]): boolean {
  const type = fileType.toLowerCase();
  const major = type.split('/')[0];
  return fileTypes.some((entry) => {
    const e = entry.toLowerCase();
    return e === '*/*' || e === type || (e.endsWith('/*') && e.slice(0, -2) === major);
  });
}

export function attachmentCheck(d: WebMessagingDeployment, fileName: string, fileType: string, fileSize: number): number | undefined {
  if (d.fileTypes === null) return 4000;
  if (fileName.length > MAX_FILE_NAME) return 4005;
  if (fileName.trim() === '' || BAD_NAME.test(fileName)) return 4004;
  const ext = extensionOf(fileName);
  if (ext === undefined) return 4004; // extensions are required on every attachment
  if (d.blockedExtensions.some((b) => b.toLowerCase() === ext)) return 4001;
  if (!typeAllowed(fileType, d.fileTypes)) return 4001;
  if (fileSize === 0) return 4102;
  if (fileSize > d.maxFileSizeKB * 1000) return 4002;
  return undefined;
}

/** Web Messaging's attachment mediaType, from the MIME type. */
export function mediaTypeOf(mime: string): 'Image' | 'Video' | 'Audio' | 'File' {
  if (mime.startsWith('image/')) return 'Image';
  if (mime.startsWith('video/')) return 'Video';
  if (mime.startsWith('audio/')) return 'Audio';
  return 'File';
}
