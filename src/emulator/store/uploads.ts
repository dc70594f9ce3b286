/**
 * Uploads on disk: `uploads/<uploadId>/upload.json` (the metadata, written atomically) and one
 * file per stored segment, `seg-<index>-<sha256 hex>`. The checksum lives in the name so that
 * storing a segment is a single rename (no metadata rewrite per segment, which would cost
 * O(segments²) bytes for a 10,000-segment upload) and a restart can rebuild the segment table
 * from a directory listing. Segment bodies are first streamed to `tmp-<random>` files, which a
 * restart deletes.
 *
 * Callers hold `lock(uploadId)` around anything that changes an upload (store a segment, abort,
 * complete).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isId } from '../ids.js';
import type { JsonWriter } from './json-writer.js';
import { KeyedMutex } from './keyed-mutex.js';

export type UploadStateName = 'open' | 'completed' | 'aborted';

export interface UploadMeta {
  uploadId: string;
  fileName: string;
  contentType: string;
  totalSize: number;
  chunkSize: number;
  maxChunks: number;
  createdAt: string;
  state: UploadStateName;
  fileId?: string;
}

export interface StoredSegment {
  index: number;
  size: number;
  /** Lowercase hex SHA-256 of the stored bytes. */
  sha256: string;
}

export interface Upload {
  meta: UploadMeta;
  segments: Map<number, StoredSegment>;
}

const SEGMENT_FILE = /^seg-(\d{1,9})-([0-9a-f]{64})$/;

export function segmentCount(meta: UploadMeta): number {
  return Math.ceil(meta.totalSize / meta.chunkSize);
}

/** Exact byte length of segment `index` (PROTOCOL.md section 3). */
export function segmentLength(meta: UploadMeta, index: number): number {
  return Math.min((index + 1) * meta.chunkSize, meta.totalSize) - index * meta.chunkSize;
}

export class UploadStore {
  readonly #dir: string;
  readonly #writer: JsonWriter;
  readonly #uploads = new Map<string, Upload>();
  readonly #mutex = new KeyedMutex();

  private constructor(dir: string, writer: JsonWriter) {
    this.#dir = dir;
    this.#writer = writer;
  }

  static async open(dir: string, writer: JsonWriter): Promise<UploadStore> {
    const store = new UploadStore(dir, writer);
    await mkdir(dir, { recursive: true });
    const loaded: Upload[] = [];
    for (const name of await readdir(dir)) {
      if (!isId(name)) continue;
      const upload = await store.#load(name);
      if (upload) loaded.push(upload);
    }
    loaded.sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt));
    for (const upload of loaded) store.#uploads.set(upload.meta.uploadId, upload);
    return store;
  }

  get(uploadId: string): Upload | undefined {
    return isId(uploadId) ? this.#uploads.get(uploadId) : undefined;
  }

  all(): Upload[] {
    return [...this.#uploads.values()];
  }

  lock<T>(uploadId: string, task: () => Promise<T>): Promise<T> {
    return this.#mutex.run(uploadId, task);
  }

  async create(meta: UploadMeta): Promise<Upload> {
    await mkdir(join(this.#dir, meta.uploadId), { recursive: true });
    await this.#writeMeta(meta);
    const upload = { meta, segments: new Map<number, StoredSegment>() };
    this.#uploads.set(meta.uploadId, upload);
    return upload;
  }

  /** A unique temp path in the upload's directory for a segment body being received. */
  tempPath(uploadId: string): string {
    return join(this.#dir, uploadId, `tmp-${randomUUID()}`);
  }

  async discardTemp(tempPath: string): Promise<void> {
    await unlink(tempPath).catch(() => undefined);
  }

  segmentPath(uploadId: string, segment: StoredSegment): string {
    return join(this.#dir, uploadId, `seg-${segment.index}-${segment.sha256}`);
  }

  /** Under lock: moves a fully received, verified temp file into place, replacing any earlier copy. */
  async commitSegment(upload: Upload, tempPath: string, segment: StoredSegment): Promise<void> {
    const id = upload.meta.uploadId;
    await rename(tempPath, this.segmentPath(id, segment));
    const previous = upload.segments.get(segment.index);
    upload.segments.set(segment.index, segment);
    if (previous && previous.sha256 !== segment.sha256) {
      await unlink(this.segmentPath(id, previous)).catch(() => undefined);
    }
  }

  /** Under lock: marks the upload aborted and discards its segments. */
  async abort(upload: Upload): Promise<void> {
    upload.meta = { ...upload.meta, state: 'aborted' };
    await this.#writeMeta(upload.meta);
    const stored = [...upload.segments.values()];
    upload.segments.clear();
    await Promise.all(stored.map((s) => unlink(this.segmentPath(upload.meta.uploadId, s)).catch(() => undefined)));
  }

  /** Under lock: the upload is completed; its segment files become the file's immutable content. */
  async markCompleted(upload: Upload, fileId: string): Promise<void> {
    const meta: UploadMeta = { ...upload.meta, state: 'completed', fileId };
    await this.#writeMeta(meta);
    upload.meta = meta;
  }

  #writeMeta(meta: UploadMeta): Promise<void> {
    return this.#writer.write(join(this.#dir, meta.uploadId, 'upload.json'), meta);
  }

  async #load(uploadId: string): Promise<Upload | undefined> {
    const dir = join(this.#dir, uploadId);
    let meta: UploadMeta;
    try {
      meta = JSON.parse(await readFile(join(dir, 'upload.json'), 'utf8')) as UploadMeta;
      if (meta.uploadId !== uploadId) return undefined;
    } catch {
      // No metadata: the initiate never finished. Nothing in it was ever acknowledged.
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    const segments = new Map<number, StoredSegment & { mtimeMs: number }>();
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.startsWith('tmp-') || name.includes('.tmp-')) {
        await unlink(path).catch(() => undefined); // a body or metadata write cut short by a stop
        continue;
      }
      const m = SEGMENT_FILE.exec(name);
      if (!m) continue;
      if (meta.state === 'aborted') {
        await unlink(path).catch(() => undefined);
        continue;
      }
      const info = await stat(path);
      const segment = { index: Number(m[1]), size: info.size, sha256: m[2] ?? '', mtimeMs: info.mtimeMs };
      const other = segments.get(segment.index);
      // Two copies of one index: a stop between rename and unlink. Keep the newer one.
      if (other && other.mtimeMs >= segment.mtimeMs) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      if (other) await unlink(join(dir, `seg-${other.index}-${other.sha256}`)).catch(() => undefined);
      segments.set(segment.index, segment);
    }
    const clean = new Map<number, StoredSegment>();
    for (const [index, { size, sha256 }] of [...segments].sort((a, b) => a[0] - b[0])) clean.set(index, { index, size, sha256 });
    return { meta, segments: clean };
  }
}
