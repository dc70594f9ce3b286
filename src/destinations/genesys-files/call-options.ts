/** The API call options of one step of the seam: its signal and policy, retries reported as events. */
import type { CallOptions } from '../../genesys/api-transport.js';
import type { StepContext } from '../destination.js';

export function callOptionsOf(step: StepContext): CallOptions {
  return { signal: step.signal, retry: step.retry, onRetry: (info) => step.emit({ type: 'retry', ...info }) };
}
