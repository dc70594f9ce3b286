/**
 * The `s3` settings: defaults declared once and their validation (shared by startEmulator options,
 * the config file, PATCH /__emulator/config and handle.configure).
 */
import { z } from 'zod';
import { DEFAULT_S3_BUCKET, DEMO_S3_CREDENTIAL, type S3Settings } from './types.js';

export function defaultS3Settings(): S3Settings {
  return {
    region: 'us-east-1',
    buckets: [DEFAULT_S3_BUCKET],
    publicReadBuckets: [],
    credentials: [{ ...DEMO_S3_CREDENTIAL }],
    flavor: 'aws',
  };
}

/** S3's bucket naming rules (the path-style subset: lowercase, digits, dots, hyphens). */
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const bucketName = z.string().regex(BUCKET, { error: 'each bucket name must be 3-63 characters of a-z, 0-9, "." and "-"' });

const unique = (list: string[]) => new Set(list).size === list.length;

export const s3SettingsSchema = z.strictObject({
  region: z.string().regex(/^[a-z0-9-]{1,32}$/, { error: 'must look like a region name such as us-east-1' }),
  buckets: z.array(bucketName).max(100).refine(unique, { error: 'bucket names must be unique' }),
  publicReadBuckets: z.array(bucketName).max(100),
  credentials: z
    .array(
      z.strictObject({
        accessKeyId: z.string().regex(/^[A-Za-z0-9]{3,128}$/, { error: 'accessKeyId must be 3-128 letters or digits' }),
        secretAccessKey: z.string().min(8, { error: 'secretAccessKey must have at least 8 characters' }).max(128),
      }),
    )
    .max(100)
    .refine((list) => unique(list.map((c) => c.accessKeyId)), { error: 'access key ids must be unique' }),
  flavor: z.enum(['aws', 'rgw16']),
});

/** A patch changes any subset of the s3 settings. */
export const s3SettingsPatchSchema = s3SettingsSchema.partial();

export function mergeS3Settings(base: S3Settings, patch: Partial<S3Settings> | undefined): S3Settings {
  const p = patch ?? {};
  return {
    region: p.region ?? base.region,
    buckets: [...(p.buckets ?? base.buckets)],
    publicReadBuckets: [...(p.publicReadBuckets ?? base.publicReadBuckets)],
    credentials: (p.credentials ?? base.credentials).map((c) => ({ ...c })),
    flavor: p.flavor ?? base.flavor,
  };
}

export function redactS3Settings(settings: S3Settings): S3Settings {
  return { ...settings, credentials: settings.credentials.map((c) => ({ accessKeyId: c.accessKeyId, secretAccessKey: '***' })) };
}
