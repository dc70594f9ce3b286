/**
 * Bytes stored as consecutive segment files, streamed in order, optionally limited to a byte
 * range: a completed file's content, and an S3 object's. Reads 256 KiB at a time and waits for the
 * consumer (back-pressure via Readable.from).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { FileRecord } from '../records.js';
import type { UploadStore } from './uploads.js';

const READ_BUFFER = 256 * 1024;

export interface SegmentFile {
  path: string;
  size: number;
}

/** Bytes start..end (inclusive) of the concatenation of `segments`. */
export function segmentsContent(segments: readonly SegmentFile[], start: number, end: number, onBytes: (n: number) => void): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let offset = 0;
    for (const segment of segments) {
      const segStart = offset;
      const segEnd = offset + segment.size - 1;
      offset += segment.size;
      if (segment.size === 0 || segEnd < start || segStart > end) continue;
      const stream = createReadStream(segment.path, {
        start: Math.max(start, segStart) - segStart,
        end: Math.min(end, segEnd) - segStart,
        highWaterMark: READ_BUFFER,
      });
      for await (const chunk of stream) {
        onBytes((chunk as Buffer).length);
        yield chunk as Buffer;
      }
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** A completed file's bytes start..end (inclusive), from its upload's segment files. */
export function fileContent(uploads: UploadStore, file: FileRecord, start: number, end: number, onBytes: (n: number) => void): Readable {
  const segments = file.checksums.map((checksum, index) => ({
    path: uploads.segmentPath(file.uploadId, { index, size: 0, sha256: checksum.slice(7) }),
    size: Math.max(0, Math.min(file.chunkSize, file.size - index * file.chunkSize)),
  }));
  return segmentsContent(segments, start, end, onBytes);
}
