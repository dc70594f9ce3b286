/** resume-decision.ts from a table: what a journalled send does for each kind of entry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEntry, JournalState } from '../../src/journal/index.js';
import { decideResume, needsFileCheck, type ResumeDecision } from '../../src/relay/resume-decision.js';

const delivery = { to: ['+15550100'], text: 'File a.bin attached.', language: 'en-US' };

const upload = { fileName: 'a.bin', contentType: 'application/octet-stream' };

function entry(state: JournalState): JournalEntry {
  return { id: 'e1', state, delivery, ...upload } as unknown as JournalEntry;
}

const other = { ...delivery, to: ['+15550199'] };
interface Facts {
  changes?: string[];
  restart?: boolean;
  redeliver?: boolean;
  /** Default true: the destination can tell whether a sent message arrived. */
  canSettle?: boolean;
  delivery?: typeof delivery;
  upload?: typeof upload;
}
type Row = [string, JournalState | undefined, Facts, ResumeDecision['kind'], string?];
const renamed = { ...upload, fileName: 'b.bin' };

const ROWS: Row[] = [
  ['nothing journalled', undefined, {}, 'fresh'],
  ['failed', 'failed', {}, 'fresh'],
  ['abandoned', 'abandoned', {}, 'fresh'],
  ['uploading', 'uploading', {}, 'upload'],
  ['uploading, other recipients: continue, message to the new ones', 'uploading', { delivery: other }, 'upload'],
  ['uploading, file changed', 'uploading', { changes: ['size'] }, 'file-changed'],
  ['uploading, --restart', 'uploading', { restart: true }, 'fresh', 'abandon'],
  ['uploading, another --file-name', 'uploading', { upload: renamed }, 'upload-changed'],
  ['uploading, another --content-type', 'uploading', { upload: { ...upload, contentType: 'text/plain' } }, 'upload-changed'],
  ['uploading, another name and --restart', 'uploading', { upload: renamed, restart: true }, 'fresh', 'abandon'],
  ['completed', 'completed', {}, 'deliver'],
  ['completed, another name', 'completed', { upload: renamed }, 'upload-changed'],
  ['completed, file changed', 'completed', { changes: ['modification time'] }, 'file-changed'],
  ['sending: delivery, settled first', 'sending', {}, 'deliver', 'settle'],
  ['sending, a destination that cannot tell: uncertain', 'sending', { canSettle: false }, 'uncertain'],
  ['sending, cannot tell, --redeliver: sent without asking', 'sending', { canSettle: false, redeliver: true }, 'deliver'],
  ['sending, --redeliver: sent without asking', 'sending', { redeliver: true }, 'deliver'],
  ['sending, other recipients: another message, not a repeat', 'sending', { delivery: other }, 'deliver'],
  ['sending, --restart', 'sending', { restart: true }, 'fresh', 'abandon'],
  ['delivered: the earlier result', 'delivered', {}, 'earlier'],
  ['delivered, --redeliver: still never twice', 'delivered', { redeliver: true }, 'earlier'],
  ['delivered, file changed since: a new send', 'delivered', { changes: ['size'] }, 'fresh'],
  ['delivered, other text: a new send', 'delivered', { delivery: { ...delivery, text: 'x' } }, 'fresh'],
  ['delivered, --restart: a new send, nothing abandoned', 'delivered', { restart: true }, 'fresh'],
  ['delivered, another name: a new send', 'delivered', { upload: renamed }, 'fresh'],
];

test('decideResume, row by row', () => {
  for (const [name, state, facts, kind, abandon] of ROWS) {
    const e = state === undefined ? undefined : entry(state);
    const decision = decideResume({
      entry: e,
      fileChanges: facts.changes ?? [],
      delivery: facts.delivery ?? delivery,
      upload: facts.upload ?? upload,
      restart: facts.restart ?? false,
      redeliver: facts.redeliver ?? false,
      canSettle: facts.canSettle ?? true,
    });
    assert.equal(decision.kind, kind, name);
    if (decision.kind === 'fresh') assert.equal(decision.abandon !== undefined, abandon === 'abandon', `${name}: abandon`);
    if (decision.kind === 'deliver') assert.equal(decision.settle, abandon === 'settle', `${name}: settle`);
    if (decision.kind === 'upload' || decision.kind === 'deliver') assert.equal(decision.deliveryChanged, facts.delivery !== undefined, `${name}: deliveryChanged`);
  }
});

test('the file is read for a check only when the decision depends on it', () => {
  assert.equal(needsFileCheck(undefined, false), false);
  assert.equal(needsFileCheck(entry('failed'), false), false);
  assert.equal(needsFileCheck(entry('uploading'), true), false);
  assert.equal(needsFileCheck(entry('uploading'), false), true);
  assert.equal(needsFileCheck(entry('delivered'), false), true);
});
