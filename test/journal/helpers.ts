/** Fixtures for journal tests: a temp state dir and a plausible new entry. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { NewEntry } from '../../src/journal/index.js';

export async function tempDir(t: TestContext, prefix = 'journal-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function newEntry(overrides: Partial<NewEntry> = {}, path = '/data/report.pdf'): NewEntry {
  return {
    file: { path, size: 12_000_000, mtimeNs: '1700000000123456789', ino: '42', dev: '2049', headSha256: `sha256:${'a'.repeat(64)}`, tailSha256: `sha256:${'b'.repeat(64)}` },
    target: { apiUrl: 'https://api.mypurecloud.ie', loginUrl: 'https://login.mypurecloud.ie', clientId: 'client-1', description: 'region mypurecloud.ie' },
    destination: 'genesys-files',
    sessionState: { uploadId: 'upload-1' },
    uploadId: 'upload-1',
    fileName: 'report.pdf',
    contentType: 'application/pdf',
    chunkSize: 5_242_880,
    maxChunks: 10_000,
    chunks: 3,
    delivery: { to: ['+15550100'], text: 'File report.pdf attached.', language: 'en-US' },
    ...overrides,
  };
}

export const KEY = { filePath: '/data/report.pdf', apiUrl: 'https://api.mypurecloud.ie', clientId: 'client-1' };
