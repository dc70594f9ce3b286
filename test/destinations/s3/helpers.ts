/** Shared by the S3 store's tests: emulator and s3rver peers, deterministic bytes, downloads. */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { request } from 'undici';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../../src/emulator/index.js';
import { DEMO_S3_CREDENTIAL } from '../../../src/emulator/s3/index.js';
import { S3LinkStore, type S3StoreInput } from '../../../src/destinations/s3/index.js';

export const MiB = 1024 * 1024;
export const BUCKET = 'genesys-uploads';

export async function emulator(t: TestContext, options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator(options);
  t.after(() => handle.close());
  return handle;
}

export function emulatorStore(t: TestContext, emu: EmulatorHandle, input: Partial<S3StoreInput> = {}): S3LinkStore {
  const store = new S3LinkStore({
    location: `s3://${BUCKET}/links/`,
    endpoint: emu.s3Url,
    region: 'us-east-1',
    credentials: { ...DEMO_S3_CREDENTIAL },
    partSize: 5 * MiB,
    ...input,
  });
  t.after(() => store.close());
  return store;
}

export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** s3rver 3.7.1 in-process on port 0, a temp directory, one bucket. */
export async function s3rver(t: TestContext): Promise<{ url: string }> {
  const name = 's3rver'; // untyped package: loaded by name so the type check does not ask for its types
  const { default: S3rver } = (await import(name)) as unknown as { default: new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> } };
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  const address = await server.run();
  t.after(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { url: `http://127.0.0.1:${address.port}` };
}

export function s3rverStore(t: TestContext, url: string, input: Partial<S3StoreInput> = {}): S3LinkStore {
  const store = new S3LinkStore({ location: `s3://${BUCKET}/links/`, endpoint: url, region: 'us-east-1', credentials: { ...S3RVER_KEY }, partSize: 5 * MiB, ...input });
  t.after(() => store.close());
  return store;
}

/** Deterministic pseudo-random bytes (AES-CTR keyed by the seed). */
export function bytes(size: number, seed = 1): Buffer {
  const key = createHash('sha256').update(String(seed)).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export const sha256hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export async function download(url: string): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(url);
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()), headers: res.headers };
}
