/**
 * The proxy service (`genesys-upload serve`): tus intake at /files/, relay jobs, the JSON/SSE API,
 * health and metrics, and the web page. startService() is what the CLI, the tests and the
 * benchmarks run.
 */
export { startService, type ServiceHandle } from './service.js';
export { resolveServiceOptions, DEFAULT_ALLOWED_TYPES, SERVICE_DEFAULTS, type ServiceOptions, type LogLevel } from './options.js';
export { JOB_STATES, type JobState, type JobView, type JobError } from './jobs/job.js';
export { CHECKSUM_ALGORITHMS, TUS_VERSION } from './intake/preflight.js';
export { TUS_EXTENSIONS, TUS_PATH } from './intake/tus-intake.js';
