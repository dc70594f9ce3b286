/**
 * Follows one job until it is delivered or failed: Server-Sent Events from
 * /api/jobs/:id/events, or polling GET /api/jobs/:id when the stream is not available.
 *
 * EventSource cannot send an Authorization header. With an API key set, the stream is opened with
 * `?key=` (the service accepts the key that way on the events route only); if the service refuses
 * the stream, or it closes for good, we fall back to polling with the header, which always works.
 */

export const TERMINAL_STATES = new Set(['delivered', 'failed']);
const POLL_INTERVAL_MS = 1000;
/** Event names the stream may use besides the default "message". */
const NAMED_EVENTS = ['job', 'update', 'progress', 'state'];

/**
 * @param {string} id
 * @param {{api: ReturnType<import('./api.js').createApi>, getKey: () => string,
 *          onUpdate: (job: any) => void, onProblem: (error: Error) => void}} options
 * @returns {{stop(): void}}
 */
export function watchJob(id, options) {
  const controller = new AbortController();
  let source = null;

  const deliver = (job) => {
    if (controller.signal.aborted || !job || job.id !== id) return;
    options.onUpdate(job);
    if (TERMINAL_STATES.has(job.state)) stop();
  };

  function stop() {
    controller.abort();
    source?.close();
    source = null;
  }

  function startStream() {
    if (typeof EventSource !== 'function') return startPolling();
    const key = options.getKey();
    const url = options.api.eventsUrl(id) + (key ? `?key=${encodeURIComponent(key)}` : '');
    source = new EventSource(url);
    const onMessage = (event) => {
      try {
        deliver(JSON.parse(event.data));
      } catch {
        // A comment or keep-alive line that is not JSON: nothing to show.
      }
    };
    source.addEventListener('message', onMessage);
    for (const name of NAMED_EVENTS) source.addEventListener(name, onMessage);
    source.addEventListener('error', () => {
      // CONNECTING: the browser reconnects by itself. CLOSED: refused (401, 404…) or gone for good.
      if (source?.readyState === EventSource.CLOSED && !controller.signal.aborted) {
        source.close();
        source = null;
        startPolling();
      }
    });
  }

  async function startPolling() {
    const { signal } = controller;
    while (!signal.aborted) {
      try {
        deliver(await options.api.job(id, signal));
      } catch (error) {
        if (signal.aborted) return;
        options.onProblem(error);
        // 401/404 will not fix themselves: stop asking.
        if (error.status === 401 || error.status === 403 || error.status === 404) return stop();
      }
      if (signal.aborted) return;
      await new Promise((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, POLL_INTERVAL_MS);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  startStream();
  return { stop };
}
