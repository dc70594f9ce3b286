/**
 * One service per state dir: two instances on the same jobs database and spool would both relay
 * the same queued jobs (one failing a job the other delivered). The lock is `serve.lock` in the
 * state dir, created exclusively, holding the owner's pid. A lock whose process is gone (killed,
 * crashed) is taken over; a live one refuses the start with a message naming the pid.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { PRIVATE_FILE_MODE } from './private-fs.js';

export const LOCK_FILE = 'serve.lock';

/** Locks held by this process (a second service in the same process is refused too). */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the state dir's lock; returns its release. Throws a ConfigError when another live service holds it. */
export function acquireInstanceLock(stateDir: string): () => void {
  const path = join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = readPid(path);
      if (pid !== undefined && (heldHere.has(path) || (pid !== process.pid && alive(pid)))) {
        throw new ConfigError(
          'config.state_dir_in_use',
          `Another genesys-upload service (pid ${pid}) is using the state dir ${stateDir}. Stop it, or give this one its own --state-dir.`,
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    heldHere.add(path);
    return () => {
      heldHere.delete(path);
      if (readPid(path) === process.pid) rmSync(path, { force: true });
    };
  }
  throw new ConfigError('config.state_dir_in_use', `Could not take the lock ${path}; is another service starting on the same state dir?`);
}
