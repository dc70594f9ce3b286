/**
 * Baseline: `@aws-sdk/lib-storage` `Upload` of the same file to the same S3 endpoint, the way a
 * Node app would do it with the same integrity: a read stream as Body, the same part size,
 * queueSize = concurrency, ChecksumAlgorithm SHA256 (a SHA-256 per part, composite on Complete).
 * Input: {"filePath", "endpoint", "bucket", "accessKeyId", "secretAccessKey", "queueSize", "partSize"}.
 */
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { measureSelf, readWorkerInput } from '../../lib/measure.mjs';

const input = readWorkerInput();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const client = new S3Client({
  region: 'us-east-1',
  endpoint: input.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
});

await measureSelf(async () => {
  const upload = new Upload({
    client,
    params: { Bucket: input.bucket, Key: 'bench/lib-storage.bin', Body: createReadStream(input.filePath), ChecksumAlgorithm: 'SHA256' },
    queueSize: input.queueSize,
    partSize: input.partSize,
  });
  let parts = 0;
  upload.on('httpUploadProgress', (progress) => {
    if (progress.part !== undefined) parts = Math.max(parts, progress.part);
  });
  const result = await upload.done();
  return { bytes: input.size, extra: { etag: result.ETag, key: result.Key, checksum: result.ChecksumSHA256, parts } };
});
client.destroy();
