/** Reading an {api} request body as a JSON object, answering 413/400 itself when it cannot. */
import { parseJsonObject, readBody } from '../http/body.js';
import type { RequestContext } from '../http/context.js';
import { sendGenesysError } from '../http/respond.js';

export async function readJsonBody(ctx: RequestContext): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(ctx);
  if (!body.ok) {
    if (body.reason === 'too-large') sendGenesysError(ctx, 413, 'too.large', 'The request body is larger than 1 MiB.');
    return undefined; // 'aborted': the client is gone, nobody to answer
  }
  const parsed = parseJsonObject(body.body);
  if (!parsed.ok) {
    sendGenesysError(ctx, 400, 'bad.request', parsed.message);
    return undefined;
  }
  return parsed.value;
}

export function badRequest(ctx: RequestContext, message: string): void {
  sendGenesysError(ctx, 400, 'bad.request', message);
}
