/**
 * The "unfinished upload" banner: the newest upload this browser remembers (tus-js-client's URL
 * storage) that the service still holds, with how much it has received. Entries the service no
 * longer knows (expired, finished, deleted) are forgotten on the way.
 */
import { formatBytes } from './format.js';
import { discardRemembered, rememberedUploads } from './intake.js';
import { el } from './view.js';

/** @param {Record<string, string>} headers Authorization, when a key is set */
export async function showRemembered(headers) {
  for (const entry of await rememberedUploads()) {
    const offset = await receivedBytes(entry, headers);
    if (offset === null) {
      await discardRemembered(entry, headers);
      continue;
    }
    const name = entry.metadata?.filename ?? 'a file';
    const received = offset !== undefined && entry.size ? ` (${formatBytes(offset)} of ${formatBytes(entry.size)} received)` : '';
    el.rememberedText.textContent = `The upload of ${name}${received} did not finish. Choose the same file again and press Send to continue where it stopped.`;
    el.rememberedDiscard.onclick = async () => {
      await discardRemembered(entry, headers);
      await showRemembered(headers);
    };
    el.remembered.hidden = false;
    return;
  }
  el.remembered.hidden = true;
}

/** The service's offset for the upload; null when it no longer has it; undefined when unknown. */
async function receivedBytes(entry, headers) {
  try {
    const response = await fetch(entry.uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...headers }, cache: 'no-store' });
    if (response.status === 404 || response.status === 410) return null;
    const offset = Number(response.headers.get('Upload-Offset'));
    return response.ok && Number.isFinite(offset) ? offset : undefined;
  } catch {
    // The service is unreachable right now: keep the entry, it may still resume later.
    return undefined;
  }
}
