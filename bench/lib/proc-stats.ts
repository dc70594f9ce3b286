/**
 * What Linux says about another process: CPU seconds used so far (/proc/<pid>/stat utime+stime)
 * and resident memory, current and peak (/proc/<pid>/status VmRSS and VmHWM). Undefined off Linux
 * or once the process is gone.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every mainstream Linux. */
const CLOCK_TICKS = 100;

export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Resident set now, MiB. */
export function rssMiB(pid: number): number | undefined {
  const kib = statusKiB(pid, 'VmRSS');
  return kib === undefined ? undefined : kib / 1024;
}

/** Peak resident set over the process's life ("high water mark"), MiB. */
export function peakRssMiB(pid: number): number | undefined {
  const kib = statusKiB(pid, 'VmHWM');
  return kib === undefined ? undefined : kib / 1024;
}
