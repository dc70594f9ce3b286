/**
 * What the kill -9 tests share: a temp dir with an emulator in it, the CLI's environment against
 * it, a run killed with SIGKILL once it is inside a window, the last run's --json result, and the
 * checks every such test ends with (exactly one message, and it carries the source's bytes).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../../src/emulator/index.js';
import { runCli, type CliRun } from './cli.js';

export interface KillBed {
  dir: string;
  emulator: EmulatorHandle;
  /** The CLI's environment: its own HOME and state directory, the emulator's OAuth client. */
  env: Record<string, string>;
}

/** A temp dir and an emulator in it, both removed after the test. */
export async function killBed(t: TestContext, prefix: string, options: Omit<StartEmulatorOptions, 'port' | 'dataDir'> = {}): Promise<KillBed> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator'), ...options });
  t.after(() => emulator.close());
  const env = {
    HOME: dir,
    GENESYS_UPLOAD_STATE_DIR: join(dir, 'state'),
    GENESYS_BASE_URL: emulator.url,
    GENESYS_CLIENT_ID: 'demo-client',
    GENESYS_CLIENT_SECRET: 'demo-secret',
  };
  return { dir, emulator, env };
}

/**
 * Runs the CLI `kills` times, killing each run with SIGKILL once `arm` resolves (the run is inside
 * the window); a run that finishes first fails the test.
 */
export async function killInside(args: string[], env: Record<string, string>, arm: () => Promise<void>, kills = 1): Promise<void> {
  for (let kill = 0; kill < kills; kill++) {
    const run = runCli(args, env);
    await Promise.race([arm(), run.done.then((r) => assert.fail(`the CLI finished before the kill: ${r.stderr}`))]);
    await run.kill9();
  }
}

/** A run to its end: exit 0, and its --json result (the last line on stdout). */
export async function finalResult<T>(run: CliRun): Promise<T> {
  const { code, stdout, stderr } = await run.done;
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as T;
}

/** A message as the emulator holds it: its id and the files it carries. */
export interface HeldMessage {
  id: string;
  files: Array<{ sha256: string; size: number }>;
}

/** Exactly one message, the result's, carrying one file: the source's bytes. */
export function assertOneMessage(messages: HeldMessage[], messageId: string, source: { sha256: string; size: number }): void {
  assert.equal(messages.length, 1, `exactly one message: ${JSON.stringify(messages)}`);
  assert.equal(messages[0]!.id, messageId);
  assert.deepEqual(messages[0]!.files, [source]);
}

/**
 * The tutorial's Files API: exactly one message, the result's, with the result's file attached,
 * whose stored SHA-256 and downloaded bytes are the source's.
 */
export async function assertFilesApiDelivery(emulator: EmulatorHandle, result: { messageId: string; fileId: string }, sha256: string): Promise<void> {
  const state = emulator.state();
  assert.equal(state.messages.length, 1, `exactly one message; ${JSON.stringify(state.messages.map((m) => m.id))}`);
  assert.equal(state.messages[0]!.id, result.messageId);
  assert.deepEqual(state.messages[0]!.attachments.map((a) => a.id), [result.fileId]);
  assert.equal(state.files.find((f) => f.id === result.fileId)?.sha256, sha256, "the message's file is the source's bytes");
  const token = (await (await fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })).json()) as { access_token: string };
  const content = await fetch(`${emulator.url}/api/v2/files/${result.fileId}/content`, { headers: { authorization: `Bearer ${token.access_token}` } });
  const downloaded = createHash('sha256');
  for await (const chunk of content.body!) downloaded.update(chunk as Uint8Array);
  assert.equal(downloaded.digest('hex'), sha256, 'byte-identical');
}
