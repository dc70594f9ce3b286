/**
 * A tiny HTTP sink for the raw-PUT baseline: reads and drops every request body, answers 200 with
 * the byte count. `GET /__bench/stats` reports what it has received, so the orchestrator can check
 * that every byte arrived. Prints its URL as one line on stdout when listening (loopback only).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let bytesReceived = 0;
let bodies = 0;

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/__bench/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ bytesReceived, bodies }));
    return;
  }
  let bytes = 0;
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  request.on('end', () => {
    bytesReceived += bytes;
    bodies += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ bytes }));
  });
  request.on('error', () => response.destroy());
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
