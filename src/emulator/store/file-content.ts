/**
 * A completed file's bytes, streamed from its segment files in order, optionally limited to a
 * byte range. Reads 256 KiB at a time and waits for the consumer (back-pressure via Readable.from).
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { FileRecord } from '../records.js';
import type { UploadStore } from './uploads.js';

const READ_BUFFER = 256 * 1024;

export function fileContent(
  uploads: UploadStore,
  file: FileRecord,
  start: number,
  end: number,
  onBytes: (n: number) => void,
): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let index = 0; index < file.checksums.length; index++) {
      const segStart = index * file.chunkSize;
      const segEnd = Math.min(segStart + file.chunkSize, file.size) - 1;
      if (segEnd < start || segStart > end) continue;
      const path = uploads.segmentPath(file.uploadId, { index, size: 0, sha256: (file.checksums[index] ?? '').slice(7) });
      const stream = createReadStream(path, {
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
