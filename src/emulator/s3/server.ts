/**
 * The S3 endpoint's own listener. Path-style S3 puts the bucket first in the path, which would
 * collide with the emulator's REST routes, so it gets its own port; it shares the emulator's
 * clock, settings, fault rules, counters and request log.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientErrorHandler } from '../client-error.js';
import type { S3Env } from './call.js';
import { dispatchS3 } from './dispatch.js';

export interface S3Listener {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Requests Node's parser refuses, answered in S3's XML; a body cut short goes to its handler. */
const onClientError = clientErrorHandler(['s3-part', 's3-put'], {
  contentType: 'application/xml',
  idHeader: 'x-amz-request-id',
  body: (tooLarge, id) =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${tooLarge ? 'RequestHeaderSectionTooLarge' : 'BadRequest'}</Code>` +
    `<Message>${tooLarge ? 'Your request header section exceeds the maximum allowed size.' : 'The request is not valid HTTP/1.1.'}</Message><RequestId>${id}</RequestId></Error>`,
});

export async function startS3Listener(s3: Omit<S3Env, 'url'>, host: string, port: number): Promise<S3Listener> {
  let url = '';
  const env: S3Env = { ...s3, url: () => url };
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    const work = dispatchS3(req, res, env);
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  });
  server.on('clientError', onClientError);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${shown}:${address.port}`;
  return {
    url,
    port: address.port,
    close: async () => {
      server.close();
      server.closeAllConnections();
      await Promise.allSettled([...inFlight]);
    },
  };
}
