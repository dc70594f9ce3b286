/**
 * The service's web page in real Chromium, against the real service with its embedded emulator:
 * a file chosen by path is sent and delivered (the page shows the emulator's message id and the
 * stored file's SHA-256), a page closed in the middle of an upload and opened again continues it
 * where the service stopped, and an API-key-protected service explains a too-large file and a
 * wrong key in plain words before delivering with the right key.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startService, type ServiceHandle } from '../../src/server/index.js';
import { launchChromium } from './browser.js';

const MiB = 1024 * 1024;
/** The page's tus chunk size (src/web/intake.js). */
const PAGE_CHUNK = 8 * MiB;
const DELIVERY_TIMEOUT_MS = 45_000;
const OUTPUT_DIR = fileURLToPath(new URL('../../test-output/', import.meta.url));

interface SourceFile {
  path: string;
  size: number;
  sha256: string;
}

let work: string;
let browser: Browser;

async function writeSource(name: string, size: number): Promise<SourceFile> {
  const bytes = randomBytes(size);
  const path = join(work, name);
  await writeFile(path, bytes);
  return { path, size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function startEmulatedService(t: TestContext, name: string, extra: { apiKeys?: string[]; maxSize?: number; via?: 'web-messaging' } = {}): Promise<ServiceHandle> {
  const service = await startService({
    port: 0,
    spoolDir: join(work, name, 'spool'),
    stateDir: join(work, name, 'state'),
    // Parts of the page's default chunk size: the chunks these tests count are the same either way.
    emulator: { chunkSize: PAGE_CHUNK },
    logLevel: 'silent',
    ...extra,
  });
  t.after(() => service.close());
  return service;
}

/** A fresh browser context (its own localStorage) and page; page errors fail the test at the end. */
async function openPage(t: TestContext, url: string): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.locator('body[data-ready="true"]').waitFor();
  return { context, page, pageErrors };
}

/** Waits for the job to end and returns what the page shows; a failure carries the page's words. */
async function waitForOutcome(page: Page): Promise<{ messageId: string; sha256: string; jobId: string }> {
  await page.locator('#progress[data-state="delivered"], #progress[data-state="failed"]').waitFor({ timeout: DELIVERY_TIMEOUT_MS });
  const state = await page.getAttribute('#progress', 'data-state');
  assert.equal(state, 'delivered', `the job did not deliver: ${await page.textContent('#job-error')}`);
  return {
    messageId: ((await page.textContent('#message-id')) ?? '').trim(),
    sha256: ((await page.textContent('#sha256')) ?? '').trim(),
    jobId: (await page.getAttribute('#progress', 'data-job-id')) ?? '',
  };
}

/** The emulator's message with this id, and the stored file attached to it. */
function delivered(service: ServiceHandle, messageId: string) {
  const state = service.emulator!.state();
  const message = state.messages.find((candidate) => candidate.id === messageId);
  assert.ok(message, `the emulator has no message ${messageId}`);
  const attachment = message.attachments[0];
  assert.ok(attachment, 'the message has no attachment');
  const file = state.files.find((candidate) => candidate.id === attachment.id);
  assert.ok(file, `the emulator has no file ${attachment.id}`);
  return { message, file };
}

async function screenshot(t: TestContext, page: Page, name: string): Promise<void> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, name);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  t.diagnostic(`screenshot: ${path}`);
}

