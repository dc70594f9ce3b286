/**
 * Defaults and validation of EmulatorSettings.conversations. The shared settings module merges
 * this key like the others; a patch may change any subset (profile fields one by one too).
 */
import { z } from 'zod';
import type { ContentProfile, ConversationSettings } from './types.js';

/** The platform ceiling: "attachments up to 25 MB", read as the smaller, decimal 25,000,000 bytes. */
export const PLATFORM_MAX_MEDIA_BYTES = 25_000_000;

/** Genesys' default outbound content profile allows only .jpg/.png/.gif. */
export const DEFAULT_OUTBOUND_TYPES: readonly string[] = Object.freeze(['image/jpeg', 'image/png', 'image/gif']);

export function defaultConversationSettings(): ConversationSettings {
  return {
    maxMediaBytes: PLATFORM_MAX_MEDIA_BYTES,
    defaultProfile: { allowedTypes: [...DEFAULT_OUTBOUND_TYPES], maxBytes: PLATFORM_MAX_MEDIA_BYTES },
    uploadUrlTtlSeconds: 600,
    validationDelayMs: 500,
    checkFileSignatures: true,
  };
}

const intIn = (min: number, max: number) =>
  z.int({ error: `must be an integer between ${min} and ${max}` }).min(min, { error: `must be >= ${min}` }).max(max, {
    error: `must be <= ${max}`,
  });

const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export const profileSchema = z.strictObject({
  allowedTypes: z.array(z.string().regex(MEDIA_TYPE, { error: 'each entry must be a type/subtype media type' })).max(1000),
  maxBytes: intIn(1, Number.MAX_SAFE_INTEGER),
});

export const conversationSettingsSchema = z.strictObject({
  maxMediaBytes: intIn(1, Number.MAX_SAFE_INTEGER),
  defaultProfile: profileSchema,
  uploadUrlTtlSeconds: intIn(1, 604_800),
  validationDelayMs: intIn(0, 86_400_000),
  checkFileSignatures: z.boolean(),
});

export const conversationSettingsPatchSchema = conversationSettingsSchema
  .extend({ defaultProfile: profileSchema.partial() })
  .partial();

export type ConversationSettingsPatch = z.infer<typeof conversationSettingsPatchSchema>;

/** `base` with a validated patch applied; fresh arrays, so nobody shares them. */
export function mergeConversationSettings(base: ConversationSettings, patch: ConversationSettingsPatch | undefined): ConversationSettings {
  if (patch === undefined) return { ...base, defaultProfile: copyProfile(base.defaultProfile) };
  return {
    ...base,
    ...patch,
    defaultProfile: copyProfile({ ...base.defaultProfile, ...patch.defaultProfile }),
  } as ConversationSettings;
}

export function copyProfile(profile: ContentProfile): ContentProfile {
  return { allowedTypes: [...profile.allowedTypes], maxBytes: profile.maxBytes };
}
