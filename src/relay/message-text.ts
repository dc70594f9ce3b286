/**
 * The text a message carries. An attachment's: the user's text, or "File NAME attached.". A
 * link's (the stored file has a `link`): the user's text as the intro, then the file's name, size,
 * link, expiry and SHA-256, written within the notifier's limit by `buildLinkText` — built here,
 * in the pipeline, so that every destination's link message says the same things. The limit is
 * the target's own when the notifier knows it (`textLimit`: an SMS conversation takes 765
 * characters), else the notifier's `maxText`.
 */
import type { Notifier, StepContext, StoredFile } from '../destinations/destination.js';
import { buildLinkText, type TextLimit } from '../destinations/s3/link-text.js';
import { defaultMessageText } from './deliver-file.js';

/** What a send records as its text before the upload: the user's, or the default for an attachment. */
export function requestedText(text: string | undefined, fileName: string, delivery: 'attachment' | 'link' | undefined): string {
  return text ?? (delivery === 'link' ? '' : defaultMessageText(fileName));
}

/** The text limit of the notifier's target (may ask the platform once). */
export function textLimitOf(notifier: Notifier, step: StepContext): Promise<TextLimit> {
  return notifier.textLimit?.(step) ?? Promise.resolve(notifier.maxText);
}

/** The message's final text for `stored`, from the text the send requested. */
export function messageText(stored: StoredFile, requested: string, limit: TextLimit): string {
  if (stored.link === undefined) return requested;
  const { fileName, size, sha256 } = stored;
  return buildLinkText({ fileName, size, sha256, url: stored.link.url, expiresAt: stored.link.expiresAt, intro: requested === '' ? undefined : requested }, limit);
}

/** As messageText, within the limit of the notifier's target (asked only for a link). */
export async function deliveryText(stored: StoredFile, requested: string, notifier: Notifier, step: StepContext): Promise<string> {
  if (stored.link === undefined) return requested;
  return messageText(stored, requested, await textLimitOf(notifier, step));
}
