/**
 * sendFile with a journal, in process against the emulator: every way an earlier run can have
 * stopped, and what the next run does about it. Interruptions come from an AbortSignal at a
 * moment an event announces (no timing), server-side trouble from the emulator's fault rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { open, readFile, stat, utimes } from 'node:fs/promises';
import { ConfigError, IntegrityError, InterruptedError, TransientError, UploadError } from '../../src/errors/index.js';
import { sendFile } from '../../src/relay/index.js';
import type { UploadEvent } from '../../src/upload/events.js';
import { KiB, MiB, recorder } from '../engine/harness.js';
import { requests, storedPuts, withJournal } from './helpers/journal-harness.js';

const SMALL_CHUNKS = { chunkSize: 256 * KiB, singleChunkMaxSize: 0 } as const;
const TO = ['+15550100'];

/** An AbortController that fires when `when` first holds for an event. */
function abortWhen(when: (event: UploadEvent) => boolean): { signal: AbortSignal; onEvent: (event: UploadEvent) => void; events: UploadEvent[] } {
  const controller = new AbortController();
  const events: UploadEvent[] = [];
  return {
    signal: controller.signal,
    events,
    onEvent: (event) => {
      events.push(event);
      if (!controller.signal.aborted && when(event)) controller.abort(new Error('test interrupt'));
    },
  };
}

test('every step is journalled; sending the same file again prints the earlier result and sends nothing', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB + 5);
    const first = await sendFile(h.client, { filePath: source.path, to: TO, journal });
    assert.equal(first.resumed, false);
    assert.equal(first.alreadyDelivered, false);
    const entry = journal.get(first.journalId)!;
    assert.equal(entry.state, 'delivered');
    assert.equal(entry.segmentsStored, 5);
    assert.equal(entry.bytesStored, MiB + 5);
    assert.deepEqual([entry.uploadId, entry.fileId, entry.guestId, entry.messageId], [first.uploadId, first.fileId, first.guestId, first.messageId]);
    assert.equal(entry.target.apiUrl, h.emulator.url);
    assert.equal(entry.target.clientId, 'demo-client');
    assert.doesNotMatch(JSON.stringify(journal.list()), /demo-secret/, 'the secret is never journalled');

    const segments = requests(h, 'segment');
    const again = await sendFile(h.client, { filePath: source.path, to: TO, journal });
    assert.equal(again.alreadyDelivered, true);
    assert.equal(again.messageId, first.messageId);
    assert.equal(again.sha256, source.sha256);
    assert.equal(requests(h, 'segment'), segments);
    assert.equal(h.emulator.state().messages.length, 1);
  });
});

test('an interrupted upload kept with keepOnError (as after a crash); the next send verifies every segment and PUTs only the missing ones', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(4 * MiB + 3);
    const run = abortWhen((e) => e.type === 'segment-stored' && e.bytesStored >= MiB);
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 2, signal: run.signal, keepOnError: true, onEvent: run.onEvent }), InterruptedError);
    const kept = run.events.find((e) => e.type === 'resumable');
    assert.ok(kept, 'the run said the upload is kept');
    const entry = journal.get(kept.journalId)!;
    assert.equal(entry.state, 'uploading');
    const remote = h.emulator.state().uploads.find((u) => u.uploadId === entry.uploadId)!;
    assert.equal(remote.state, 'open', 'not aborted: it is resumable');
    assert.ok(entry.segmentsStored >= 4);

    const rec = recorder();
    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 2, onEvent: rec.onEvent });
    assert.equal(result.resumed, true);
    assert.equal(result.journalId, entry.id);
    assert.equal(result.uploadId, entry.uploadId);
    // A segment whose body had fully arrived when the client aborted may still be stored by the
    // server after that snapshot, so the status read at resume time is the reference, never less.
    const heldAtInterrupt = remote.segments.reduce((sum, s) => sum + s.size, 0);
    const heldAtResume = rec.of('resumed')[0]?.bytesOnServer ?? -1;
    assert.ok(heldAtResume >= heldAtInterrupt, `${heldAtResume} >= ${heldAtInterrupt}`);
    assert.equal(result.bytesSkipped, heldAtResume);
    assert.equal(result.bytesSent, 4 * MiB + 3 - heldAtResume);
    assert.equal(rec.of('segment-stored').length, 17, 'every segment is read and hashed');
    // No segment was stored twice. (One whose body arrived just as the first run aborted is stored
    // without an answer, logged with status 0, so it may be missing from these counts.)
    const puts = storedPuts(h, entry.uploadId);
    assert.ok([...puts.values()].every((n) => n === 1), 'each segment stored at most once');
    assert.ok(puts.size >= 16, `${puts.size} segments answered as stored`);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.equal(h.emulator.state().messages.length, 1);
    assert.equal(journal.get(entry.id)!.state, 'delivered');
  });
});

