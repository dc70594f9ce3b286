/**
 * `--delivery auto|attachment|link` and the link store's flags, named after their environment
 * variables (a flag wins over its variable): `--link-store s3://bucket/prefix` (GENESYS_UPLOAD_S3),
 * `--s3-endpoint` (GENESYS_UPLOAD_S3_ENDPOINT), `--s3-region` (AWS_REGION), `--s3-part-size`
 * (GENESYS_UPLOAD_S3_PART_SIZE), `--link-lifetime` (GENESYS_UPLOAD_S3_LINK_LIFETIME),
 * `--link-base-url` (GENESYS_UPLOAD_S3_PUBLIC_BASE_URL). Credentials are never flags: the AWS
 * SDK's chain finds them (environment, profile, roles), so a secret is never on a command line.
 */
import { Option, type Command } from 'commander';
import { parseS3Options, s3InputFromEnv, type S3StoreInput, type S3StoreOptions } from '../destinations/s3/options.js';
import { ConfigError } from '../errors/index.js';
import { chooseVia, fileFacts, openLinkStore, DELIVERY_MODES, type DeliveryMode, type LinkStore } from '../relay/delivery-choice.js';
import type { OpenedVia } from '../relay/web-messaging-via.js';

export interface LinkStoreFlags {
  linkStore?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3PartSize?: string;
  linkLifetime?: string;
  linkBaseUrl?: string;
}

export interface DeliveryFlags extends LinkStoreFlags {
  delivery: DeliveryMode;
}

const FLAG_NAMES: Readonly<Record<string, string>> = Object.freeze({
  s3Endpoint: '--s3-endpoint',
  s3Region: '--s3-region',
  s3PartSize: '--s3-part-size',
  linkLifetime: '--link-lifetime',
  linkBaseUrl: '--link-base-url',
});

export function addLinkStoreOptions(command: Command): Command {
  return command
    .option('--link-store <s3-url>', 'link store for files sent as a link: s3://bucket or s3://bucket/prefix (env GENESYS_UPLOAD_S3); credentials from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, roles)')
    .option('--s3-endpoint <url>', 'link store: an S3-compatible endpoint, https://host[:port], path-style (env GENESYS_UPLOAD_S3_ENDPOINT; default AWS)')
    .option('--s3-region <region>', 'link store: the bucket\'s region (env AWS_REGION; default us-east-1)')
    .option('--s3-part-size <size>', 'link store: multipart part size, 5MiB..5GiB (env GENESYS_UPLOAD_S3_PART_SIZE; default 8MiB)')
    .option('--link-lifetime <duration>', 'link store: how long the pre-signed link works, at most 7d (env GENESYS_UPLOAD_S3_LINK_LIFETIME; default 7d)')
    .option('--link-base-url <url>', 'link store: links are this URL + the object key (a bucket behind a CDN) instead of pre-signed URLs (env GENESYS_UPLOAD_S3_PUBLIC_BASE_URL)');
}

export function addDeliveryOptions(command: Command): Command {
  command.addOption(
    new Option('--delivery <mode>', 'auto: an attachment when the destination takes the file, else a link (needs a link store); attachment; link: always a link in a text message')
      .choices([...DELIVERY_MODES])
      .default('auto'),
  );
  return addLinkStoreOptions(command);
}

/**
 * The link store's settings from the flags over the environment, parsed (a bad one is refused now,
 * exit 2, naming the setting, even if this file goes as an attachment) and not parsed again by the
 * store; undefined when none is configured.
 */
export function linkStoreInput(flags: LinkStoreFlags, env: NodeJS.ProcessEnv): S3StoreOptions | undefined {
  const fromEnv = s3InputFromEnv({ ...env, ...(flags.linkStore !== undefined && { GENESYS_UPLOAD_S3: flags.linkStore }) });
  if (fromEnv === undefined) {
    const stray = Object.entries(FLAG_NAMES).find(([name]) => flags[name as keyof LinkStoreFlags] !== undefined);
    if (stray !== undefined) {
      throw new ConfigError('config.link_store', `${stray[1]} configures a link store, but none is given: add --link-store s3://bucket/prefix (or set GENESYS_UPLOAD_S3).`);
    }
    return undefined;
  }
  const input: S3StoreInput = {
    ...fromEnv,
    ...(flags.s3Endpoint !== undefined && { endpoint: flags.s3Endpoint }),
    ...(flags.s3Region !== undefined && { region: flags.s3Region }),
    ...(flags.s3PartSize !== undefined && { partSize: flags.s3PartSize }),
    ...(flags.linkLifetime !== undefined && { linkLifetime: flags.linkLifetime }),
    ...(flags.linkBaseUrl !== undefined && { publicBaseUrl: flags.linkBaseUrl }),
  };
  return parseS3Options(input);
}

/** The link store the flags and environment configure, or undefined. */
export async function openLinkStoreFromFlags(flags: LinkStoreFlags, env: NodeJS.ProcessEnv): Promise<LinkStore | undefined> {
  const input = linkStoreInput(flags, env);
  return input === undefined ? undefined : openLinkStore(input);
}

/**
 * The opened base destination, or the link destination over it, as --delivery chooses for this
 * file. `link` is the link store to use (the caller's, e.g. the demo's), else the flags' and
 * environment's; close() closes the base and the link store.
 */
export async function chooseOpenedVia(
  base: OpenedVia,
  input: { filePath: string; fileName?: string | undefined; contentType?: string | undefined; flags: DeliveryFlags; env: NodeJS.ProcessEnv; link?: LinkStore | undefined },
): Promise<OpenedVia> {
  let link: LinkStore | undefined;
  try {
    const { delivery } = input.flags;
    // Checked even when unused, so that a mistyped setting is never silently ignored.
    const settings = linkStoreInput(input.flags, input.env);
    const facts = await fileFacts(input.filePath, { fileName: input.fileName, contentType: input.contentType });
    // The store (and the AWS SDK) is loaded only when this file may go as a link.
    const mayLink = delivery === 'link' || (delivery === 'auto' && base.via.destination.store.refuses?.(facts) !== undefined);
    link = input.link ?? (mayLink && settings !== undefined ? await openLinkStore(settings) : undefined);
    const via = chooseVia(base.via, link, delivery, facts);
    const used = via === base.via ? undefined : link;
    if (used === undefined) await link?.close();
    return {
      via,
      close: async () => {
        await used?.close();
        await base.close();
      },
    };
  } catch (error) {
    await link?.close();
    await base.close();
    throw error;
  }
}
