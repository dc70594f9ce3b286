/**
 * The guest token on disk. Whoever holds it acts as that guest in that guest's conversation, so it
 * lives only in a file readable by its owner alone (written 0600, atomically), and errors name the
 * file but never quote its content.
 */
import { randomUUID } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { ConfigError, InternalError } from '../../errors/index.js';

export const MAX_GUEST_TOKEN_LENGTH = 2048;

/** One guest token's form: 1 to MAX_GUEST_TOKEN_LENGTH characters, no white space (the file's and the service's metadata's rule). */
export const isGuestTokenForm = (token: string): boolean => token.length >= 1 && token.length <= MAX_GUEST_TOKEN_LENGTH && !/\s/.test(token);

/** Reads an existing guest's token from a file (first line, trimmed). */
export async function readGuestToken(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError('config.guest_token_file', `--guest-token-file ${path} cannot be read (${typeof code === 'string' ? code : 'error'}).`);
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (!isGuestTokenForm(token)) {
    throw new ConfigError('config.guest_token_file', `--guest-token-file ${path} must hold one guest token (1 to ${MAX_GUEST_TOKEN_LENGTH} characters, no spaces) on its first line.`);
  }
  return token;
}

/** Writes a token to `path`, readable and writable by its owner only. */
export async function writeGuestToken(path: string, token: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600); // in case the umask or the file system widened it
    await rename(temporary, path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InternalError('state.guest_token', `Could not keep the guest token in ${path} (${typeof code === 'string' ? code : 'error'}).`);
  }
}
