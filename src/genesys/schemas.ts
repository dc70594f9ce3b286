/**
 * Shapes of the {api} responses we use (PROTOCOL.md §2-§7), validated at the boundary. Unknown
 * fields are ignored (only the fields we use are copied out); counts and sizes from outside are
 * bounded so that a broken or hostile server cannot make us allocate without limit.
 */
import { ShapeError, array, integer, matching, object, optionalString, string, type Json } from './validate.js';

export const MAX_CHUNK_SIZE = 5 * 1024 ** 3; // 5 GiB, the largest S3 part
export const MAX_CHUNKS = 1_000_000;
const ID_MAX = 1024;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SEGMENT_CHECKSUM = /^sha256:[0-9a-fA-F]{64}$/;

function id(o: Json, key: string, path = ''): string {
  return string(o, key, path, ID_MAX, 1);
}
function size(o: Json, key: string, path = ''): number {
  return integer(o, key, path, 0, Number.MAX_SAFE_INTEGER);
}
function sha256(o: Json, key: string, path = ''): string {
  return matching(o, key, path, SHA256_HEX, '64 hex digits').toLowerCase();
}
function checksum(value: unknown, path: string): string {
  if (typeof value !== 'string' || !SEGMENT_CHECKSUM.test(value)) throw new ShapeError(path, 'expected "sha256:<64 hex digits>"');
  return value.toLowerCase();
}
function timestamp(o: Json, key: string, path = ''): string {
  const value = string(o, key, path, 64);
  if (Number.isNaN(Date.parse(value))) throw new ShapeError(`${path}${key}`, 'expected an ISO-8601 date');
  return value;
}
function httpUrl(o: Json, key: string, path = ''): string {
  const value = string(o, key, path, 16_384);
  if (!/^https?:\/\//i.test(value) || !URL.canParse(value)) throw new ShapeError(`${path}${key}`, 'expected an http(s) URL');
  return value;
}

export interface InitiateResponse {
  uploadId: string;
  presignedUrl: string;
  chunkSize: number;
  maxChunks: number;
  expiresAt: string;
}

export function initiateResponse(body: unknown): InitiateResponse {
  const o = object(body, '');
  return {
    uploadId: id(o, 'uploadId'),
    presignedUrl: httpUrl(o, 'presignedUrl'),
    chunkSize: integer(o, 'chunkSize', '', 1, MAX_CHUNK_SIZE),
    maxChunks: integer(o, 'maxChunks', '', 1, MAX_CHUNKS),
    expiresAt: timestamp(o, 'expiresAt'),
  };
}

export interface StoredSegment {
  index: number;
  size: number;
  checksum: string;
}

export interface UploadStatus {
  uploadId: string;
  fileName: string;
  contentType: string;
  totalSize: number;
  chunkSize: number;
  maxChunks: number;
  state: 'open' | 'completed' | 'aborted';
  segments: StoredSegment[];
  presignedUrl: string;
  expiresAt: string;
  fileId?: string;
}

export function uploadStatus(body: unknown): UploadStatus {
  const o = object(body, '');
  const maxChunks = integer(o, 'maxChunks', '', 1, MAX_CHUNKS);
  const state = string(o, 'state', '', 16);
  if (state !== 'open' && state !== 'completed' && state !== 'aborted') throw new ShapeError('state', 'expected open, completed or aborted');
  const segments = array(o, 'segments', '', maxChunks).map((raw, i) => {
    const path = `segments.${i}.`;
    const s = object(raw, path);
    return {
      index: integer(s, 'index', path, 0, maxChunks - 1),
      size: size(s, 'size', path),
      checksum: checksum(s['checksum'], `${path}checksum`),
    };
  });
  const fileId = optionalString(o, 'fileId', '', ID_MAX, 1);
  return {
    uploadId: id(o, 'uploadId'),
    fileName: string(o, 'fileName', ''),
    contentType: string(o, 'contentType', ''),
    totalSize: size(o, 'totalSize'),
    chunkSize: integer(o, 'chunkSize', '', 1, MAX_CHUNK_SIZE),
    maxChunks,
    state,
    segments,
    presignedUrl: httpUrl(o, 'presignedUrl'),
    expiresAt: timestamp(o, 'expiresAt'),
    ...(fileId !== undefined && { fileId }),
  };
}

export interface CompleteResponse {
  fileId: string;
  name: string;
  size: number;
  contentType: string;
  /** Whole-file SHA-256, lowercase hex. */
  sha256: string;
}

export function completeResponse(body: unknown): CompleteResponse {
  const o = object(body, '');
  return { fileId: id(o, 'fileId'), name: string(o, 'name', ''), size: size(o, 'size'), contentType: string(o, 'contentType', ''), sha256: sha256(o, 'sha256') };
}

export interface FileMetadata {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  checksums: string[];
  createdAt: string;
}

export function fileMetadata(body: unknown): FileMetadata {
  const o = object(body, '');
  return {
    id: id(o, 'id'),
    name: string(o, 'name', ''),
    contentType: string(o, 'contentType', ''),
    size: size(o, 'size'),
    sha256: sha256(o, 'sha256'),
    checksums: array(o, 'checksums', '', MAX_CHUNKS).map((c, i) => checksum(c, `checksums.${i}`)),
    createdAt: timestamp(o, 'createdAt'),
  };
}

export interface Guest {
  id: string;
  /** The guest's own token: treat as a secret. */
  token: string;
}

export function guest(body: unknown): Guest {
  const o = object(body, '');
  return { id: id(o, 'id'), token: string(o, 'token', '', 16_384) };
}

export interface CreatedMessage {
  id: string;
}

export function createdMessage(body: unknown): CreatedMessage {
  return { id: id(object(body, ''), 'id') };
}

export interface Message {
  id: string;
  guestId: string;
  to: string[];
  text: string;
  attachments: Array<{ id: string; name: string; size: number; contentType: string; sha256: string }>;
  createdAt: string;
}

export function message(body: unknown): Message {
  const o = object(body, '');
  return {
    id: id(o, 'id'),
    guestId: id(o, 'guestId'),
    to: array(o, 'to', '', 100).map((t, i) => {
      if (typeof t !== 'string' || t.length > 1024) throw new ShapeError(`to.${i}`, 'expected a string');
      return t;
    }),
    text: string(o, 'text', '', 100_000),
    attachments: array(o, 'attachments', '', 100).map((raw, i) => {
      const path = `attachments.${i}.`;
      const a = object(raw, path);
      return { id: id(a, 'id', path), name: string(a, 'name', path), size: size(a, 'size', path), contentType: string(a, 'contentType', path), sha256: sha256(a, 'sha256', path) };
    }),
    createdAt: timestamp(o, 'createdAt'),
  };
}

/** A guest's messages, newest first (PROTOCOL.md §7). */
export function guestMessages(body: unknown): Message[] {
  return array(object(body, ''), 'entities', '', 10_000).map((raw) => message(raw));
}

/** `details` of 400 checksum.mismatch and 409 upload.incomplete (PROTOCOL.md §5): the indexes; undefined if malformed. */
export function indexDetails(details: unknown): Array<{ index: number }> | undefined {
  if (!Array.isArray(details) || details.length > MAX_CHUNKS) return undefined;
  const out: Array<{ index: number }> = [];
  for (const entry of details) {
    const index = (entry as { index?: unknown } | null)?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) return undefined;
    out.push({ index });
  }
  return out;
}
