/** Raw HTTP/1.1 over a socket, for requests no well-behaved client would send. */
import { connect } from 'node:net';

export interface RawReply {
  status: number;
  head: string;
  body: string;
}

/** Writes `data`, half-closes, and collects everything until the server closes or answers completely. */
export function rawRequest(port: number, data: string | Buffer, options: { halfClose?: boolean } = {}): Promise<RawReply | 'closed'> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m) return resolve('closed');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(m[1]), head: text.slice(0, split), body: text.slice(split + 4) });
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // One full answer with a Content-Length is enough.
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const len = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split));
      if (split >= 0 && len && text.length - split - 4 >= Number(len[1])) {
        socket.destroy();
        finish();
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? finish() : reject(e)));
    socket.on('close', finish);
    socket.write(data);
    if (options.halfClose) socket.end();
  });
}
