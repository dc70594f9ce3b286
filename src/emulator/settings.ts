/**
 * The emulator's settings: defaults declared once, and the validation every entry point shares
 * (startEmulator options, the CLI, its config file, PATCH /__emulator/config, handle.configure).
 * A bad value throws a ConfigError that names the setting and the allowed range.
 */
import { z } from 'zod';
import { ConfigError } from '../errors/index.js';
import { defaultWebMessagingSettings, webMessagingSchema } from './web-messaging/settings.js';
import { defaultS3Settings, mergeS3Settings, redactS3Settings, s3SettingsPatchSchema, s3SettingsSchema } from './s3/settings.js';
import { conversationSettingsPatchSchema, conversationSettingsSchema, defaultConversationSettings, mergeConversationSettings } from './conversations/settings.js';
import { ALL_PERMISSIONS, DEMO_CLIENT, type EmulatorSettings, type FaultRule, type StartEmulatorOptions } from './types.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_ALLOWED_CONTENT_TYPES: readonly string[] = Object.freeze([
  'application/octet-stream',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/json',
  'text/plain',
  'text/csv',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'video/mp4',
  'video/quicktime',
  'audio/mpeg',
  'audio/wav',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

/** A fresh copy of the defaults each call, so nobody can mutate the shared values. */
export function defaultSettings(): EmulatorSettings {
  return {
    clients: [{ ...DEMO_CLIENT, permissions: [...DEMO_CLIENT.permissions] }],
    tokenTtlSeconds: 86_400,
    urlTtlSeconds: 3_600,
    chunkSize: 5 * MiB,
    singleChunkMaxSize: 10 * MiB,
    maxChunks: 10_000,
    maxFileSize: 50 * GiB,
    allowedContentTypes: [...DEFAULT_ALLOWED_CONTENT_TYPES],
    apiRateLimit: { requests: 300, windowSeconds: 60 },
    storageRateLimitPerSecond: 0,
    webMessaging: defaultWebMessagingSettings(),
    s3: defaultS3Settings(),
    conversations: defaultConversationSettings(),
  };
}

/** S3's largest part; a chunk can never be bigger. */
export const MAX_CHUNK_SIZE = 5 * GiB;

const intIn = (min: number, max: number) =>
  z.int({ error: `must be an integer between ${min} and ${max}` }).min(min, { error: `must be >= ${min}` }).max(max, {
    error: `must be <= ${max}`,
  });

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/;

const clientSchema = z.strictObject({
  id: z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(256)
    .refine((s) => !s.includes(':'), { error: 'must not contain ":" (it is the Basic auth user-id)' }),
  secret: z.string().min(1, { error: 'must not be empty' }).max(1024),
  permissions: z.array(z.enum(ALL_PERMISSIONS as [string, ...string[]])),
});

export const settingsShape = {
  clients: z.array(clientSchema).max(1000).refine((list) => new Set(list.map((c) => c.id)).size === list.length, {
    error: 'client ids must be unique',
  }),
  tokenTtlSeconds: intIn(1, 315_360_000),
  urlTtlSeconds: intIn(1, 604_800),
  chunkSize: intIn(1, MAX_CHUNK_SIZE),
  singleChunkMaxSize: intIn(0, MAX_CHUNK_SIZE),
  maxChunks: intIn(1, 1_000_000),
  maxFileSize: intIn(1, Number.MAX_SAFE_INTEGER),
  allowedContentTypes: z.array(z.string().regex(MEDIA_TYPE, { error: 'each entry must be a type/subtype media type' })),
  apiRateLimit: z.strictObject({ requests: intIn(1, 1_000_000_000), windowSeconds: intIn(1, 86_400) }),
  storageRateLimitPerSecond: intIn(0, 1_000_000),
  webMessaging: webMessagingSchema,
  s3: s3SettingsSchema,
  conversations: conversationSettingsSchema,
};

const settingsPatchSchema = z.strictObject({
  ...settingsShape,
  // A patch may change just one half of the API limit.
  apiRateLimit: z.strictObject({ requests: intIn(1, 1_000_000_000), windowSeconds: intIn(1, 86_400) }).partial(),
  s3: s3SettingsPatchSchema,
  conversations: conversationSettingsPatchSchema,
}).partial();

