/**
 * The S3 endpoint's storage: bucket → key → object, and the open multipart uploads with their
 * parts. Bytes live in files under `<dataDir>/s3/` (a 5 GiB part never sits in memory); the
 * bookkeeping lives in memory, so objects do not survive an emulator restart (the Genesys side's
 * records do; S3 state is for one run: the demo, a test, a bench).
 *
 * A completed multipart object keeps its part files as its segments instead of copying them into
 * one file: completing a 4 GiB upload neither copies nor reads it (the state view's sha256 is
 * computed when first read).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedMutex } from '../store/keyed-mutex.js';

export interface Segment {
  path: string;
  size: number;
}

export interface StoredPart extends Segment {
  partNumber: number;
  /** MD5 of the bytes received (hex): the part's ETag without quotes. */
  md5: string;
  /** SHA-256 of the bytes received (base64): the part's ChecksumSHA256. */
  sha256: string;
  /** SHA-256 (hex) of the stored copy (differs from `sha256` after a corrupt fault). */
  storedSha256: string;
  lastModified: number;
}

export interface ObjectHeaders {
  contentType: string;
  contentDisposition?: string;
  metadata: Record<string, string>;
}

export interface MultipartUpload extends ObjectHeaders {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  checksumAlgorithm?: 'SHA256';
  parts: Map<number, StoredPart>;
}

export interface StoredObject extends ObjectHeaders {
  bucket: string;
  key: string;
  size: number;
  segments: Segment[];
  /** Quoted, as S3 sends it: `"md5hex"` or `"md5-of-md5s-N"`. */
  etag: string;
  checksumSHA256?: string;
  checksumType?: 'FULL_OBJECT' | 'COMPOSITE';
  /** SHA-256 (hex) of the stored bytes (a completed multipart object computes it when first read). */
  readonly sha256: string;
  lastModified: number;
  partCount?: number;
}

/** What a completed upload answered, so a retried Complete (its answer was lost) gets the same answer. */
export interface CompletedUpload {
  bucket: string;
  key: string;
  parts: Array<{ partNumber: number; etag: string }>;
  etag: string;
  checksumSHA256?: string;
}

export class S3Store {
  readonly #dir: string;
  readonly #objects = new Map<string, Map<string, StoredObject>>();
  readonly #uploads = new Map<string, MultipartUpload>();
  readonly #completed = new Map<string, CompletedUpload>();
  readonly #mutex = new KeyedMutex();

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async open(dir: string): Promise<S3Store> {
    // Bookkeeping is in memory: bytes left by an earlier run can never be reached again.
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'data'), { recursive: true });
    await mkdir(join(dir, 'tmp'), { recursive: true });
    return new S3Store(dir);
  }

  tempPath(): string {
    return join(this.#dir, 'tmp', randomUUID());
  }

  /** Moves a received temp file into the store; returns its new path. */
  async commit(tempPath: string): Promise<string> {
    const path = join(this.#dir, 'data', randomUUID());
    await rename(tempPath, path);
    return path;
  }

  async discard(paths: Iterable<string>): Promise<void> {
    await Promise.all([...paths].map((p) => unlink(p).catch(() => undefined)));
  }

  lock<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.#mutex.run(key, task);
  }

  createUpload(init: Omit<MultipartUpload, 'uploadId' | 'parts'>): MultipartUpload {
    // Real upload ids are long opaque strings; ours are too, and URL-safe.
    const uploadId = randomBytes(32).toString('base64url');
    const upload: MultipartUpload = { ...init, uploadId, parts: new Map() };
    this.#uploads.set(uploadId, upload);
    return upload;
  }

  upload(uploadId: string): MultipartUpload | undefined {
    return this.#uploads.get(uploadId);
  }

  uploads(): MultipartUpload[] {
    return [...this.#uploads.values()];
  }

  completed(uploadId: string): CompletedUpload | undefined {
    return this.#completed.get(uploadId);
  }

  /** Replaces a part; returns the path of the copy it replaced, if any, for the caller to delete. */
  putPart(upload: MultipartUpload, part: StoredPart): string | undefined {
    const previous = upload.parts.get(part.partNumber);
    upload.parts.set(part.partNumber, part);
    return previous?.path;
  }

  /** Forgets an upload; returns its part files for the caller to delete. */
  endUpload(uploadId: string, completed?: CompletedUpload): string[] {
    const upload = this.#uploads.get(uploadId);
    this.#uploads.delete(uploadId);
    if (completed) this.#completed.set(uploadId, completed);
    return upload ? [...upload.parts.values()].map((p) => p.path) : [];
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.#objects.get(bucket)?.get(key);
  }

  objects(bucket: string): StoredObject[] {
    return [...(this.#objects.get(bucket)?.values() ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Stores (or replaces) an object; returns the replaced object's files for the caller to delete. */
  putObject(object: StoredObject): string[] {
    let bucket = this.#objects.get(object.bucket);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(object.bucket, bucket);
    }
    const previous = bucket.get(object.key);
    bucket.set(object.key, object);
    return previous ? previous.segments.map((s) => s.path) : [];
  }

  deleteObject(bucket: string, key: string): string[] {
    const previous = this.#objects.get(bucket)?.get(key);
    this.#objects.get(bucket)?.delete(key);
    return previous ? previous.segments.map((s) => s.path) : [];
  }
}
