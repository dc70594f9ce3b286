/** The types of measure.mjs (the one implementation of a worker's self-measurement). */

export declare const REPORT_PREFIX: string;

export interface WorkerOutcome {
  /** Bytes the operation moved or read. */
  bytes: number;
  /** Anything else the orchestrator needs (a digest, the upload result...). */
  extra?: Record<string, unknown>;
}

export interface WorkerReport {
  ok: true;
  wallSeconds: number;
  /** User + system CPU spent during the operation only (module loading excluded). */
  cpuSeconds: number;
  /** Peak resident set over the process's whole life (includes Node and, for tsx workers, tsx). */
  maxRssMiB: number;
  /** Resident set just before the operation started: what Node + the loader + imports cost. */
  startRssMiB: number;
  bytes: number;
  /** The outcome's extra, plus `userSeconds` and `systemSeconds` (the CPU split). */
  extra: Record<string, unknown>;
}

export interface WorkerFailure {
  ok: false;
  error: string;
}

/** Reads the worker's single JSON argument (what the orchestrator passed). */
export declare function readWorkerInput<T>(): T;

/** Runs `operation`, measures it, prints the report line; a failure prints `{ok:false}` and exits 1. */
export declare function measureSelf(operation: () => Promise<WorkerOutcome>): Promise<void>;
