/**
 * Where the S3 store's memory goes before a byte moves: RSS (and V8 heap) after each step the
 * upload process takes, in order — the engine, node:http/https (the part transport), @smithy/signature-v4
 * (the part URLs' signer), the store module, the AWS SDK (loaded on first use), then the SDK client
 * made and one URL signed (credentials resolved, endpoint rules run). Each step's delta is what it
 * adds; shared dependencies count where they are first loaded.
 * Input: {"endpoint", "bucket", "accessKeyId", "secretAccessKey"}.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { measureSelf, readWorkerInput } from '../../lib/measure.mjs';

const input = readWorkerInput();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const MiB = 1024 * 1024;
// A full GC before each reading, so that a step's delta is what it keeps, not the garbage it left.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const steps = [];
const mark = (step) => {
  gc();
  const m = process.memoryUsage();
  steps.push({ step, rssMiB: m.rss / MiB, heapMiB: m.heapTotal / MiB });
};

await measureSelf(async () => {
  mark('plain node');
  await import('../../../dist/upload/run-upload.js');
  mark('the engine (dist/upload)');
  await import('node:https');
  mark('node:http/https (the part transport)');
  await import('@smithy/signature-v4');
  mark('@smithy/signature-v4 (part URLs)');
  const { S3LinkStore } = await import('../../../dist/destinations/s3/index.js');
  mark('the S3 store module');
  await import('@aws-sdk/client-s3');
  mark('@aws-sdk/client-s3 (control calls)');
  const store = new S3LinkStore({
    location: `s3://${input.bucket}/bench/`,
    endpoint: input.endpoint,
    credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
  });
  const { signer } = await store.connection.load();
  await signer.presign({ method: 'PUT', bucket: input.bucket, key: 'bench/probe', query: { 'x-id': 'PutObject' }, headers: {} }, new Date(), 60);
  mark('SDK client made, one URL signed');
  store.close();
  return { bytes: 0, extra: { steps } };
});
