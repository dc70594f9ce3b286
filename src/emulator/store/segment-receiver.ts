/**
 * Receiving one segment body: streamed into a unique temp file while it is hashed, pausing the
 * socket while the disk catches up (back-pressure). The temp file is deleted on any failure, so
 * nothing of a cut-short body is ever stored; the caller renames it into place only once it is
 * complete and verified.
 *
 * Written with plain events rather than stream.pipeline because pipeline destroys the request,
 * and with it the socket, on failure; a body cut short by a half-close must leave the socket
 * writable so the storage can still answer 400 IncompleteBody.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';

/** `cut`: the client ended its side early (it may still read an answer); `gone`: it vanished or we are closing. */
export type Received = { ok: true; sha256: Buffer } | { ok: false; reason: 'cut' | 'gone' | 'error' };

const WRITE_BUFFER = 256 * 1024;

export function receiveToTemp(
  req: IncomingMessage,
  tempPath: string,
  expectedLength: number,
  signals: { gone: AbortSignal; cut: AbortSignal },
  onBytes: (n: number) => void,
): Promise<Received> {
  const hash = createHash('sha256');
  const file = createWriteStream(tempPath, { flags: 'wx', highWaterMark: WRITE_BUFFER });
  let size = 0;
  let settled = false;
  return new Promise<Received>((resolve) => {
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onClose);
      file.off('drain', onDrain);
      signals.gone.removeEventListener('abort', onGone);
      signals.cut.removeEventListener('abort', onCut);
    };
    const fail = (reason: 'cut' | 'gone' | 'error') => {
      if (settled) return;
      settled = true;
      cleanup();
      file.destroy();
      // Unlink once the file descriptor is closed, so no late write recreates nothing.
      const remove = () => void unlink(tempPath).catch(() => undefined).then(() => resolve({ ok: false, reason }));
      if (file.closed) remove();
      else file.once('close', remove);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      onBytes(chunk.length);
      hash.update(chunk);
      if (!file.write(chunk)) req.pause();
    };
    const onDrain = () => req.resume();
    const onEnd = () => {
      if (settled) return;
      cleanup();
      file.end(() => {
        if (settled) return;
        settled = true;
        if (size === expectedLength) resolve({ ok: true, sha256: hash.digest() });
        else void unlink(tempPath).catch(() => undefined).then(() => resolve({ ok: false, reason: 'cut' }));
      });
    };
    const onClose = () => {
      if (!req.complete) fail('gone');
    };
    const onGone = () => fail('gone');
    const onCut = () => fail('cut');
    if (signals.gone.aborted) return fail('gone');
    if (signals.cut.aborted) return fail('cut');
    file.once('error', () => fail('error'));
    file.on('drain', onDrain);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onGone);
    req.once('close', onClose);
    signals.gone.addEventListener('abort', onGone, { once: true });
    signals.cut.addEventListener('abort', onCut, { once: true });
  });
}

/** The corrupt fault: flips every bit of the middle byte of a stored copy. */
export async function flipMiddleByte(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const position = Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, position);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await handle.write(byte, 0, 1, position);
  } finally {
    await handle.close();
  }
}
