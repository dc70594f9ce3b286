/**
 * What a journal that cannot be written means to the user. SQLite reports a full disk as
 * SQLITE_FULL, a read-only one as SQLITE_READONLY or (on open) SQLITE_CANTOPEN, which hides the
 * operating system's reason; so the state directory is probed for it (EROFS, EACCES, ENOENT). Each
 * becomes an error with a stable code that names the state directory, the real cause and the way
 * out: exit 2 for what the user must fix (a full or read-only disk), 6 for what passes by itself
 * (the database busy past its timeout). Anything else is passed through untouched (openJournal
 * reports a path that cannot be a directory, ENOTDIR, as journal.open).
 */
import { accessSync, constants } from 'node:fs';
import { ConfigError, TransientError, UploadError } from '../errors/index.js';

const OS_WORDS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

const WAY_OUT = 'Give a writable directory with --state-dir (or GENESYS_UPLOAD_STATE_DIR), or run with --no-journal.';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The operating system's reason the state directory (or the file in it) cannot be written, if any. */
function osCause(stateDir: string, file: string): string | undefined {
  for (const [path, mode] of [[stateDir, constants.W_OK | constants.X_OK], [file, constants.R_OK | constants.W_OK]] as const) {
    try {
      accessSync(path, mode);
    } catch (error) {
      const code = codeOf(error);
      if (code === 'ENOENT' && path === file) continue; // not created yet: the directory decides
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function describe(code: string): string {
  const words = OS_WORDS[code];
  return words === undefined ? code : `${code}: ${words}`;
}

/**
 * Maps a failure to open or write the journal to an UploadError, or returns it unchanged when it is
 * not a storage failure. `stateDir` and `file` name the journal for the message and the probe.
 */
export function journalStorageError(error: unknown, stateDir: string, file: string): unknown {
  if (error instanceof UploadError) return error;
  const code = codeOf(error);
  const sqlite = code?.startsWith('SQLITE_') === true ? code : undefined;
  const options = { cause: error, details: { stateDir, cause: code } };
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
    return new ConfigError(
      'journal.disk_full',
      `The resume journal in ${stateDir} cannot be written: the disk is full (${describe(code)}). Free some space there. ${WAY_OUT}`,
      options,
    );
  }
  if (code === 'SQLITE_BUSY' || code?.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code?.startsWith('SQLITE_LOCKED_')) {
    return new TransientError(
      'journal.busy',
      `The resume journal in ${stateDir} stayed locked by another process past its timeout (${code}). Run the command again in a moment.`,
      options,
    );
  }
  const readOnly = code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code?.startsWith('SQLITE_READONLY') === true || code?.startsWith('SQLITE_CANTOPEN_') === true;
  // better-sqlite3 throws a plain TypeError (no code) when the directory does not exist.
  const noDir = code === undefined && error instanceof Error && /directory does not exist/.test(error.message);
  const osDenied = code === 'EROFS' || code === 'EACCES' || code === 'EPERM';
  if (readOnly || noDir || osDenied) {
    const os = osDenied ? code : osCause(stateDir, file);
    const cause = [os === undefined ? undefined : describe(os), sqlite].filter((c) => c !== undefined).join('; ') || 'not writable';
    return new ConfigError('journal.not_writable', `The resume journal in ${stateDir} cannot be written (${cause}). ${WAY_OUT}`, {
      ...options,
      details: { stateDir, cause: os ?? code },
    });
  }
  if (code?.startsWith('SQLITE_IOERR') === true || code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new ConfigError(
      'journal.io_error',
      `The resume journal ${file} cannot be used (${code}${code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' ? ': it is damaged or not a journal' : ': a disk error'}). ${WAY_OUT}`,
      options,
    );
  }
  return error;
}

/**
 * Clean-up steps, run while another error is on its way to the user: their own storage failure must
 * not replace it. Recording a failure is best effort (the entry stays as it was: resumable), and a
 * lock left behind is taken over once this process is gone.
 */
const CLEANUP = new Set(['recordFailed', 'release', 'close']);

function isStorageFailure(error: unknown): boolean {
  return error instanceof UploadError && error.code.startsWith('journal.') && error.code !== 'journal.entry_missing';
}

/**
 * The journal with every method's storage failure mapped (see journalStorageError), the lock's
 * release and point functions included. Clean-up steps (above) swallow storage failures, and
 * close() never throws: every write was already committed.
 */
export function withStorageErrors<J extends object>(journal: J, stateDir: string, file: string): J {
  const mapped = <A extends unknown[], R>(fn: (...args: A) => R, self: unknown, name: string) =>
    (...args: A): R => {
      try {
        return wrapResult(fn.apply(self, args));
      } catch (error) {
        const failure = journalStorageError(error, stateDir, file);
        if (CLEANUP.has(name) && isStorageFailure(failure)) return undefined as R;
        throw failure;
      }
    };
  const wrapResult = <R>(value: R): R => {
    // lock() answers {acquired, release, point}: those write too.
    if (value !== null && typeof value === 'object' && 'acquired' in value && (value as { acquired: unknown }).acquired === true) {
      const lock = value as unknown as Record<string, unknown>;
      const out: Record<string, unknown> = { ...lock };
      for (const key of ['release', 'point']) {
        const fn = lock[key];
        if (typeof fn === 'function') out[key] = mapped(fn as (...a: unknown[]) => unknown, lock, key);
      }
      return out as R;
    }
    return value;
  };
  return new Proxy(journal, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'close') {
        return () => {
          try {
            (value as () => void).call(target);
          } catch {
            // Nothing left to save; see above.
          }
        };
      }
      return mapped(value as (...a: unknown[]) => unknown, target, String(property));
    },
  });
}
