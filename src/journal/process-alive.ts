/**
 * Is the process that holds a lock still there? `kill(pid, 0)` answers for the pid; on Linux the
 * process's start time (field 22 of /proc/PID/stat) also tells a live holder from an unrelated
 * process that got the same pid later, and the state field tells a zombie (killed, not yet reaped
 * by its parent) from a live one.
 */
import { readFileSync } from 'node:fs';

interface ProcStat {
  state: string;
  startTime: string;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startTime = fields[19];
    return state === undefined || startTime === undefined ? undefined : { state, startTime };
  } catch {
    return undefined;
  }
}

/** This process's start time in clock ticks since boot, where the system tells it (Linux). */
export function processStartTime(pid: number = process.pid): string | undefined {
  return procStat(pid)?.startTime;
}

export function isProcessAlive(pid: number, startTime?: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat === undefined) return true; // no /proc: the pid's existence is all we know
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}
