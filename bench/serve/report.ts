/**
 * The service benchmark's table and its targets' verdicts, as pure functions of the measurements:
 * the service's CPU-s/GiB ≤ 2.3 × the same run's single-pass SHA-256 CPU-s/GiB (two passes plus
 * 15 %: one per part, one over the whole file), last intake byte → delivered ≤ 2 s median for one
 * 1 GiB upload (informational for other shapes), the service's peak RSS ≤ 300 MiB, and aggregate
 * throughput ≥ 0.3 × the single-core SHA-256 rate (informational: the cores are shared).
 */
import { formatSize, GiB, MiB } from '../lib/sizes.js';
import { fixed, renderTable } from '../lib/table.js';
import { renderChecks, type TargetCheck } from '../lib/targets.js';

export const THROUGHPUT_FACTOR = 0.3;
export const SERVICE_RSS_LIMIT_MIB = 300;
export const SERVICE_CPU_FACTOR = 2.3;
export const LATENCY_MEDIAN_LIMIT_S = 2;

export interface ServeMeasurements {
  uploads: number;
  size: number;
  chunkSize: number;
  checksums: boolean;
  embedded: boolean;
  /** One 1 GiB upload: the latency target applies. */
  oneGiB: boolean;
  /** Per upload: seconds from its last PATCH's 204 to its job's finishedAt (delivered). */
  lastByteToDeliveredSeconds: number[];
  /** Wall seconds from the first request to the last job's delivery. */
  wallSeconds: number;
  /** Wall seconds from the first request until every intake was complete. */
  intakeSeconds: number;
  sha256MiBps: number;
  sha256CpuPerGiB: number;
  serviceCpuSeconds: number | undefined;
  serviceStartRssMiB: number | undefined;
  servicePeakRssMiB: number | undefined;
  emulatorCpuSeconds: number | undefined;
  clientCpuSeconds: number;
  tsxExtraMiB: number | undefined;
  cores: number;
}

