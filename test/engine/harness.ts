/**
 * Engine tests run the real client against the real emulator on 127.0.0.1, port 0. This file
 * starts both, makes source files in a temp dir, and fetches what was delivered back from the
 * emulator to compare its SHA-256 with the source's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../src/emulator/index.js';
import { resolveConfig } from '../../src/config/index.js';
import { createGenesysClient, type GenesysClient, type GenesysClientOptions } from '../../src/relay/index.js';
import type { UploadEvent } from '../../src/upload/events.js';

export interface Harness {
  emulator: EmulatorHandle;
  client: GenesysClient;
  dir: string;
  /** Writes `size` random bytes to a new file; returns its path and SHA-256. */
  file(size: number, name?: string): Promise<{ path: string; sha256: string }>;
  /** SHA-256 of the stored file's content, downloaded from the emulator. */
  downloadedSha256(fileId: string): Promise<string>;
  /** A fresh client for another OAuth client id/secret. */
  clientFor(id: string, secret: string): GenesysClient;
}

/** Fast retries: tests exercise the rules, not the wall clock. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 50 } as const;

export async function withHarness(
  emulatorOptions: StartEmulatorOptions,
  fn: (h: Harness) => Promise<void>,
  clientOptions: GenesysClientOptions = {},
): Promise<void> {
  const emulator = await startEmulator({ port: 0, ...emulatorOptions });
  const dir = await mkdtemp(join(tmpdir(), 'engine-test-'));
  const clients: GenesysClient[] = [];
  const make = (id: string, secret: string): GenesysClient => {
    const config = resolveConfig({ env: {}, flags: { clientId: id, clientSecret: secret, baseUrl: emulator.url } });
    const client = createGenesysClient(config, { retry: FAST_RETRY, ...clientOptions });
    clients.push(client);
    return client;
  };
  const client = make('demo-client', 'demo-secret');
  let n = 0;
  try {
    await fn({
      emulator,
      client,
      dir,
      clientFor: make,
      async file(size, name) {
        const data = randomBytes(size);
        const path = join(dir, name ?? `source-${++n}.bin`);
        await writeFile(path, data);
        return { path, sha256: createHash('sha256').update(data).digest('hex') };
      },
      async downloadedSha256(fileId) {
        const hash = createHash('sha256');
        for await (const chunk of await client.fileContent(fileId)) hash.update(chunk as Buffer);
        return hash.digest('hex');
      },
    });
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Collects events by type. */
export function recorder(): { events: UploadEvent[]; onEvent: (e: UploadEvent) => void; of<T extends UploadEvent['type']>(type: T): Array<Extract<UploadEvent, { type: T }>> } {
  const events: UploadEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    of: <T extends UploadEvent['type']>(type: T) => events.filter((e): e is Extract<UploadEvent, { type: T }> => e.type === type),
  };
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
