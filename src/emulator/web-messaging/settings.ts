/**
 * Web Messaging settings (the `webMessaging` key of EmulatorSettings): the deployments a guest can
 * connect to, and the platform's limits. Defaults declared once; every field of a deployment but
 * its id has a default, so a config file or a PATCH may name only what it changes. A PATCH of
 * `webMessaging` replaces the whole object (its omitted fields take their defaults again).
 */
import { z } from 'zod';

/** The deployment that exists with no configuration (the demo's). Documented. */
export const DEMO_DEPLOYMENT_ID = '0d3b0e5e-7e57-4a11-9d3b-000000000001';

export interface WebMessagingDeployment {
  id: string;
  /** Origins allowed to open the socket; `*` (the default) allows any, including none. */
  allowedOrigins: string[];
  /** The content profile: exact types, `type/*` or `*\/*`. null: no attachments at all (4000). */
  fileTypes: string[] | null;
  /** The bound in SessionResponse; the emulator enforces maxFileSizeKB × 1000 bytes. */
  maxFileSizeKB: number;
  /** With their dot, compared case-insensitively. */
  blockedExtensions: string[];
  /** Pre-signed upload and download URL lifetime. */
  urlTtlSeconds: number;
  /** Delay between the PUT's answer and UploadSuccessEvent / UploadFailureEvent. */
  uploadEventDelayMs: number;
  /** Session lifetime after its last activity (durationSeconds). */
  sessionDurationSeconds: number;
  maxCustomDataBytes: number;
}

export interface WebMessagingLimits {
  requestsPerConnectionPerMinute: number;
  messagesPerSessionPerSecond: number;
  connectionsPerSession: number;
  historyPerSessionPerMinute: number;
}

/** What options, config files and patches may give: every deployment field but `id` is optional. */
export interface WebMessagingSettingsInput {
  deployments?: Array<Partial<WebMessagingDeployment> & { id: string }>;
  limits?: Partial<WebMessagingLimits>;
}

export interface WebMessagingSettings {
  deployments: WebMessagingDeployment[];
  limits: WebMessagingLimits;
}

const int = (min: number, max: number) => z.int().min(min).max(max);

export const BLOCKED_EXTENSIONS: readonly string[] = Object.freeze(['.exe', '.bat', '.cmd', '.com', '.js', '.msi', '.scr', '.vbs']);

const deploymentSchema = z.strictObject({
  id: z.string().min(1).max(256),
  allowedOrigins: z.array(z.string().min(1).max(2048)).default(['*']),
  fileTypes: z
    .array(z.string().regex(/^(\*\/\*|[A-Za-z0-9][\w!#$&^.+-]*\/(\*|[A-Za-z0-9][\w!#$&^.+-]*))$/, { error: 'must be type/subtype, type/* or */*' }))
    .nullable()
    .default(['*/*']),
  maxFileSizeKB: int(1, 100_000_000).default(10_240),
  blockedExtensions: z.array(z.string().regex(/^\.[^./\\]{1,32}$/, { error: 'must be ".ext"' })).default([...BLOCKED_EXTENSIONS]),
  urlTtlSeconds: int(1, 604_800).default(600),
  uploadEventDelayMs: int(0, 3_600_000).default(0),
  sessionDurationSeconds: int(60, 47_347_200).default(259_200),
  maxCustomDataBytes: int(0, 1_000_000).default(2048),
});

const limitsSchema = z.strictObject({
  requestsPerConnectionPerMinute: int(1, 1_000_000).default(60),
  messagesPerSessionPerSecond: int(1, 1_000_000).default(2),
  connectionsPerSession: int(1, 1000).default(3),
  historyPerSessionPerMinute: int(1, 1_000_000).default(10),
});

export const webMessagingSchema = z.strictObject({
  deployments: z
    .array(deploymentSchema)
    .max(1000)
    .refine((list) => new Set(list.map((d) => d.id)).size === list.length, { error: 'deployment ids must be unique' })
    .default(() => [deploymentSchema.parse({ id: DEMO_DEPLOYMENT_ID })]),
  limits: limitsSchema.default(() => limitsSchema.parse({})),
});

export function defaultWebMessagingSettings(): WebMessagingSettings {
  return webMessagingSchema.parse({}) as WebMessagingSettings;
}