/** The median (mean of the middle two for an even count); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const maximum = (values: readonly number[]): number | undefined => (values.length === 0 ? undefined : Math.max(...values));

const perGiB = (seconds: number | undefined, bytes: number): number | undefined => (seconds === undefined ? undefined : seconds / (bytes / GiB));

export function renderServeTable(m: ServeMeasurements): string {
  const total = m.uploads * m.size;
  const rows: Array<[string, string, string]> = [
    ['uploads', `${m.uploads} x ${formatSize(m.size)}`, `${formatSize(total)} in all, tus PATCH ${formatSize(m.chunkSize)}${m.checksums ? ', sha256 per PATCH' : ''}`],
    ['wall time (s)', fixed(m.wallSeconds, 2), 'first request to last delivery'],
    ['aggregate MiB/s', fixed(total / MiB / m.wallSeconds, 1), 'intake + relay + delivery, end to end'],
    ['intake MiB/s', fixed(total / MiB / m.intakeSeconds, 1), `all intakes complete after ${fixed(m.intakeSeconds, 2)} s`],
    ['service CPU-s/GiB', fixed(perGiB(m.serviceCpuSeconds, total), 2), m.embedded ? 'includes the embedded emulator' : 'the service process alone (/proc/<pid>/stat)'],
    ['SHA-256 CPU-s/GiB (1 pass)', fixed(m.sha256CpuPerGiB, 2), 'same files, this run, one process for all'],
    ['service / SHA-256 CPU', fixed(cpuRatio(m), 2), `x single pass; target <= ${SERVICE_CPU_FACTOR}`],
    ['last byte -> delivered, median (s)', fixed(median(m.lastByteToDeliveredSeconds), 2), `per upload: final PATCH's 204 to its job's delivered (${m.lastByteToDeliveredSeconds.length} uploads)`],
    ['last byte -> delivered, max (s)', fixed(maximum(m.lastByteToDeliveredSeconds), 2), ''],
    ['service peak RSS MiB', fixed(m.servicePeakRssMiB, 1), `VmHWM; ${fixed(m.serviceStartRssMiB, 1)} MiB when idle before the run`],
    ['emulator CPU-s/GiB', m.embedded ? 'in service' : fixed(perGiB(m.emulatorCpuSeconds, total), 2), 'receives, verifies, hashes and stores every byte'],
    ['client CPU-s/GiB', fixed(perGiB(m.clientCpuSeconds, total), 2), 'this benchmark sending the files'],
    ['SHA-256 MiB/s (1 core)', fixed(m.sha256MiBps, 1), `${fixed(m.sha256CpuPerGiB, 2)} CPU-s/GiB, same files, this run`],
  ];
  return renderTable(['measure', 'value', 'note'], rows);
}

function cpuRatio(m: ServeMeasurements): number | undefined {
  const service = perGiB(m.serviceCpuSeconds, m.uploads * m.size);
  return service === undefined || m.sha256CpuPerGiB <= 0 ? undefined : service / m.sha256CpuPerGiB;
}

export function serveTargets(m: ServeMeasurements): TargetCheck[] {
  const total = m.uploads * m.size;
  const aggregate = total / MiB / m.wallSeconds;
  const floor = THROUGHPUT_FACTOR * m.sha256MiBps;
  const cpuAll = [m.serviceCpuSeconds, m.emulatorCpuSeconds ?? 0, m.clientCpuSeconds].every((x) => x !== undefined)
    ? ((m.serviceCpuSeconds ?? 0) + (m.emulatorCpuSeconds ?? 0) + m.clientCpuSeconds) / (total / GiB)
    : undefined;
  const ceiling = cpuAll === undefined ? '' : `; CPU ceiling with client + service + emulator sharing ${m.cores} cores: ${fixed((1024 * m.cores) / cpuAll, 0)} MiB/s`;
  const service = perGiB(m.serviceCpuSeconds, total);
  const ratio = cpuRatio(m);
  const cpuName = `service CPU-s/GiB <= ${SERVICE_CPU_FACTOR} x single-pass SHA-256 CPU-s/GiB`;
  const mid = median(m.lastByteToDeliveredSeconds);
  const latencyName = `last intake byte -> delivered median <= ${LATENCY_MEDIAN_LIMIT_S} s (1 GiB upload${m.oneGiB ? '' : '; info here'})`;
  const checks: TargetCheck[] = [
    service === undefined || ratio === undefined
      ? { verdict: 'N/A', name: cpuName, detail: 'not measured (no /proc)' }
      : {
          verdict: ratio <= SERVICE_CPU_FACTOR ? 'PASS' : 'FAIL',
          name: cpuName,
          detail: `${fixed(service, 2)} vs limit ${fixed(SERVICE_CPU_FACTOR * m.sha256CpuPerGiB, 2)} (ratio ${fixed(ratio, 2)} x)${m.checksums ? '' : '; no chunk checksums sent'}${m.embedded ? '; emulator included' : ''}`,
        },
    mid === undefined
      ? { verdict: 'N/A', name: latencyName, detail: 'not measured' }
      : {
          verdict: m.oneGiB ? (mid <= LATENCY_MEDIAN_LIMIT_S ? 'PASS' : 'FAIL') : 'N/A',
          name: latencyName,
          detail: `median ${fixed(mid, 2)} s, max ${fixed(maximum(m.lastByteToDeliveredSeconds), 2)} s${m.oneGiB ? '' : ' (run --one-gib for the target)'}`,
        },
    {
      verdict: aggregate >= floor ? 'PASS' : 'FAIL',
      name: `aggregate MiB/s >= ${THROUGHPUT_FACTOR} x single-core SHA-256 MiB/s (info)`,
      detail: `${fixed(aggregate, 1)} vs floor ${fixed(floor, 1)} (ratio ${fixed(aggregate / m.sha256MiBps, 2)} x)${ceiling}`,
    },
  ];
  const peak = m.servicePeakRssMiB;
  checks.push(
    peak === undefined
      ? { verdict: 'N/A', name: `service peak RSS <= ${SERVICE_RSS_LIMIT_MIB} MiB`, detail: 'not measured (no /proc)' }
      : {
          verdict: peak <= SERVICE_RSS_LIMIT_MIB ? 'PASS' : 'FAIL',
          name: `service peak RSS <= ${SERVICE_RSS_LIMIT_MIB} MiB`,
          detail: `${fixed(peak, 1)} MiB${m.embedded ? ' (emulator included)' : ''}`,
        },
  );
  if (peak !== undefined && m.tsxExtraMiB !== undefined) {
    checks.push({
      verdict: peak - m.tsxExtraMiB <= SERVICE_RSS_LIMIT_MIB ? 'PASS' : 'FAIL',
      name: `  same, net of tsx's loader (info)`,
      detail: `${fixed(peak - m.tsxExtraMiB, 1)} MiB; ${fixed(m.tsxExtraMiB, 1)} MiB of tsx subtracted`,
    });
  }
  return checks;
}

export { renderChecks };
