/**
 * The library as the README shows it: everything imported from the package's entry point, one
 * journalled send against the emulator, the delivered bytes checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGenesysClient,
  DEMO_CLIENT,
  openJournal,
  resolveConfig,
  sendFile,
  startEmulator,
  UploadError,
  type UploadEvent,
} from '../../src/index.js';

test('the public entry point sends a file with a journal, as the README shows', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'public-api-'));
  const emulator = await startEmulator({ chunkSize: 1024 * 1024, singleChunkMaxSize: 0 });
  const journal = openJournal({ stateDir: join(dir, 'state') });
  const client = createGenesysClient(
    resolveConfig({ env: {}, flags: { clientId: DEMO_CLIENT.id, clientSecret: DEMO_CLIENT.secret, baseUrl: emulator.url } }),
  );
  try {
    const bytes = randomBytes(2 * 1024 * 1024 + 5);
    const path = join(dir, 'claim.zip');
    await writeFile(path, bytes);
    const events: UploadEvent['type'][] = [];
    const result = await sendFile(client, { filePath: path, to: ['+15550100'], text: 'Your documents', journal, onEvent: (e) => events.push(e.type) });
    assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(result.chunks, 3);
    assert.equal(emulator.state().files.find((f) => f.id === result.fileId)?.sha256, result.sha256);
    assert.ok(events.includes('initiated') && events.includes('completed') && events.includes('delivered'));
    assert.equal(journal.list()[0]?.state, 'delivered');

    // The same send again prints the earlier result: nothing is uploaded or delivered twice.
    const again = await sendFile(client, { filePath: path, to: ['+15550100'], text: 'Your documents', journal });
    assert.equal(again.messageId, result.messageId);
    assert.equal(emulator.state().messages.length, 1);

    await assert.rejects(sendFile(client, { filePath: join(dir, 'missing.bin'), to: ['x'] }), (error: unknown) => {
      assert.ok(error instanceof UploadError);
      assert.equal(error.kind, 'usage');
      return true;
    });
  } finally {
    await client.close();
    journal.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
});
