/**
 * How a result says what the message carried: `delivery` ("attachment" or "link") and, for a link,
 * when it expires and the object's key. Never the link itself: a pre-signed URL's query string is
 * a credential, and only the message carries it.
 */
import type { StoredFile } from '../destinations/destination.js';

export interface LinkReport {
  /** ISO 8601; undefined for a link that does not expire (a public base URL). */
  expiresAt: string | undefined;
  /** The object's key in the link store. */
  key: string;
}

export interface DeliveryReport {
  delivery: 'attachment' | 'link';
  link?: LinkReport | undefined;
}

export function deliveryReport(stored: StoredFile | undefined): DeliveryReport {
  if (stored?.link === undefined) return { delivery: 'attachment' };
  const ref = stored.ref;
  const key = ref !== null && typeof ref === 'object' && !Array.isArray(ref) && typeof ref['key'] === 'string' ? ref['key'] : '';
  return { delivery: 'link', link: { expiresAt: stored.link.expiresAt, key } };
}