describe('the web page in Chromium', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'genesys-e2e-'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rm(work, { recursive: true, force: true });
  });

  test('sends a chosen file and shows the delivered message id and SHA-256', async (t) => {
    const service = await startEmulatedService(t, 'send');
    const source = await writeSource('quarterly-report.pdf', 5 * MiB + 12_345);
    const { page, pageErrors } = await openPage(t, service.url);

    const checksumHeaders: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') checksumHeaders.push(request.headers()['upload-checksum'] ?? 'none');
    });
    await page.setInputFiles('#file', source.path);
    assert.equal(await page.textContent('#chosen-name'), 'quarterly-report.pdf');
    await page.fill('#to', '+15550100');
    await page.fill('#text', 'Here are the quarterly figures.');
    await page.click('#send');
    const outcome = await waitForOutcome(page);

    const { message, file } = delivered(service, outcome.messageId);
    assert.deepEqual(message.to, ['+15550100']);
    assert.equal(message.text, 'Here are the quarterly figures.');
    assert.equal(file.sha256, source.sha256, 'the stored file is not the source file');
    assert.equal(file.size, source.size);
    assert.equal(outcome.sha256, source.sha256, 'the page shows another SHA-256');
    assert.equal(await page.getAttribute('#intake-bar', 'data-bytes'), String(source.size));
    assert.match((await page.textContent('#checksum-mode')) ?? '', /SHA-256 per chunk/);
    assert.equal(checksumHeaders.length, 1, 'a 5 MiB file is one 8 MiB chunk');
    assert.match(checksumHeaders[0] ?? '', /^sha256 [A-Za-z0-9+/]{43}=$/, 'each PATCH carries its SHA-256');
    await screenshot(t, page, 'e2e-page.png');
    assert.deepEqual(pageErrors, []);
  });

  test('through Web Messaging: no recipients to give; the result names the destination and the guest', async (t) => {
    const service = await startEmulatedService(t, 'web-messaging', { via: 'web-messaging' });
    const source = await writeSource('photo.png', 200_000);
    const { page, pageErrors } = await openPage(t, service.url);
    assert.equal(await page.isVisible('#to'), false, 'no recipients field for Web Messaging');
    assert.equal(await page.isVisible('#language'), false);
    await page.setInputFiles('#file', source.path);
    await page.fill('#text', 'The photo');
    await page.click('#send');
    const outcome = await waitForOutcome(page);
    const conversations = (service.emulator!.state() as unknown as { webMessaging: { conversations: Array<{ messages: Array<{ id: string; attachments: Array<{ sha256: string }> }> }> } }).webMessaging.conversations;
    const message = conversations.flatMap((c) => c.messages).find((m) => m.id === outcome.messageId);
    assert.equal(message?.attachments[0]?.sha256, source.sha256);
    const result = (await page.textContent('#result')) ?? '';
    assert.match(result, /Web Messaging/);
    assert.match(result, /new guest/);
    assert.match(result, /Delivered as\s*attachment/);
    assert.deepEqual(pageErrors, []);
  });

  test('a page closed in the middle of an upload and opened again continues it from the offset the service holds', async (t) => {
    const service = await startEmulatedService(t, 'resume');
    const source = await writeSource('site-survey.pdf', 2 * PAGE_CHUNK + 3 * MiB);
    const { context, page: first } = await openPage(t, service.url);

    // Hold the second PATCH: the first chunk is then on the service, and the upload is mid-way
    // when the page goes away. No timing involved. The held request dies with its page: a route
    // left pending across a reload of the same page can stall that page's later requests in
    // Chromium, so the page is closed and opened again (as a user closing and reopening the tab).
    let patches = 0;
    let releaseHeld: () => void = () => undefined;
    const secondPatchHeld = new Promise<void>((resolve) => (releaseHeld = resolve));
    await first.route((url) => url.pathname.startsWith('/files/'), async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      patches += 1;
      if (patches === 2) return releaseHeld();
      return route.continue();
    });

    await first.setInputFiles('#file', source.path);
    await first.fill('#to', '+15550111');
    await first.click('#send');
    await secondPatchHeld;
    const firstJobId = (await first.getAttribute('#progress', 'data-job-id')) ?? '';
    assert.notEqual(firstJobId, '');
    await first.close();

    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(service.url);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('#remembered').waitFor();
    assert.match((await page.textContent('#remembered-text')) ?? '', /site-survey\.pdf \(8 MiB of 19 MiB received\)/);
    const head = await fetch(`${service.url}/files/${firstJobId}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    assert.equal(head.headers.get('upload-offset'), String(PAGE_CHUNK), 'the service should hold exactly the first chunk');

    const offsetsAfterReload: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') offsetsAfterReload.push(request.headers()['upload-offset'] ?? '?');
    });
    assert.equal(await page.inputValue('#to'), '+15550111', 'the form should come back when the page is opened again');
    await page.setInputFiles('#file', source.path);
    await page.click('#send');
    const outcome = await waitForOutcome(page);

    assert.equal(outcome.jobId, firstJobId, 'the same upload (job) should have continued');
    assert.equal(await page.getAttribute('#resumed-note', 'data-resumed-from'), String(PAGE_CHUNK));
    assert.deepEqual(offsetsAfterReload, [String(PAGE_CHUNK), String(2 * PAGE_CHUNK)], 'nothing before the held offset is sent again');
    const { file } = delivered(service, outcome.messageId);
    assert.equal(file.sha256, source.sha256);
    assert.equal(outcome.sha256, source.sha256);
    assert.equal(await page.isHidden('#remembered'), true, 'a finished upload is no longer offered for resuming');
    await screenshot(t, page, 'e2e-resumed.png');
    assert.deepEqual(pageErrors, []);
  });

  test('with an API key: asks for it, explains a too-large file and a wrong key, delivers with the right key', async (t) => {
    const key = 'e2e-key-0123456789abcdef';
    const service = await startEmulatedService(t, 'keyed', { apiKeys: [key], maxSize: 3 * MiB });
    const tooLarge = await writeSource('too-large.pdf', 4 * MiB);
    const source = await writeSource('minutes.txt', 256 * 1024);
    const { page, pageErrors } = await openPage(t, service.url);

    assert.equal(await page.isVisible('#api-key'), true, 'the key field should show when the service needs a key');
    await page.fill('#api-key', 'not-the-right-key-000');
    await page.fill('#to', '+15550122');
    await page.setInputFiles('#file', source.path);
    await page.click('#send');
    await page.locator('#form-error:has-text("API key")').waitFor();
    assert.match((await page.textContent('#form-error')) ?? '', /The API key was not accepted/);

    await page.fill('#api-key', key);
    await page.click('#chosen-clear');
    await page.setInputFiles('#file', tooLarge.path);
    await page.click('#send');
    await page.locator('#form-error:has-text("limit")').waitFor();
    assert.match((await page.textContent('#form-error')) ?? '', /4 MiB, larger than the 3 MiB limit/);

    await page.click('#chosen-clear');
    await page.setInputFiles('#file', source.path);
    await page.click('#send');
    const outcome = await waitForOutcome(page);
    const { file } = delivered(service, outcome.messageId);
    assert.equal(file.sha256, source.sha256);
    assert.equal(await page.evaluate("sessionStorage.getItem('genesys-upload.apiKey')"), key);
    assert.deepEqual(pageErrors, []);
  });
});
