/**
 * Carrying out request-time fault rules (status, stall, reset, lose-response). Returns whether
 * normal handling should continue.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestContext } from './http/context.js';
import { genesysCodeFor, s3CodeFor, sendGenesysError, sendS3Error, type Headers } from './http/respond.js';
import { retryMessage } from './routes/api-guard.js';
import type { FaultRule } from './types.js';

export async function applyFault(ctx: RequestContext, rule: FaultRule): Promise<'continue' | 'done'> {
  ctx.fault = rule.action;
  switch (rule.action) {
    case 'status':
      answerStatus(ctx, rule);
      return 'done';
    case 'stall':
      try {
        await sleep(rule.stallMs ?? 0, undefined, { signal: ctx.signal });
      } catch {
        return 'done'; // the client left or the emulator is closing
      }
      return 'continue';
    case 'reset':
      await resetAfter(ctx, rule.afterBytes ?? 0);
      return 'done';
    case 'lose-response':
      ctx.loseResponse = true;
      return 'continue';
    case 'corrupt':
      return 'continue'; // taken at store time, never here
  }
}

function answerStatus(ctx: RequestContext, rule: FaultRule): void {
  const status = rule.status ?? 500;
  const retryAfter = rule.retryAfter ?? (status === 429 || status === 503 ? 1 : undefined);
  const headers: Headers = retryAfter === undefined ? {} : { 'Retry-After': retryAfter };
  if (ctx.surface === 'storage') {
    // S3 says SlowDown with its 503s; the storage route of the Genesys side keeps ServiceUnavailable.
    const code = status === 503 && String(ctx.route).startsWith('s3-') ? 'SlowDown' : s3CodeFor(status);
    sendS3Error(ctx, status, code, code === 'SlowDown' ? 'Please reduce your request rate.' : 'Injected by an emulator fault rule.', headers);
    return;
  }
  const code = genesysCodeFor(status);
  const message = status === 429 ? retryMessage(retryAfter ?? 1) : 'Injected by an emulator fault rule.';
  // The token endpoint speaks OAuth errors; give OAuth-shaped fields alongside the Genesys ones.
  const extra = ctx.route === 'token' ? { error: code, description: message, error_description: message } : undefined;
  sendGenesysError(ctx, status, code, message, { headers, ...(extra && { extra }) });
}

/** Reads `afterBytes` of the body (or all of it, if shorter), then drops the connection. */
function resetAfter(ctx: RequestContext, afterBytes: number): Promise<void> {
  const { req } = ctx;
  const socket = req.socket;
  if (afterBytes <= 0 || req.complete) {
    socket.destroy();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let seen = 0;
    const finish = () => {
      req.off('data', onData);
      socket.destroy();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      ctx.bytesIn += chunk.length;
      if (seen >= afterBytes) finish();
    };
    req.on('data', onData);
    req.once('end', finish);
    req.once('error', finish);
    req.once('close', finish);
  });
}