test('a stored segment whose checksum differs from the file is sent again on resume', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(2 * MiB);
    h.emulator.addFault({ route: 'segment', action: 'corrupt', segmentIndex: 1 });
    const run = abortWhen((e) => e.type === 'segment-stored' && e.index === 3);
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 1, signal: run.signal, keepOnError: true, onEvent: run.onEvent }), InterruptedError);
    const uploadId = run.events.find((e) => e.type === 'initiated')!.uploadId;
    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 1 });
    const puts = storedPuts(h, uploadId);
    assert.equal(puts.get(1), 2, 'the damaged copy was replaced');
    assert.equal(puts.get(0), 1);
    assert.equal(puts.get(2), 1);
    assert.equal(result.bytesSkipped, 3 * 256 * KiB);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
  });
});

test('an upload the server no longer knows (404) or aborted starts over, and says so', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB);
    for (const how of ['404', 'aborted'] as const) {
      const run = abortWhen((e) => e.type === 'segment-stored');
      await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 1, signal: run.signal, keepOnError: true, onEvent: run.onEvent, restart: true }), InterruptedError);
      const oldUpload = run.events.find((e) => e.type === 'initiated')!.uploadId;
      if (how === '404') h.emulator.addFault({ route: 'status', action: 'status', status: 404 });
      else await h.client.abort(oldUpload);
      const rec = recorder();
      const result = await sendFile(h.client, { filePath: source.path, to: TO, journal, onEvent: rec.onEvent });
      const over = rec.of('starting-over')[0];
      assert.ok(over, how);
      assert.equal(over.uploadId, oldUpload);
      assert.match(over.reason, how === '404' ? /no longer knows/ : /aborted/);
      assert.notEqual(result.uploadId, oldUpload);
      assert.equal(result.resumed, false);
      assert.equal(journal.get(over.journalId)?.state, 'abandoned');
      assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    }
    assert.equal(h.emulator.state().messages.length, 2);
  });
});

test('a file changed since its journalled upload is refused (integrity) with advice; --restart uploads it anew', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB);
    const ROUND_SECONDS = 1_700_000_000; // a whole second: utimes can restore it to the nanosecond
    await utimes(source.path, ROUND_SECONDS, ROUND_SECONDS);
    const run = abortWhen((e) => e.type === 'segment-stored');
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 1, signal: run.signal, keepOnError: true, onEvent: run.onEvent }), InterruptedError);
    const oldUpload = run.events.find((e) => e.type === 'initiated')!.uploadId;
    // Same size, same modification time, different first chunk: only the content check sees it.
    const handle = await open(source.path, 'r+');
    await handle.write(Buffer.from('changed'), 0, 7, 10);
    await handle.close();
    await utimes(source.path, ROUND_SECONDS, ROUND_SECONDS);
    assert.equal((await stat(source.path, { bigint: true })).mtimeNs, BigInt(ROUND_SECONDS) * 1_000_000_000n);
    const refused = await sendFile(h.client, { filePath: source.path, to: TO, journal }).catch((e: unknown) => e);
    assert.ok(refused instanceof IntegrityError, String(refused));
    assert.equal(refused.code, 'journal.file_changed');
    assert.match(refused.message, /first chunk/);
    assert.match(refused.message, /--restart/);

    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal, restart: true });
    assert.notEqual(result.uploadId, oldUpload);
    assert.equal(h.emulator.state().uploads.find((u) => u.uploadId === oldUpload)?.state, 'aborted', 'the replaced upload is discarded');
    const now = createHash('sha256').update(await readFile(source.path)).digest('hex');
    assert.equal(result.sha256, now);
    assert.equal(await h.downloadedSha256(result.fileId), now);
  });
});

