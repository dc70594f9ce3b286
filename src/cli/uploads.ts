/**
 * `genesys-upload uploads`: what the resume journal holds — each upload's file, size, progress,
 * state and age — as a table for people or, with --json, one object for scripts. --prune deletes
 * finished entries now (delivered, failed, replaced); unfinished ones are never pruned.
 */
import { Command } from 'commander';
import { DAY_MS, type Journal, type JournalEntry } from '../journal/index.js';
import { formatBytes, formatDuration } from './format.js';
import { reportError } from './report-error.js';
import { addJournalOptions, openJournalFromFlags, type JournalFlags } from './state-dir-option.js';

interface UploadsFlags extends JournalFlags {
  json: boolean;
  prune: boolean;
}

export function uploadsCommand(): Command {
  const command = new Command('uploads')
    .summary('list the uploads in the resume journal')
    .description(
      'List the uploads recorded in the resume journal, newest first: id, state, progress, size, age and file. ' +
        'States: uploading, completed (uploaded, not yet sent), sending (a process is sending the message), ' +
        'uncertain (the message was sent but its answer was never recorded: see send --redeliver), delivered, ' +
        'failed, abandoned (replaced by a new upload). Finished entries are pruned after --keep-days.',
    )
    .option('--json', 'print one JSON object for scripts', false)
    .option('--prune', 'delete finished entries now (with --keep-days N: those finished more than N days ago)', false);
  addJournalOptions(command).addHelpText('after', '\nExamples:\n  genesys-upload uploads\n  genesys-upload uploads --prune\n  genesys-upload resume ID');
  return command.action((flags: UploadsFlags, cmd: Command) => {
    process.exitCode = uploads(flags, cmd.getOptionValueSource('keepDays') === 'cli');
  });
}

/** Share of the file known to be stored: by segments while uploading, whole once completed. */
export function progressOf(entry: JournalEntry): number {
  if (entry.state === 'uploading' || entry.state === 'failed' || entry.state === 'abandoned') {
    return entry.fileId !== undefined ? 1 : entry.bytesStored / Math.max(1, entry.file.size);
  }
  return 1;
}

function stateLabel(entry: JournalEntry): string {
  return entry.lockedBy === undefined ? entry.displayState : `${entry.displayState} (pid ${entry.lockedBy.pid})`;
}

function jsonView(entry: JournalEntry, now: number): Record<string, unknown> {
  return {
    id: entry.id,
    state: entry.displayState,
    file: entry.file.path,
    size: entry.file.size,
    progress: Number(progressOf(entry).toFixed(4)),
    bytesStored: entry.state === 'uploading' ? entry.bytesStored : entry.file.size,
    ageSeconds: Math.round((now - entry.createdAt) / 1000),
    createdAt: new Date(entry.createdAt).toISOString(),
    updatedAt: new Date(entry.updatedAt).toISOString(),
    ...(entry.finishedAt !== undefined && { finishedAt: new Date(entry.finishedAt).toISOString() }),
    target: entry.target.description,
    clientId: entry.target.clientId,
    uploadId: entry.uploadId,
    destination: entry.destination,
    fileName: entry.fileName,
    chunks: entry.chunks,
    chunkSize: entry.chunkSize,
    segmentsStored: entry.segmentsStored,
    to: entry.delivery.to,
    ...(entry.fileId !== undefined && { fileId: entry.fileId }),
    ...(entry.sha256 !== undefined && { sha256: entry.sha256 }),
    ...(entry.guestId !== undefined && { guestId: entry.guestId }),
    ...(entry.messageId !== undefined && { messageId: entry.messageId }),
    ...(entry.messageAttemptAt !== undefined && { messageAttemptAt: new Date(entry.messageAttemptAt).toISOString() }),
    ...(entry.error !== undefined && { error: entry.error }),
    ...(entry.lockedBy !== undefined && { runningIn: entry.lockedBy }),
  };
}

function table(entries: JournalEntry[], now: number): string {
  const rows = entries.map((e) => [
    e.id,
    stateLabel(e),
    `${Math.floor(progressOf(e) * 100)}%`,
    formatBytes(e.file.size),
    formatDuration((now - e.createdAt) / 1000),
    e.destination,
    e.file.path,
  ]);
  const header = ['ID', 'STATE', 'PROGRESS', 'SIZE', 'AGE', 'VIA', 'FILE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function uploads(flags: UploadsFlags, keepDaysGiven: boolean): number {
  let journal: Journal | undefined;
  try {
    journal = openJournalFromFlags(flags, process.env);
    if (journal === undefined) return 0;
    const pruned = flags.prune ? journal.prune({ retentionMs: keepDaysGiven ? (flags.keepDays ?? 0) * DAY_MS : 0 }) : undefined;
    const entries = journal.list();
    const now = Date.now();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ stateDir: journal.stateDir, ...(pruned !== undefined && { pruned }), uploads: entries.map((e) => jsonView(e, now)) })}\n`);
      return 0;
    }
    if (pruned !== undefined) process.stderr.write(`Pruned ${pruned} finished entr${pruned === 1 ? 'y' : 'ies'}.\n`);
    if (entries.length === 0) {
      process.stderr.write(`No uploads in the journal (${journal.stateDir}).\n`);
      return 0;
    }
    process.stdout.write(`${table(entries, now)}\n`);
    const uncertain = entries.filter((e) => e.displayState === 'uncertain');
    if (uncertain.length > 0) {
      process.stderr.write(
        `\n${uncertain.length} message(s) may or may not have been sent (uncertain). They are never re-sent by themselves; ` +
          'if you know one did not arrive: genesys-upload resume ID --redeliver\n',
      );
    }
    return 0;
  } catch (error) {
    return reportError(error, { json: flags.json });
  } finally {
    journal?.close();
  }
}
