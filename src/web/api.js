/**
 * The service's JSON API as the page uses it: /api/config, /api/jobs/:id, retry. Every call is
 * same-origin and carries `Authorization: Bearer <key>` when an API key has been entered.
 */

export class ApiError extends Error {
  /** @param {number} status 0 when the service could not be reached at all */
  constructor(message, status, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

/** @param {() => string} getKey returns the API key, or '' when none is set */
export function createApi(getKey) {
  const headers = () => {
    const key = getKey();
    return key ? { Authorization: `Bearer ${key}` } : {};
  };

  async function call(method, path, signal) {
    let response;
    try {
      response = await fetch(path, { method, headers: { Accept: 'application/json', ...headers() }, signal, cache: 'no-store' });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError('The service could not be reached.', 0);
    }
    const text = await response.text();
    let body;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const said = typeof body?.message === 'string' ? body.message : typeof body?.error === 'string' ? body.error : '';
      throw new ApiError(said || `${method} ${path} answered ${response.status}`, response.status, body);
    }
    return body;
  }

  return {
    headers,
    /** {maxSize, allowedTypes, apiKeyRequired} */
    config: (signal) => call('GET', '/api/config', signal),
    job: (id, signal) => call('GET', `/api/jobs/${encodeURIComponent(id)}`, signal),
    retry: (id, signal) => call('POST', `/api/jobs/${encodeURIComponent(id)}/retry`, signal),
    eventsUrl: (id) => `/api/jobs/${encodeURIComponent(id)}/events`,
    /** The checksum algorithms the tus endpoint advertises (OPTIONS, Tus-Checksum-Algorithm). */
    async checksumAlgorithms(signal) {
      try {
        const response = await fetch('/files/', { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0', ...headers() }, signal });
        const value = response.headers.get('Tus-Checksum-Algorithm') ?? '';
        return value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}
