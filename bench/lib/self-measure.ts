/**
 * The worker side of a measurement for the TypeScript workers: the one implementation is plain
 * JavaScript (measure.mjs), shared with the S3 bench's compiled workers that run without tsx.
 */
export { measureSelf, readWorkerInput, REPORT_PREFIX, type WorkerFailure, type WorkerOutcome, type WorkerReport } from './measure.mjs';
