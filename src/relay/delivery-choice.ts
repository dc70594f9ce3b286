/**
 * Attachment or link, per send (LINK-STORE.md, "Choosing between an attachment and a link").
 *
 * - `attachment`: the base destination as it is; a file it cannot take is refused by its store,
 *   naming the limit.
 * - `link`: the file goes to the link store (S3) and the base destination's notifier sends a text
 *   message carrying the link. The composed destination is named `<base>+s3`, its journal target
 *   is the base's marked as a link (so an attachment and a link of the same file are two jobs),
 *   and its parts go through the S3 transport: the base's transport may carry a bearer token,
 *   which must never reach the storage host.
 * - `auto`: an attachment when the base store takes the file (`refuses` answers nothing), else a
 *   link when a link store is configured, else the base's refusal with how to configure one.
 *
 * `openLinkStore` builds the link store from its settings as the user spells them (flags, the
 * environment or a library caller): the CLI and the service share it.
 */
import { basename } from 'node:path';
import type { Destination, FileFacts } from '../destinations/destination.js';
import { PLATFORM_MAX_MEDIA_BYTES } from '../destinations/conversation/limits.js';
import type { S3LinkStore, S3StoreSettings, S3Transport, S3TransportOptions } from '../destinations/s3/index.js';
import { ConfigError, UploadError } from '../errors/index.js';
import type { RecordedTarget } from '../journal/index.js';
import { contentTypeFor, validateContentType } from '../upload/content-type.js';
import { sanitizeFileName } from '../upload/sanitize-file-name.js';
import { openSourceFile } from '../upload/source-file.js';
import { linkFitStore } from './link-fit.js';
import { pinnedTextNotifier } from './pinned-text.js';
import type { Via } from './via.js';

export type DeliveryMode = 'auto' | 'attachment' | 'link';
export const DELIVERY_MODES: readonly DeliveryMode[] = Object.freeze(['auto', 'attachment', 'link']);

/** How a user configures a link store, for refusals and errors. */
export const LINK_STORE_SETTING = '--link-store s3://bucket/prefix (or GENESYS_UPLOAD_S3), with credentials from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)';

/** A link store and the transport its parts go through; close() ends both. */
export interface LinkStore {
  store: S3LinkStore;
  transport: S3Transport;
  close(): Promise<void>;
}

/** Loads the AWS SDK only now: a send that needs no link store does not pay for it. Settings not parsed yet are checked here (exit 2). */
export async function openLinkStore(input: S3StoreSettings, transport: S3TransportOptions = {}): Promise<LinkStore> {
  const { S3LinkStore, createS3Transport } = await import('../destinations/s3/index.js');
  const store = new S3LinkStore(input);
  const parts = createS3Transport(transport);
  return {
    store,
    transport: parts,
    close: async () => {
      store.close();
      await parts.close();
    },
  };
}

/** Marks a journal target as a link job's; `baseTargetOf` undoes it (resume rebuilds the base from it). */
const LINK_TARGET_MARK = ' +link';

export function linkTargetOf(target: RecordedTarget): RecordedTarget {
  return { ...target, clientId: `${target.clientId}${LINK_TARGET_MARK}`, description: `${target.description}, as a link` };
}

export function baseTargetOf(target: RecordedTarget): RecordedTarget {
  if (!target.clientId.endsWith(LINK_TARGET_MARK)) return target;
  return { ...target, clientId: target.clientId.slice(0, -LINK_TARGET_MARK.length), description: target.description.replace(/, as a link$/, '') };
}

/** The name of a link job's destination ("web-messaging+s3"); `baseNameOf` gives "web-messaging" back. */
export function linkNameOf(base: string, store: string): string {
  return `${base}+${store}`;
}

export function baseNameOf(name: string): { base: string; linkStore: string | undefined } {
  const plus = name.lastIndexOf('+');
  return plus <= 0 ? { base: name, linkStore: undefined } : { base: name.slice(0, plus), linkStore: name.slice(plus + 1) };
}

/**
 * The base destination's notifier over the link store. Closing it closes nothing: the base
 * destination and the link store belong to whoever opened them.
 */
export function linkVia(base: Via, link: LinkStore): Via {
  const inner = base.destination;
  const notifier = pinnedTextNotifier(inner.notifier);
  const destination: Destination = {
    name: linkNameOf(inner.name, link.store.name),
    description: `${inner.description}, as a link to ${link.store.description}`,
    targetKey: `${inner.targetKey}${LINK_TARGET_MARK}`,
    // Checks that the link message can fit the notifier's target before anything is uploaded.
    store: linkFitStore(link.store, notifier),
    notifier,
    close: () => Promise.resolve(),
  };
  return { destination, transport: link.transport, retryPolicy: base.retryPolicy, target: linkTargetOf(base.target), delivery: 'link' };
}

/** The via to send `file` through, as `mode` asks (see the file's comment). */
export function chooseVia(base: Via, link: LinkStore | undefined, mode: DeliveryMode, file: FileFacts): Via {
  if (mode === 'attachment') return base;
  if (mode === 'link') {
    if (link === undefined) throw new ConfigError('config.link_store', `--delivery link needs a link store: ${LINK_STORE_SETTING}.`);
    return linkVia(base, link);
  }
  const refusal = base.destination.store.refuses?.(file);
  if (refusal === undefined) return base;
  if (link !== undefined) return linkVia(base, link);
  const { error } = refusal;
  throw new UploadError(error.kind, error.code, `${error.message} No link store is configured: to send such a file as a link, set ${LINK_STORE_SETTING}.`, {
    cause: error,
    ...(error.details !== undefined && { details: error.details }),
  });
}

/**
 * The largest attachment any Genesys messaging channel takes: the platform's 25 MB, in its larger
 * reading. A Web Messaging deployment or a conversation's content profile may allow less (known
 * only once it is opened), never more.
 */
export const ATTACHMENT_CEILING = PLATFORM_MAX_MEDIA_BYTES;

/**
 * Whether a file of `size` goes as a link whatever the base destination's own limits turn out to
 * be: `link` with a link store, or `auto` with one and a file above every attachment's ceiling.
 * Known before the destination is opened (the service decides so at an upload's creation, to
 * store it while it arrives); a caller that decided so passes `link` to `chooseVia` later, so that
 * both choose the same Via.
 */
export function surelyLink(mode: DeliveryMode, link: LinkStore | undefined, size: number): boolean {
  if (link === undefined) return false;
  return mode === 'link' || (mode === 'auto' && size > ATTACHMENT_CEILING);
}

/** The facts a choice is made on, as the pipeline will upload the file (name sanitised, type checked). */
export async function fileFacts(filePath: string, overrides: { fileName?: string | undefined; contentType?: string | undefined } = {}): Promise<FileFacts> {
  const fileName = sanitizeFileName(overrides.fileName ?? basename(filePath));
  const contentType = validateContentType(overrides.contentType ?? contentTypeFor(fileName));
  // The usual checks and messages for a missing, unreadable or empty file.
  const source = await openSourceFile(filePath, undefined);
  await source.handle.close();
  return { fileName, contentType, size: source.size };
}
