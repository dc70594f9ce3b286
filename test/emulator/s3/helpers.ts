/** Shared by the S3 endpoint's conformance tests: an emulator, an official SDK client, raw requests. */
import { createCipheriv, createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { request } from 'undici';
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from '../../../src/emulator/index.js';
import { DEMO_S3_CREDENTIAL } from '../../../src/emulator/s3/index.js';

export const BUCKET = 'genesys-uploads';
export const MiB = 1024 * 1024;

export async function emulator(t: TestContext, options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const handle = await startEmulator(options);
  t.after(() => handle.close());
  return handle;
}

export function client(
  emu: EmulatorHandle,
  credentials: { accessKeyId: string; secretAccessKey: string } = DEMO_S3_CREDENTIAL,
  region = 'us-east-1',
): S3Client {
  const s3 = new S3Client({
    endpoint: emu.s3Url,
    forcePathStyle: true,
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  return s3;
}

export const sha256b64 = (data: Buffer): string => createHash('sha256').update(data).digest('base64');
export const sha256hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
export const md5hex = (data: Buffer): string => createHash('md5').update(data).digest('hex');

/** Deterministic pseudo-random bytes (AES-CTR over zeros, keyed by the seed), so failures are reproducible. */
export function bytes(size: number, seed = 1): Buffer {
  const key = createHash('sha256').update(String(seed)).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: Buffer;
}

export async function raw(url: string, method: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Raw> {
  const res = await request(url, { method: method as 'GET', headers: options.headers, body: options.body });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, text: body.toString('utf8'), bytes: body };
}

/** The <Code> of an S3 XML error body. */
export const codeOf = (text: string): string | undefined => /<Code>([^<]*)<\/Code>/.exec(text)?.[1];

/** An SDK error's S3 code and HTTP status. */
export async function sdkError(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.Code ?? e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the request to fail');
}
