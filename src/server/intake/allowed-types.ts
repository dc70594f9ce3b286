/**
 * Which media types the service accepts: the default allowlist (what the README lists) and the
 * match of a declared type against an allowlist of exact types, `type/*` and `*\/*`.
 */

/**
 * The default allowlist: common document, image, audio and video types, as the README says. Not
 * application/octet-stream (the type of every unknown extension, executables included), archives
 * or scripts: an operator who wants them lists them (or *\/*) with --allowed-types.
 */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = Object.freeze(
  [
    'application/pdf',
    'application/rtf',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'application/vnd.oasis.opendocument.presentation',
    'text/plain',
    'text/csv',
    'image/png',
    'image/jpeg',
    'image/gif',
    'image/webp',
    'image/heic',
    'image/tiff',
    'audio/mpeg',
    'audio/wav',
    'audio/mp4',
    'audio/ogg',
    'video/mp4',
    'video/quicktime',
    'video/webm',
  ].sort(),
);

/** Whether `contentType` (parameters ignored, case-insensitive) matches the allowlist. */
export function typeAllowed(allowedTypes: readonly string[], contentType: string): boolean {
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  const [type] = essence.split('/');
  return allowedTypes.some((allowed) => allowed === '*/*' || allowed === essence || allowed === `${type}/*`);
}
