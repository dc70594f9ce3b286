/**
 * Shapes of the {api} responses we use (PROTOCOL.md §2-§7), validated at the boundary. Unknown
 * fields are ignored (zod strips them); counts and sizes from outside are bounded so that a broken
 * or hostile server cannot make us allocate without limit.
 */
import { z } from 'zod';

export const MAX_CHUNK_SIZE = 5 * 1024 ** 3; // 5 GiB, the largest S3 part
export const MAX_CHUNKS = 1_000_000;

const id = z.string().min(1).max(1024);
const sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase());
export const segmentChecksum = z
  .string()
  .regex(/^sha256:[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase());
const timestamp = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const httpUrl = z
  .string()
  .max(16_384)
  .refine((s) => /^https?:\/\//i.test(s) && URL.canParse(s), 'not an http(s) URL');
const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const initiateResponse = z.object({
  uploadId: id,
  presignedUrl: httpUrl,
  chunkSize: z.number().int().min(1).max(MAX_CHUNK_SIZE),
  maxChunks: z.number().int().min(1).max(MAX_CHUNKS),
  expiresAt: timestamp,
});
export type InitiateResponse = z.infer<typeof initiateResponse>;

export const uploadStatus = z
  .object({
    uploadId: id,
    fileName: z.string().max(1024),
    contentType: z.string().max(1024),
    totalSize: size,
    chunkSize: z.number().int().min(1).max(MAX_CHUNK_SIZE),
    maxChunks: z.number().int().min(1).max(MAX_CHUNKS),
    state: z.enum(['open', 'completed', 'aborted']),
    segments: z
      .array(z.object({ index: z.number().int().min(0).max(MAX_CHUNKS - 1), size: size, checksum: segmentChecksum }))
      .max(MAX_CHUNKS),
    presignedUrl: httpUrl,
    expiresAt: timestamp,
    fileId: id.optional(),
  })
  .refine((s) => s.segments.length <= s.maxChunks && s.segments.every((seg) => seg.index < s.maxChunks), 'more segments than maxChunks');
export type UploadStatus = z.infer<typeof uploadStatus>;

export const completeResponse = z.object({
  fileId: id,
  name: z.string().max(1024),
  size: size,
  contentType: z.string().max(1024),
  sha256: sha256Hex,
});
export type CompleteResponse = z.infer<typeof completeResponse>;

export const fileMetadata = z.object({
  id: id,
  name: z.string().max(1024),
  contentType: z.string().max(1024),
  size: size,
  sha256: sha256Hex,
  checksums: z.array(segmentChecksum).max(MAX_CHUNKS),
  createdAt: timestamp,
});
export type FileMetadata = z.infer<typeof fileMetadata>;

export const guest = z.object({ id: id, token: z.string().max(16_384) });
export type Guest = z.infer<typeof guest>;

export const createdMessage = z.object({ id: id });
export type CreatedMessage = z.infer<typeof createdMessage>;

export const message = z.object({
  id: id,
  guestId: id,
  to: z.array(z.string().max(1024)).max(100),
  text: z.string().max(100_000),
  attachments: z
    .array(z.object({ id: id, name: z.string().max(1024), size: size, contentType: z.string().max(1024), sha256: sha256Hex }))
    .max(100),
  createdAt: timestamp,
});
export type Message = z.infer<typeof message>;

/** `details` of 400 checksum.mismatch and 409 upload.incomplete (PROTOCOL.md §5). */
export const indexDetails = z.array(z.object({ index: z.number().int().min(0).max(MAX_CHUNKS - 1) })).max(MAX_CHUNKS);
