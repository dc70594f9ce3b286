/**
 * Identifiers of uploads, files, guests and messages: lowercase UUIDs, as Genesys uses. Every id
 * that arrives in a URL is checked against this format before it reaches a map or the filesystem,
 * which is what keeps path traversal and junk out of the data directory.
 */
import { randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function newId(): string {
  return randomUUID();
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
