/**
 * Baseline: `@aws-sdk/lib-storage` `Upload` of the file to the local S3 discard server, the way a
 * typical Node app would ship a large file to S3: a read stream as Body, 5 MiB parts, N parallel
 * part uploads, no extra checksums (`requestChecksumCalculation: 'WHEN_REQUIRED'`).
 * Input: {"filePath": string, "url": string, "size": number, "queueSize": number}.
 */
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { measureSelf, readWorkerInput } from '../lib/self-measure.js';
import { MiB } from '../lib/sizes.js';

interface Input {
  filePath: string;
  url: string;
  size: number;
  queueSize: number;
}

const input = readWorkerInput<Input>();
// The SDK warns on Node < 22 at client construction; the warning is noise in the bench output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const client = new S3Client({
  region: 'us-east-1',
  endpoint: input.url,
  forcePathStyle: true,
  // Fake credentials: the discard server checks no signature.
  credentials: { accessKeyId: 'BENCHACCESSKEY', secretAccessKey: 'bench-secret-not-real' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

await measureSelf(async () => {
  const upload = new Upload({
    client,
    params: { Bucket: 'bench', Key: 'large-file.bin', Body: createReadStream(input.filePath) },
    queueSize: input.queueSize,
    partSize: 5 * MiB,
  });
  const result = await upload.done();
  return { bytes: input.size, extra: { etag: result.ETag } };
});

client.destroy();
