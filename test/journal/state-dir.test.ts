/** Where the journal lives and how long it keeps finished entries, from a table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../src/errors/index.js';
import { DAY_MS, DEFAULT_RETENTION_MS, defaultStateDir, parseKeepDays, retentionFromEnv } from '../../src/journal/index.js';

test('defaultStateDir: env override, then XDG_STATE_HOME, then ~/.local/state', () => {
  const rows: Array<[NodeJS.ProcessEnv, string]> = [
    [{ GENESYS_UPLOAD_STATE_DIR: '/srv/state', XDG_STATE_HOME: '/x', HOME: '/home/a' }, '/srv/state'],
    [{ GENESYS_UPLOAD_STATE_DIR: 'rel/dir', HOME: '/home/a' }, resolve('rel/dir')],
    [{ GENESYS_UPLOAD_STATE_DIR: '  ', XDG_STATE_HOME: '/x', HOME: '/home/a' }, '/x/genesys-upload'],
    [{ XDG_STATE_HOME: 'relative', HOME: '/home/a' }, '/home/a/.local/state/genesys-upload'],
    [{ HOME: '/home/a' }, '/home/a/.local/state/genesys-upload'],
    [{}, join(homedir(), '.local', 'state', 'genesys-upload')],
  ];
  for (const [env, expected] of rows) assert.equal(defaultStateDir(env), expected, JSON.stringify(env));
});

test('keep days: flag and env parsing, default 7, 0 allowed, nonsense refused', () => {
  assert.equal(retentionFromEnv({}), DEFAULT_RETENTION_MS);
  assert.equal(DEFAULT_RETENTION_MS, 7 * DAY_MS);
  assert.equal(retentionFromEnv({ GENESYS_UPLOAD_KEEP_DAYS: '0.5' }), DAY_MS / 2);
  assert.equal(parseKeepDays('0', '--keep-days'), 0);
  for (const bad of ['-1', 'x', '', '99999']) {
    assert.throws(() => parseKeepDays(bad, '--keep-days'), (e: unknown) => e instanceof ConfigError && /--keep-days/.test(e.message), bad);
  }
  assert.throws(() => retentionFromEnv({ GENESYS_UPLOAD_KEEP_DAYS: 'week' }), /GENESYS_UPLOAD_KEEP_DAYS/);
});
