/**
 * The performance targets our client is held to, as pure functions of measured numbers. Each
 * returns a verdict line: PASS / FAIL with the numbers, or N/A when the inputs were not measured.
 */
import { MiB } from './sizes.js';

export type Verdict = 'PASS' | 'FAIL' | 'N/A';

export interface TargetCheck {
  verdict: Verdict;
  name: string;
  detail: string;
}

/** Extra resident memory allowed on top of the segment buffers (Node + tsx + the engine itself). */
export const RSS_ALLOWANCE_MIB = 60;
/** Largest allowed spread of peak RSS between the smallest and largest file. */
export const RSS_STABILITY = 0.1;

const verdict = (pass: boolean): Verdict => (pass ? 'PASS' : 'FAIL');

export function cpuTarget(clientCpuPerGiB?: number, sha256CpuPerGiB?: number): TargetCheck {
  const name = 'client CPU-s/GiB <= 1.5 x SHA-256 CPU-s/GiB';
  if (clientCpuPerGiB === undefined || sha256CpuPerGiB === undefined) return { verdict: 'N/A', name, detail: 'not measured' };
  const limit = 1.5 * sha256CpuPerGiB;
  return {
    verdict: verdict(clientCpuPerGiB <= limit),
    name,
    detail: `${clientCpuPerGiB.toFixed(2)} vs limit ${limit.toFixed(2)} (ratio ${(clientCpuPerGiB / sha256CpuPerGiB).toFixed(2)} x)`,
  };
}

/** What bounds the rate when client and server share this machine's cores (for reading a FAIL). */
export interface CpuCeiling {
  clientCpuPerGiB: number;
  serverCpuPerGiB: number;
  cores: number;
}

export function throughputTarget(clientMiBps?: number, sha256MiBps?: number, ceiling?: CpuCeiling): TargetCheck {
  const name = 'end-to-end MiB/s >= 0.5 x single-core SHA-256 MiB/s';
  if (clientMiBps === undefined || sha256MiBps === undefined) return { verdict: 'N/A', name, detail: 'not measured' };
  const floor = 0.5 * sha256MiBps;
  let bound = '';
  if (ceiling !== undefined) {
    const total = ceiling.clientCpuPerGiB + ceiling.serverCpuPerGiB;
    // Two limits: the client alone on one core, and client + server sharing every core.
    const clientOnly = 1024 / ceiling.clientCpuPerGiB;
    const shared = (1024 * ceiling.cores) / total;
    bound = `; CPU ceilings: client alone ${clientOnly.toFixed(0)} MiB/s, client + server (${total.toFixed(2)} CPU-s/GiB on ${ceiling.cores} cores) ${shared.toFixed(0)} MiB/s`;
  }
  return {
    verdict: verdict(clientMiBps >= floor),
    name,
    detail: `${clientMiBps.toFixed(1)} vs floor ${floor.toFixed(1)} (ratio ${(clientMiBps / sha256MiBps).toFixed(2)} x)${bound}`,
  };
}

export function rssTarget(clientPeakMiB?: number, concurrency?: number, chunkSize?: number): TargetCheck {
  const name = `client peak RSS <= (concurrency + 2) x chunkSize + ${RSS_ALLOWANCE_MIB} MiB`;
  if (clientPeakMiB === undefined || concurrency === undefined || chunkSize === undefined) {
    return { verdict: 'N/A', name, detail: 'not measured' };
  }
  const limit = ((concurrency + 2) * chunkSize) / MiB + RSS_ALLOWANCE_MIB;
  return {
    verdict: verdict(clientPeakMiB <= limit),
    name,
    detail: `${clientPeakMiB.toFixed(1)} MiB vs limit ${limit.toFixed(1)} MiB (concurrency ${concurrency}, chunkSize ${(chunkSize / MiB).toFixed(2)} MiB)`,
  };
}

export interface PeakAtSize {
  label: string;
  peakMiB: number;
}

export function rssStabilityTarget(peaks: PeakAtSize[]): TargetCheck {
  const name = `client peak RSS within ${RSS_STABILITY * 100}% across file sizes`;
  if (peaks.length < 2) return { verdict: 'N/A', name, detail: 'one size measured (run with --sizes 1GiB,4GiB)' };
  const smallest = peaks[0] as PeakAtSize;
  const largest = peaks[peaks.length - 1] as PeakAtSize;
  const ratio = largest.peakMiB / smallest.peakMiB;
  return {
    verdict: verdict(Math.abs(ratio - 1) <= RSS_STABILITY),
    name,
    detail: `${peaks.map((peak) => `${peak.label}: ${peak.peakMiB.toFixed(1)} MiB`).join(', ')} (ratio ${largest.label}/${smallest.label} ${ratio.toFixed(3)})`,
  };
}

export function renderChecks(checks: TargetCheck[]): string {
  return checks.map((check) => `  ${check.verdict.padEnd(4)}  ${check.name}: ${check.detail}`).join('\n');
}
