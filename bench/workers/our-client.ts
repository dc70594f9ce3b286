/**
 * Our client, end to end: `sendFile` (token, initiate, parallel segment PUTs with SHA-256,
 * complete, guest, message) against the emulator started by the orchestrator, with the emulator's
 * demo client. Reports the upload result so the orchestrator can check the delivered digest.
 * Input: {"filePath": string, "baseUrl": string, "concurrency": number}.
 */
import { resolveConfig } from '../../src/config/index.js';
import { createGenesysClient } from '../../src/relay/index.js';
import { sendFile } from '../../src/relay/send-file.js';
import { measureSelf, readWorkerInput } from '../lib/self-measure.js';

interface Input {
  filePath: string;
  baseUrl: string;
  concurrency: number;
}

const input = readWorkerInput<Input>();
// An empty env: settings in the user's environment (GENESYS_*) must not redirect the benchmark.
const config = resolveConfig({ env: {}, flags: { clientId: 'demo-client', clientSecret: 'demo-secret', baseUrl: input.baseUrl } });
const client = createGenesysClient(config);

try {
  await measureSelf(async () => {
    const result = await sendFile(client, {
      filePath: input.filePath,
      to: ['+15550100'],
      text: 'Benchmark file.',
      concurrency: input.concurrency,
      onEvent: () => {},
    });
    return {
      bytes: result.size,
      extra: {
        result: {
          fileId: result.fileId,
          sha256: result.sha256,
          size: result.size,
          chunks: result.chunks,
          chunkSize: result.chunkSize,
          retries: result.retries,
          bytesSent: result.bytesSent,
          seconds: result.seconds,
        },
      },
    };
  });
} finally {
  await client.close();
}
