/**
 * Baseline: the whole file as one streamed PUT with undici to the discard server. No hashing, no
 * chunking: the cost of just moving the bytes through Node's HTTP stack on loopback.
 * Input: {"filePath": string, "url": string, "size": number}.
 */
import { createReadStream } from 'node:fs';
import { Agent, request } from 'undici';
import { measureSelf, readWorkerInput } from '../lib/self-measure.js';
import { MiB } from '../lib/sizes.js';

interface Input {
  filePath: string;
  url: string;
  size: number;
}

const input = readWorkerInput<Input>();
const dispatcher = new Agent({ connections: 1 });

await measureSelf(async () => {
  const response = await request(new URL('/raw-put', input.url), {
    method: 'PUT',
    dispatcher,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(input.size) },
    body: createReadStream(input.filePath, { highWaterMark: 4 * MiB }),
  });
  const answer = (await response.body.json()) as { bytes?: number };
  if (response.statusCode !== 200) throw new Error(`discard server answered ${response.statusCode}`);
  return { bytes: input.size, extra: { serverBytes: answer.bytes } };
});

await dispatcher.close();
