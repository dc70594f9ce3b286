/**
 * Where the resume journal lives, and how long finished entries are kept. One rule, declared once:
 * GENESYS_UPLOAD_STATE_DIR, else $XDG_STATE_HOME/genesys-upload (the XDG base-directory spec's
 * place for state that survives restarts but is not worth backing up), else
 * ~/.local/state/genesys-upload (the spec's default for XDG_STATE_HOME).
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';

export const STATE_DIR_ENV = 'GENESYS_UPLOAD_STATE_DIR';
export const KEEP_DAYS_ENV = 'GENESYS_UPLOAD_KEEP_DAYS';
export const DAY_MS = 86_400_000;
/** Finished entries (delivered, failed, restarted) are pruned this long after they finished. */
export const DEFAULT_KEEP_DAYS = 7;
export const DEFAULT_RETENTION_MS = DEFAULT_KEEP_DAYS * DAY_MS;
/** Upper bound of --keep-days: ten years is "forever" for a journal of uploads. */
export const MAX_KEEP_DAYS = 3650;

function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  const explicit = given(env[STATE_DIR_ENV]);
  if (explicit !== undefined) return resolve(explicit);
  // The spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const xdg = given(env.XDG_STATE_HOME);
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'genesys-upload');
  return join(given(env.HOME) ?? homedir(), '.local', 'state', 'genesys-upload');
}

/** Parses a number of days to keep finished entries (flag or env); 0 keeps nothing finished. */
export function parseKeepDays(value: string, setting: string): number {
  const days = Number(value);
  if (value.trim() === '' || !Number.isFinite(days) || days < 0 || days > MAX_KEEP_DAYS) {
    throw new ConfigError('config.keep_days', `${setting}: expected a number of days from 0 to ${MAX_KEEP_DAYS}, got ${JSON.stringify(value.slice(0, 40))}.`);
  }
  return days;
}

/** The retention from the environment (GENESYS_UPLOAD_KEEP_DAYS), or the default. */
export function retentionFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = given(env[KEEP_DAYS_ENV]);
  return raw === undefined ? DEFAULT_RETENTION_MS : parseKeepDays(raw, KEEP_DAYS_ENV) * DAY_MS;
}

/**
 * Creates the state directory (and missing parents) private to its owner. Not mkdirSync's
 * `recursive`: on a read-only file system that reports ENOENT instead of EROFS, which would send
 * the user looking for a missing directory. One level at a time, the real cause comes through.
 */
export function makeStateDir(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      mkdirSync(at, { mode: 0o700 });
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') break;
      if (code !== 'ENOENT' || dirname(at) === at) throw error;
      missing.push(at); // its parent is missing too: create that first
    }
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