test('a lost answer to the message POST is settled by asking the guest\'s messages: found, delivered, never sent twice', async () => {
  await withJournal({}, async (h, journal) => {
    const source = await h.file(100 * KiB);
    h.emulator.addFault({ route: 'message', action: 'lose-response' });
    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal });
    const messages = h.emulator.state().messages;
    assert.equal(messages.length, 1, 'the server created it once');
    assert.equal(result.messageId, messages[0]!.id);
    const entry = journal.list()[0]!;
    assert.equal(entry.state, 'delivered');
    assert.equal(entry.messageId, messages[0]!.id);
  });
});

test('when asking fails too, the entry stays unsettled; the next run asks, finds it and sends nothing; --redeliver sends anyway', async () => {
  await withJournal({}, async (h, journal) => {
    const source = await h.file(100 * KiB);
    h.emulator.addFault({ route: 'message', action: 'lose-response' });
    h.emulator.addFault({ route: 'message-get', action: 'status', status: 403 });
    const lost = await sendFile(h.client, { filePath: source.path, to: TO, journal }).catch((e: unknown) => e);
    assert.ok(lost instanceof UploadError && lost.kind === 'auth', String(lost));
    assert.equal(h.emulator.state().messages.length, 1, 'the server did create it');
    const entry = journal.list()[0]!;
    assert.equal(entry.displayState, 'uncertain');

    const counts = [requests(h, 'segment'), requests(h, 'complete'), requests(h, 'guest'), requests(h, 'message')];
    const settled = await sendFile(h.client, { filePath: source.path, to: TO, journal });
    assert.equal(settled.messageId, h.emulator.state().messages[0]!.id);
    assert.equal(settled.resumed, true);
    assert.equal(h.emulator.state().messages.length, 1, 'not sent twice');
    assert.deepEqual([requests(h, 'segment'), requests(h, 'complete'), requests(h, 'guest'), requests(h, 'message')], counts);
    assert.equal(journal.get(entry.id)?.state, 'delivered');

    // An unsettled entry with --redeliver: the user asks for the message to go again, unasked.
    const second = await h.file(100 * KiB);
    h.emulator.addFault({ route: 'message', action: 'lose-response' });
    h.emulator.addFault({ route: 'message-get', action: 'status', status: 403 });
    await assert.rejects(sendFile(h.client, { filePath: second.path, to: TO, journal }));
    const redelivered = await sendFile(h.client, { filePath: second.path, to: TO, journal, redeliver: true });
    assert.equal(redelivered.resumed, true);
    assert.equal(h.emulator.state().messages.length, 3, 'an explicit, informed second message');
  });
});

test('a message the server refused did not happen: the next run sends it, reusing the guest', async () => {
  await withJournal({}, async (h, journal) => {
    const source = await h.file(100 * KiB);
    h.emulator.addFault({ route: 'message', action: 'status', status: 400 });
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal }), (e: unknown) => e instanceof Error && !/uncertain/.test(e.message));
    const entry = journal.list()[0]!;
    assert.equal(entry.state, 'completed');
    assert.equal(entry.messageAttemptAt, undefined);
    const segments = requests(h, 'segment');
    const rec = recorder();
    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal, onEvent: rec.onEvent });
    assert.equal(rec.of('resumed')[0]?.phase, 'delivery');
    assert.equal(requests(h, 'segment'), segments);
    assert.deepEqual(entry.intent, { guestId: result.guestId }, 'the journalled guest is reused');
    assert.equal(h.emulator.state().guests.length, 1);
    assert.equal(h.emulator.state().messages.length, 1);
  });
});