export const faultRuleSchema = z
  .strictObject({
    id: z.string().min(1).max(100).optional(),
    route: z.enum(['token', 'initiate', 'segment', 'status', 'abort', 'complete', 'file', 'content', 'guest', 'message', 'message-get', 'wm-upload', 'wm-download', 'wm-history', 's3-create', 's3-part', 's3-complete', 's3-list', 's3-abort', 's3-put', 's3-get', 's3-head', 's3-delete', 'conversation', 'conversation-messages', 'media-uploads', 'media-status', 'media-put', 'media-content', 'conversation-send', 'messages-bulk']),
    action: z.enum(['status', 'stall', 'reset', 'corrupt', 'lose-response']),
    status: intIn(400, 599).optional(),
    retryAfter: intIn(0, 86_400).optional(),
    stallMs: intIn(0, 3_600_000).optional(),
    afterBytes: intIn(0, Number.MAX_SAFE_INTEGER).optional(),
    segmentIndex: intIn(0, 1_000_000).optional(),
    partNumber: intIn(1, 10_000).optional(),
    count: intIn(1, 1_000_000_000).optional(),
    probability: z.number().min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).optional(),
  })
  .superRefine((rule, ctx) => {
    const need = (ok: boolean, message: string, path: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', message, path: [path] });
    };
    need(rule.action !== 'status' || rule.status !== undefined, 'is required when action is "status"', 'status');
    need(rule.action !== 'stall' || rule.stallMs !== undefined, 'is required when action is "stall"', 'stallMs');
    need(rule.action !== 'corrupt' || ['segment', 's3-part', 's3-put', 'media-put'].includes(rule.route), 'a "corrupt" rule applies to the segment, s3-part, s3-put and media-put routes only', 'route');
    need(rule.partNumber === undefined || rule.route === 's3-part', 'partNumber applies to the s3-part route only', 'partNumber');
    need(rule.segmentIndex === undefined || rule.route === 'segment', 'segmentIndex applies to the segment route only', 'segmentIndex');
  });

const optionsSchema = z.strictObject({
  ...settingsShape,
  conversations: conversationSettingsPatchSchema,
  host: z.string().min(1).max(255),
  port: intIn(0, 65_535),
  dataDir: z.string().min(1),
  faults: z.array(faultRuleSchema),
  seed: intIn(0, 0xffff_ffff),
  s3: s3SettingsPatchSchema,
  s3Port: intIn(0, 65_535),
}).partial();

function fail(what: string, error: z.ZodError): never {
  const first = error.issues[0];
  const path = first?.path.length ? first.path.join('.') : undefined;
  const detail = first?.code === 'unrecognized_keys' ? `unknown setting(s): ${first.keys.join(', ')}` : first?.message;
  throw new ConfigError(
    'emulator.invalid-setting',
    `Invalid ${what}${path ? ` "${path}"` : ''}: ${detail ?? 'invalid value'}.`,
    { details: error.issues },
  );
}

/** Validates a partial settings object (PATCH body, configure()). Returns the settings merged over `base`. */
export function applySettingsPatch(base: EmulatorSettings, patch: unknown): EmulatorSettings {
  const parsed = settingsPatchSchema.safeParse(patch);
  if (!parsed.success) fail('emulator setting', parsed.error);
  const p = parsed.data;
  return {
    ...base,
    ...p,
    clients: (p.clients ?? base.clients).map((c) => ({ ...c, permissions: [...c.permissions] })),
    allowedContentTypes: [...(p.allowedContentTypes ?? base.allowedContentTypes)],
    apiRateLimit: { ...base.apiRateLimit, ...p.apiRateLimit },
    s3: mergeS3Settings(base.s3, p.s3),
    conversations: mergeConversationSettings(base.conversations, p.conversations),
  } as EmulatorSettings;
}

/** Validates startEmulator options (also what the CLI's config file holds). */
export function parseStartOptions(options: unknown): StartEmulatorOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) fail('emulator option', parsed.error);
  return parsed.data as StartEmulatorOptions;
}

export function parseFaultRule(rule: unknown): FaultRule {
  const parsed = faultRuleSchema.safeParse(rule);
  if (!parsed.success) fail('fault rule', parsed.error);
  return parsed.data;
}

/** The settings part of startEmulator options, merged over the defaults and validated. */
export function settingsFromOptions(options: StartEmulatorOptions): EmulatorSettings {
  const { host: _h, port: _p, dataDir: _d, faults: _f, seed: _s, s3Port: _s3p, ...patch } = options;
  const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return applySettingsPatch(defaultSettings(), clean);
}

/** Settings as shown by GET /__emulator/config: client secrets never leave the process. */
export function redactSettings(settings: EmulatorSettings): EmulatorSettings {
  return { ...settings, clients: settings.clients.map((c) => ({ ...c, secret: '***' })), s3: redactS3Settings(settings.s3) };
}

/** Chunk size an upload of `totalSize` bytes gets under `settings` (PROTOCOL.md section 2). */
export function chunkSizeFor(settings: EmulatorSettings, totalSize: number): number {
  if (settings.singleChunkMaxSize > 0 && totalSize <= settings.singleChunkMaxSize) return totalSize;
  return settings.chunkSize;
}
