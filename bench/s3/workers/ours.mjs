/**
 * Our S3 link store through the real engine (runUpload: buffer pool, each part read and hashed
 * once, N parts in flight over pre-signed UploadPart URLs), compiled (dist/), on plain node.
 * Input: {"filePath", "endpoint", "bucket", "accessKeyId", "secretAccessKey", "concurrency", "partSize"?,
 * "transport"?}: "undici" puts the parts through the engine's undici PUT (the S3 transport before it
 * moved to node:http), for a before/after comparison in one run (--compare-undici).
 */
import { createS3Transport, S3LinkStore } from '../../../dist/destinations/s3/index.js';
import { runUpload } from '../../../dist/upload/run-upload.js';
import { measureSelf, readWorkerInput } from '../../lib/measure.mjs';

const input = readWorkerInput();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const store = new S3LinkStore({
  location: `s3://${input.bucket}/bench/`,
  endpoint: input.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
  ...(input.partSize === undefined ? {} : { partSize: input.partSize }),
});
const transport = input.transport === 'undici' ? await undiciTransport() : createS3Transport();

async function undiciTransport() {
  const { createDispatcher } = await import('../../../dist/http/dispatcher.js');
  const { putPart } = await import('../../../dist/upload/put-part.js');
  const { systemClock, systemRandom } = await import('../../../dist/http/clock.js');
  const dispatcher = createDispatcher();
  return { clock: systemClock, random: systemRandom, putPart: (request) => putPart(dispatcher, request, () => systemClock.now()), close: () => dispatcher.close() };
}
// The store loads the AWS SDK on first use; load it here so that, as for the other rows, the
// measured operation excludes imports (the SDK's memory still counts in the peak RSS).
await store.connection.load();

await measureSelf(async () => {
  const result = await runUpload(store, transport, { filePath: input.filePath, concurrency: input.concurrency });
  return {
    bytes: result.stored.size,
    extra: {
      sha256: result.stored.sha256,
      verified: result.stored.verified,
      chunks: result.chunks,
      chunkSize: result.chunkSize,
      retries: result.retries,
      bytesSent: result.bytesSent,
      key: result.sessionId,
    },
  };
});
await transport.close();
store.close();