test('interrupted between complete and message: the next run delivers only, with the text asked for now', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB);
    h.emulator.addFault({ route: 'guest', action: 'stall', stallMs: 60_000 });
    const run = abortWhen((e) => e.type === 'delivering');
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, signal: run.signal, keepOnError: true, onEvent: run.onEvent }), InterruptedError);
    h.emulator.clearFaults();
    const entry = journal.list()[0]!;
    assert.equal(entry.state, 'completed');
    const before = [requests(h, 'initiate'), requests(h, 'segment'), requests(h, 'complete')];
    const result = await sendFile(h.client, { filePath: source.path, to: TO, text: 'Here it is', journal });
    assert.deepEqual([requests(h, 'initiate'), requests(h, 'segment'), requests(h, 'complete')], before);
    assert.equal(result.fileId, entry.fileId);
    assert.equal(result.bytesSent, 0);
    const messages = h.emulator.state().messages;
    assert.equal(messages.length, 1);
    assert.equal(messages[0]?.text, 'Here it is');
  });
});

test('the server completed but the run never learnt it: the next run completes again (idempotent) without sending a byte', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB);
    h.emulator.addFault({ route: 'complete', action: 'lose-response', count: 100 });
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, retry: { limit: 2 } }), TransientError);
    h.emulator.clearFaults();
    const entry = journal.list()[0]!;
    assert.equal(entry.state, 'uploading');
    assert.equal(h.emulator.state().uploads[0]?.state, 'completed');
    const segments = requests(h, 'segment');
    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal });
    assert.equal(requests(h, 'segment'), segments);
    assert.equal(result.bytesSkipped, MiB);
    assert.equal(result.fileId, h.emulator.state().uploads[0]?.fileId);
    assert.equal(h.emulator.state().files.length, 1);
    assert.equal(h.emulator.state().messages.length, 1);
  });
});

test('a second send of the same file while one runs is refused clearly; the first is unharmed', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB);
    h.emulator.addFault({ route: 'segment', action: 'stall', stallMs: 200, count: 2 });
    let second: Promise<unknown> | undefined;
    const first = sendFile(h.client, {
      filePath: source.path,
      to: TO,
      journal,
      onEvent: (e) => {
        if (e.type === 'initiated') second ??= sendFile(h.client, { filePath: source.path, to: TO, journal }).catch((error: unknown) => error);
      },
    });
    const result = await first;
    const refused = await second;
    assert.ok(refused instanceof TransientError, String(refused));
    assert.equal(refused.code, 'journal.locked');
    assert.match(refused.message, new RegExp(`pid ${process.pid}`));
    assert.match(refused.message, /already sending/);
    assert.equal(await h.downloadedSha256(result.fileId), source.sha256);
    assert.equal(h.emulator.state().messages.length, 1);
  });
});

test('another --file-name for an unfinished upload is refused (it keeps its name); without it, it continues', async () => {
  await withJournal(SMALL_CHUNKS, async (h, journal) => {
    const source = await h.file(MiB, 'q3.pdf');
    const run = abortWhen((e) => e.type === 'segment-stored');
    await assert.rejects(sendFile(h.client, { filePath: source.path, to: TO, journal, concurrency: 1, signal: run.signal, keepOnError: true, onEvent: run.onEvent }), InterruptedError);
    const renamed = await sendFile(h.client, { filePath: source.path, to: TO, journal, fileName: 'final.pdf' }).catch((e: unknown) => e);
    assert.ok(renamed instanceof ConfigError, String(renamed));
    assert.equal(renamed.code, 'journal.upload_changed');
    assert.match(renamed.message, /q3\.pdf \(application\/pdf\).*final\.pdf/);
    const result = await sendFile(h.client, { filePath: source.path, to: TO, journal });
    assert.equal(result.resumed, true);
    assert.equal(result.fileName, 'q3.pdf');
  });
});
