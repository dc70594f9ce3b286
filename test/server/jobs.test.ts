/**
 * Relay jobs: the queue honours --max-jobs, a failed job is retried to delivery (and only a
 * failed one), the SSE stream and the list show the same data, expiry of unfinished intakes on the
 * service's clock, readiness and metrics.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobView } from '../../src/server/index.js';
import { createUpload, encodeMetadata, ended, followJob, getJob, h, headOffset, http, jobIdOf, patch, startTestService, terminal, TUS } from './helpers.js';

test('with --max-jobs 1 the second job waits in the queue until the first is done', async () => {
  // Relays after intake: a job relayed while receiving takes no slot (only its message remains).
  const t = await startTestService({ maxJobs: 1, relayWhileReceiving: false });
  try {
    // Hold the first relay at its initiate call for a while (the rule applies once).
    t.service.emulator!.addFault({ route: 'initiate', action: 'stall', stallMs: 1500, count: 1 });
    const first = await createUpload(t.url, 1000, { filename: 'one.txt', to: '+15550100' });
    assert.equal((await patch(first, 0, randomBytes(1000))).status, 204);
    await followJob(t.url, jobIdOf(first), (job) => job.state === 'relaying');
    const second = await createUpload(t.url, 2000, { filename: 'two.txt', to: '+15550100' });
    assert.equal((await patch(second, 0, randomBytes(2000))).status, 204);

    const firstBefore = await getJob(t.url, jobIdOf(first));
    const secondNow = await getJob(t.url, jobIdOf(second));
    const firstAfter = await getJob(t.url, jobIdOf(first));
    if (firstBefore.state === 'relaying' && firstAfter.state === 'relaying') assert.equal(secondNow.state, 'queued');
    const queueDepth = await http(`${t.url}/metrics`);
    assert.match(queueDepth.text, /^genesys_upload_queue_depth \d+$/m);

    const [a, b] = await Promise.all([first, second].map(async (url) => (await followJob(t.url, jobIdOf(url), terminal)).at(-1)!.data));
    assert.equal(a!.state, 'delivered');
    assert.equal(b!.state, 'delivered');
    assert.ok(Date.parse(b!.startedAt!) >= Date.parse(a!.finishedAt!), 'the second relay started only after the first ended');
    assert.equal(t.service.emulator!.state().messages.length, 2);
  } finally {
    await t.close();
  }
});

test('a failed job keeps its spool file, is retried on request and delivers; only failed jobs can be retried', async () => {
  // The relay after intake (relaying while receiving would open the upload at creation).
  const t = await startTestService({ relayWhileReceiving: false });
  try {
    t.service.emulator!.addFault({ route: 'initiate', action: 'status', status: 400, count: 1 });
    const data = randomBytes(4096);
    const uploadUrl = await createUpload(t.url, data.length, { filename: 'retry.pdf', to: '+15550100' });
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const id = jobIdOf(uploadUrl);
    const failed = (await followJob(t.url, id, terminal)).at(-1)!.data;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.kind, 'rejected');
    assert.ok(failed.error?.message.length);
    await access(join(t.dir, 'spool', 'intake', id)); // kept for the retry

    const retried = await http(`${t.url}/api/jobs/${id}/retry`, { method: 'POST' });
    assert.equal(retried.status, 202);
    assert.equal((retried.json as JobView).state, 'queued');
    const done = (await followJob(t.url, id, terminal)).at(-1)!.data;
    assert.equal(done.state, 'delivered');
    assert.equal(done.error, null);
    assert.equal(done.attempts, 2);
    await assert.rejects(access(join(t.dir, 'spool', 'intake', id)), 'the spool file is removed after delivery');
    assert.equal(t.service.emulator!.state().messages.length, 1);

    const again = await http(`${t.url}/api/jobs/${id}/retry`, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.equal((await http(`${t.url}/api/jobs/${'f'.repeat(32)}/retry`, { method: 'POST' })).status, 404);
    const receiving = await createUpload(t.url, 10);
    assert.equal((await http(`${t.url}/api/jobs/${jobIdOf(receiving)}/retry`, { method: 'POST' })).status, 409);
  } finally {
    await t.close();
  }
});

test('SSE: a snapshot, one event per change, a final end event; the list shows the same job', async () => {
  const t = await startTestService({ emulator: { chunkSize: 64 * 1024, singleChunkMaxSize: 0 } });
  try {
    const data = randomBytes(512 * 1024);
    const uploadUrl = await createUpload(t.url, data.length, { filename: 'sse.pdf', to: '+15550100' });
    const id = jobIdOf(uploadUrl);
    const watching = followJob(t.url, id, () => false).catch((error: Error) => error); // ends when the stream closes
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const failure = await watching;
    assert.ok(failure instanceof Error); // the stream closed after the end event
    const events = (await followJob(t.url, id, ended)).map((event) => event.event);
    assert.deepEqual(events, ['job', 'end'], 'a finished job: its snapshot, then end');

    const all: string[] = [];
    const stream = await fetch(`${t.url}/api/jobs/${id}/events`);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    all.push(await stream.text());
    assert.match(all[0]!, /^retry: \d+\n\nevent: job\nid: 1\ndata: \{.*\}\n\nevent: end\nid: 2\ndata: \{.*"state":"delivered".*\}\n\n$/s);

    const list = (await http(`${t.url}/api/jobs?limit=5`)).json as { jobs: JobView[] };
    assert.equal(list.jobs[0]?.id, id);
    assert.deepEqual(list.jobs[0], await getJob(t.url, id));
    assert.equal((await http(`${t.url}/api/jobs?state=bogus`)).status, 400);
    assert.equal((await http(`${t.url}/api/jobs?limit=0`)).status, 400);
    assert.equal((await http(`${t.url}/api/jobs/${'0'.repeat(32)}/events`)).status, 404);
  } finally {
    await t.close();
  }
});

test('SSE reports relay progress chunk by chunk while a job runs', async () => {
  // The relay after intake: progress while receiving has its own test (relay-stream.test.ts).
  const t = await startTestService({ emulator: { chunkSize: 64 * 1024, singleChunkMaxSize: 0 }, concurrency: 1, relayWhileReceiving: false });
  try {
    const data = randomBytes(8 * 64 * 1024);
    const uploadUrl = await createUpload(t.url, data.length, { filename: 'progress.pdf', to: '+15550100' });
    const id = jobIdOf(uploadUrl);
    const watching = followJob(t.url, id, ended);
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const events = await watching;
    const states = [...new Set(events.map((event) => event.data.state))];
    assert.deepEqual(states, ['receiving', 'queued', 'relaying', 'delivered']);
    const relayBytes = events.filter((event) => event.data.state === 'relaying').map((event) => event.data.relay.bytes);
    for (let i = 1; i < relayBytes.length; i += 1) assert.ok(relayBytes[i]! >= relayBytes[i - 1]!, 'relay progress never goes back');
    assert.ok(new Set(relayBytes).size >= 8, `one event per stored chunk (${relayBytes.join(',')})`);
    assert.equal(events.at(-1)!.event, 'end');
  } finally {
    await t.close();
  }
});

test('an unfinished intake expires on the service clock: 410, its job fails, its spool file is removed', async () => {
  let now = Date.parse('2030-01-01T00:00:00Z');
  const t = await startTestService({ intakeExpiryMs: 60_000, clock: { now: () => now } });
  try {
    const created = await http(`${t.url}/files/`, {
      method: 'POST',
      headers: { ...TUS, 'upload-length': '10', 'upload-metadata': encodeMetadata({ filename: 'a.pdf', to: '+15550100' }) },
    });
    assert.equal(created.status, 201);
    assert.equal(h(created, 'upload-expires'), new Date(now + 60_000).toUTCString());
    const uploadUrl = new URL(h(created, 'location')!, `${t.url}/files/`).toString();
    assert.equal((await patch(uploadUrl, 0, Buffer.alloc(4))).status, 204);
    const other = await createUpload(t.url, 10);

    now += 59_000;
    assert.equal(await headOffset(uploadUrl), 4, 'not yet expired');
    now += 2_000;
    assert.equal((await http(uploadUrl, { method: 'HEAD', headers: { ...TUS } })).status, 410);
    assert.equal((await patch(uploadUrl, 4, Buffer.alloc(6))).status, 410);
    const job = await getJob(t.url, jobIdOf(uploadUrl));
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'intake.expired');
    await assert.rejects(access(join(t.dir, 'spool', 'intake', jobIdOf(uploadUrl))));

    assert.equal(await t.service.sweepExpiredIntakes(), 1, 'the sweep finds the other one');
    await assert.rejects(access(join(t.dir, 'spool', 'intake', jobIdOf(other))));
    assert.equal((await getJob(t.url, jobIdOf(other))).error?.code, 'intake.expired');
  } finally {
    await t.close();
  }
});

test('readiness needs a Genesys token; metrics count bytes, segments, retries and jobs', async () => {
  // No failure cache here: the recovery is checked at once (the cache has its own test).
  const t = await startTestService({ readinessFailureCacheMs: 0 });
  try {
    const emulator = t.service.emulator!;
    const clients = emulator.settings().clients;
    emulator.configure({ clients: [{ id: 'someone-else', secret: 'other-secret', permissions: ['files:upload'] }] });
    const notReady = await http(`${t.url}/readyz`);
    assert.equal(notReady.status, 503);
    const report = notReady.json as { ready: boolean; checks: Record<string, string>; reasons: string[] };
    assert.equal(report.ready, false);
    assert.equal(report.checks.genesysToken, 'failed');
    assert.equal(report.checks.stateStore, 'ok');
    assert.ok(report.reasons.length > 0);
    assert.doesNotMatch(notReady.text, /demo-secret/);
    emulator.configure({ clients });
    assert.equal((await http(`${t.url}/readyz`)).status, 200);
    assert.deepEqual((await http(`${t.url}/healthz`)).json, { status: 'ok' });

    emulator.addFault({ route: 'segment', action: 'status', status: 503, retryAfter: 0, count: 1 });
    const data = randomBytes(10_000);
    const uploadUrl = await createUpload(t.url, data.length);
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    assert.equal((await followJob(t.url, jobIdOf(uploadUrl), terminal)).at(-1)!.data.state, 'delivered');
    const metrics = (await http(`${t.url}/metrics`)).text;
    const value = (pattern: RegExp): number => Number(pattern.exec(metrics)?.[1] ?? NaN);
    assert.equal(value(/^genesys_upload_intake_bytes_total (\d+)$/m), data.length);
    assert.equal(value(/^genesys_upload_relay_bytes_total (\d+)$/m), data.length);
    assert.equal(value(/^genesys_upload_segments_total (\d+)$/m), 1);
    assert.equal(value(/^genesys_upload_retries_total\{route="storage",status="503"\} (\d+)$/m), 1);
    assert.equal(value(/^genesys_upload_jobs_total\{outcome="delivered"\} (\d+)$/m), 1);
    assert.equal(value(/^genesys_upload_job_duration_seconds_count\{outcome="delivered"\} (\d+)$/m), 1);
  } finally {
    await t.close();
  }
});

test('a message whose answer was lost is settled by asking the platform: delivered once; a retry after a failed ask sends nothing twice', async () => {
  const t = await startTestService();
  try {
    const emulator = t.service.emulator!;
    emulator.addFault({ route: 'message', action: 'lose-response', count: 1 });
    const data = randomBytes(2048);
    const uploadUrl = await createUpload(t.url, data.length, { filename: 'lost.pdf', to: '+15550100' });
    assert.equal((await patch(uploadUrl, 0, data)).status, 204);
    const id = jobIdOf(uploadUrl);
    const first = (await followJob(t.url, id, terminal)).at(-1)!.data;
    assert.equal(first.state, 'delivered');
    assert.equal(emulator.state().messages.length, 1, 'the message arrived once; its lost answer was found by asking');
    assert.equal(first.messageId, emulator.state().messages[0]!.id);

    // The answer lost and the asking refused: the job fails, unsettled; a retry asks again and finds it.
    emulator.addFault({ route: 'message', action: 'lose-response', count: 1 });
    emulator.addFault({ route: 'message-get', action: 'status', status: 403, count: 1 });
    const other = randomBytes(2048);
    const otherUrl = await createUpload(t.url, other.length, { filename: 'lost-2.pdf', to: '+15550100' });
    assert.equal((await patch(otherUrl, 0, other)).status, 204);
    const otherId = jobIdOf(otherUrl);
    const failed = (await followJob(t.url, otherId, terminal)).at(-1)!.data;
    assert.equal(failed.state, 'failed');
    assert.equal(emulator.state().messages.length, 2);
    assert.equal((await http(`${t.url}/api/jobs/${otherId}/retry`, { method: 'POST' })).status, 202);
    const retried = (await followJob(t.url, otherId, terminal)).at(-1)!.data;
    assert.equal(retried.state, 'delivered');
    assert.equal(emulator.state().messages.length, 2, 'a retry does not send it again');
    assert.equal(retried.messageId, emulator.state().messages.at(-1)!.id);
  } finally {
    await t.close();
  }
});
