/**
 * The Via of a Web Messaging send, for the CLI's send and resume and for the service. The guest
 * token is a secret: a new guest's token (and a copy of a --guest-token-file's) is kept in an
 * owner-only file of the state directory, named after the job (file + deployment + guest), so that
 * the same command after a kill -9, or the service after a restart, continues with the same guest,
 * in the same conversation. It never enters the journal's JSON, an error or the output.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { openWebMessagingDestination, readGuestToken, writeGuestToken, type WebMessagingConfig } from '../destinations/web-messaging/index.js';
import type { Journal, RecordedTarget } from '../journal/index.js';
import { resolveRetryPolicy } from '../http/retry-policy.js';
import { createPartTransport, type Via } from './via.js';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The journal target: the socket URL (deployment included), the Origin, and which guest (no secret). */
export function targetOf(config: WebMessagingConfig, guest: string): RecordedTarget {
  return { apiUrl: config.wsUrl, loginUrl: config.origin ?? '', clientId: guest, description: config.target };
}

/** Where a job's guest token is kept: <state-dir>/guests/<digest of the job key>.token (0600). */
export function guestTokenPath(stateDir: string, filePath: string, target: { apiUrl: string; clientId: string }): string {
  return join(stateDir, 'guests', `${digest(JSON.stringify([filePath, target.apiUrl, target.clientId])).slice(0, 32)}.token`);
}

/**
 * The file's real path, the job key's first part. A file that does not exist yet (the service
 * keeps a token at upload creation, before the spool file is written) gets its directory's real
 * path, so that both moments name the same file.
 */
export function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

export interface OpenedVia {
  via: Via;
  close(): Promise<void>;
}

/**
 * Connects the guest for a send of `filePath` (or a resume, with `resumeTarget` from the journal):
 * the job's kept token if there is one, else the --guest-token-file's, else a new guest.
 */
export async function openWebMessagingVia(input: {
  config: WebMessagingConfig;
  filePath: string;
  journal: Journal | undefined;
  signal?: AbortSignal;
  resumeTarget?: RecordedTarget;
  /** A resume: the job's kept token must exist (a new guest would be another conversation). */
  requireKeptToken?: boolean;
}): Promise<OpenedVia> {
  const { config, journal } = input;
  const given = config.guestTokenFile === undefined ? undefined : await readGuestToken(config.guestTokenFile);
  const target = input.resumeTarget ?? targetOf(config, given === undefined ? 'new guest' : `guest ${digest(given).slice(0, 16)}`);
  const kept = journal === undefined ? undefined : guestTokenPath(journal.stateDir, canonical(input.filePath), target);
  let token = given;
  if (kept !== undefined && existsSync(kept)) token = await readGuestToken(kept);
  else if (input.requireKeptToken === true) {
    throw new ConfigError('journal.not_resumable', `The guest token of this upload is no longer kept in ${journal?.stateDir ?? 'the state directory'}; run the original send again (it starts a new guest).`);
  }
  const destination = await openWebMessagingDestination({ config, token, signal: input.signal });
  try {
    if (kept !== undefined && (token === undefined || !existsSync(kept))) {
      // Before any upload: a crash from here on resumes with this guest.
      mkdirSync(join(kept, '..'), { recursive: true, mode: 0o700 });
      await writeGuestToken(kept, destination.guest.tokenForOwnerOnlyFile());
    }
  } catch (error) {
    await destination.close();
    throw error;
  }
  const transport = createPartTransport();
  return {
    via: { destination, transport, retryPolicy: resolveRetryPolicy(), target },
    close: async () => {
      await destination.close();
      await transport.close();
    },
  };
}
