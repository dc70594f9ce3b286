/**
 * The flags that say where the resume journal lives and how long it keeps finished uploads,
 * shared by `send`, `resume` and `uploads`. Flags win over the environment
 * (GENESYS_UPLOAD_STATE_DIR, GENESYS_UPLOAD_KEEP_DAYS), which wins over the defaults.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DAY_MS, DEFAULT_KEEP_DAYS, defaultStateDir, openJournal, parseKeepDays, retentionFromEnv, type Journal } from '../journal/index.js';
import { ConfigError } from '../errors/index.js';

export interface JournalFlags {
  stateDir?: string;
  keepDays?: number;
  /** false with --no-journal (send only). */
  journal?: boolean;
}

function keepDaysFlag(value: string): number {
  try {
    return parseKeepDays(value, '--keep-days');
  } catch (error) {
    throw new InvalidArgumentError(error instanceof ConfigError ? error.message.replace(/^--keep-days: /, '') : String(error));
  }
}

export function addJournalOptions(command: Command, options: { optOut?: boolean } = {}): Command {
  command
    .option('--state-dir <dir>', 'where the resume journal lives (env GENESYS_UPLOAD_STATE_DIR; default $XDG_STATE_HOME/genesys-upload, else ~/.local/state/genesys-upload)')
    .option('--keep-days <days>', `keep finished uploads in the journal this many days (env GENESYS_UPLOAD_KEEP_DAYS; default ${DEFAULT_KEEP_DAYS})`, keepDaysFlag);
  if (options.optOut === true) command.option('--no-journal', 'neither record nor resume: an interrupted upload starts over');
  return command;
}

export interface JournalSettings {
  stateDir: string;
  retentionMs: number;
}

export function journalSettings(flags: JournalFlags, env: NodeJS.ProcessEnv): JournalSettings {
  return {
    stateDir: flags.stateDir === undefined ? defaultStateDir(env) : resolve(flags.stateDir),
    retentionMs: flags.keepDays === undefined ? retentionFromEnv(env) : flags.keepDays * DAY_MS,
  };
}

/** Opens the journal the flags and environment name, or undefined with --no-journal. */
export function openJournalFromFlags(flags: JournalFlags, env: NodeJS.ProcessEnv): Journal | undefined {
  if (flags.journal === false) return undefined;
  return openJournal(journalSettings(flags, env));
}
