/**
 * The service's log: pino JSON lines on stderr (stdout carries only the URL line). Nothing secret
 * reaches it: Authorization headers are redacted wherever they appear, request URLs lose their
 * query string, and the engine's own events carry no pre-signed URL.
 */
import type { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './options.js';

/** `/path?x=1` → `/path?[redacted]`: query strings may carry tokens. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?[redacted]`;
}

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  id?: string;
}

export function createLogger(level: LogLevel, stream: Writable): Logger {
  return pino(
    {
      level,
      base: { service: 'genesys-upload-serve' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', 'headers.authorization', 'req.headers.authorization', '*.headers.authorization', 'apiKey', 'apiKeys', 'clientSecret'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: RequestLike) => ({ id: req.id, method: req.method, url: redactQuery(req.url ?? ''), remoteAddress: req.ip }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    stream,
  );
}
