/**
 * Web Messaging records on disk when the emulator has a data directory of the user's: one JSON
 * snapshot (`web-messaging/state.json`), written atomically after each change that matters
 * (sessions, attachments, messages), beside the attachment bytes. It holds the guest tokens,
 * because a restarted emulator must let a guest continue its conversation: the data directory is
 * as private as the emulator's instance key already in it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WmAttachment, WmMessage, WmSession } from './model.js';

interface Snapshot {
  version: 1;
  sessions: Array<Omit<WmSession, 'connections' | 'attachments'> & { attachmentIds: string[] }>;
  attachments: WmAttachment[];
}

export const SNAPSHOT_FILE = 'state.json';

export function snapshotOf(sessions: Iterable<WmSession>, attachments: Iterable<WmAttachment>): Snapshot {
  return {
    version: 1,
    sessions: [...sessions].map(({ connections: _c, attachments: owned, messages, ...rest }) => ({
      ...rest,
      messages: messages.map((m) => ({ ...m, attachmentIds: [...m.attachmentIds] })),
      attachmentIds: [...owned.keys()],
    })),
    attachments: [...attachments].map((a) => ({ ...a, sentIn: [...a.sentIn] })),
  };
}

/** The records of an earlier run, or nothing (no file, or one we cannot read). */
export async function loadSnapshot(dir: string): Promise<{ sessions: WmSession[]; attachments: WmAttachment[] }> {
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(await readFile(join(dir, SNAPSHOT_FILE), 'utf8')) as Snapshot;
  } catch {
    return { sessions: [], attachments: [] };
  }
  if (snapshot?.version !== 1 || !Array.isArray(snapshot.sessions) || !Array.isArray(snapshot.attachments)) return { sessions: [], attachments: [] };
  const attachments = snapshot.attachments;
  const byId = new Map(attachments.map((a) => [a.id, a]));
  const sessions = snapshot.sessions.map(({ attachmentIds, messages, ...rest }) => ({
    ...rest,
    connections: [],
    messages: messages as WmMessage[],
    attachments: new Map(attachmentIds.flatMap((id) => {
      const a = byId.get(id);
      return a ? [[id, a] as const] : [];
    })),
  }));
  return { sessions, attachments };
}
