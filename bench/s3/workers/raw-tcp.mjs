/**
 * The floor under any store that sends its bytes over TCP: the hashing the S3 store must do (a
 * SHA-256 per part plus one over the whole file, read once into pooled buffers) and the same bytes
 * written to `concurrency` loopback sockets, parts in flight as the engine keeps them — no HTTP,
 * no S3, no signing. The sink that swallows the bytes is a child process, so its CPU is not ours.
 * Input: {"filePath", "partSize", "concurrency"}.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import net from 'node:net';
import { measureSelf, readWorkerInput } from '../../lib/measure.mjs';

const input = readWorkerInput();
const SINK = `const s = require('node:net').createServer((c) => { c.resume(); c.on('end', () => c.end()); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
const sink = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  sink.once('error', reject);
  sink.stdout.setEncoding('utf8').once('data', (text) => resolve(Number(text.trim())));
});
const sockets = await Promise.all(
  Array.from({ length: input.concurrency }, () => new Promise((resolve, reject) => net.connect(port, '127.0.0.1').once('connect', function () { resolve(this); }).once('error', reject))),
);

try {
  await measureSelf(async () => {
    const handle = await open(input.filePath, 'r');
    const buffers = Array.from({ length: input.concurrency + 1 }, () => Buffer.allocUnsafeSlow(input.partSize));
    const whole = createHash('sha256');
    const inFlight = [];
    let bytes = 0;
    let parts = 0;
    try {
      for (;;) {
        const buffer = buffers[parts % buffers.length];
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
        if (bytesRead === 0) break;
        const piece = buffer.subarray(0, bytesRead);
        createHash('sha256').update(piece).digest();
        whole.update(piece);
        const socket = sockets[parts % sockets.length];
        inFlight.push(new Promise((resolve, reject) => socket.write(piece, (error) => (error ? reject(error) : resolve()))));
        // At most `concurrency` parts in flight: the buffer read next is not one still being sent.
        if (inFlight.length >= input.concurrency) await inFlight.shift();
        bytes += bytesRead;
        parts++;
      }
      await Promise.all(inFlight);
    } finally {
      await handle.close();
    }
    return { bytes, extra: { sha256: whole.digest('hex'), parts } };
  });
} finally {
  for (const socket of sockets) socket.destroy();
  sink.kill();
}
