/**
 * Waits for a job to be delivered or failed by following its Server-Sent Events
 * (GET /api/jobs/:id/events: `job` events, then a last `end` event, then the stream closes).
 * No polling: the service tells us the moment the job ends.
 */
import { request, type Dispatcher } from 'undici';

/** The parts of the service's job view the benchmark reads. */
export interface JobView {
  id: string;
  state: 'receiving' | 'queued' | 'relaying' | 'delivered' | 'failed';
  size: number;
  fileId: string | null;
  messageId: string | null;
  sha256: string | null;
  error: { kind: string; code: string; message: string } | null;
  receivedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const TERMINAL = new Set(['delivered', 'failed']);

export async function waitForJobEnd(
  baseUrl: string,
  jobId: string,
  options: { headers?: Record<string, string>; dispatcher?: Dispatcher; signal?: AbortSignal } = {},
): Promise<JobView> {
  const response = await request(new URL(`/api/jobs/${encodeURIComponent(jobId)}/events`, baseUrl), {
    headers: { accept: 'text/event-stream', ...options.headers },
    dispatcher: options.dispatcher,
    signal: options.signal,
  });
  if (response.statusCode !== 200) {
    const text = (await response.body.text()).slice(0, 300);
    throw new Error(`events of job ${jobId}: HTTP ${response.statusCode} ${text}`);
  }
  let buffered = '';
  let last: JobView | undefined;
  for await (const chunk of response.body) {
    buffered += (chunk as Buffer).toString('utf8');
    let boundary: number;
    while ((boundary = buffered.indexOf('\n\n')) !== -1) {
      const block = buffered.slice(0, boundary);
      buffered = buffered.slice(boundary + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data === '') continue;
      last = JSON.parse(data) as JobView;
      if (TERMINAL.has(last.state)) {
        response.body.destroy();
        return last;
      }
    }
  }
  throw new Error(`events of job ${jobId}: the stream ended in state ${last?.state ?? 'unknown'}`);
}
