/**
 * The per-instance secret that signs pre-signed URLs and access tokens. Kept in the data directory
 * (mode 0600) so that URLs and tokens issued before a restart stay valid after it.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'instance-key';

export async function loadOrCreateInstanceKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, FILE);
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(text)) return Buffer.from(text, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await writeFile(path, key.toString('hex'), { mode: 0o600 });
  return key;
}
