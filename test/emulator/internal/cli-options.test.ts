/** The emulator command's option handling: flags over config file over defaults. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CommanderError } from 'commander';
import { emulatorCommand, emulatorOptions, parseClient } from '../../../src/cli/emulator.js';
import { parseSizeFlag } from '../../../src/cli/parse-number.js';
import { ALL_PERMISSIONS } from '../../../src/emulator/types.js';

const noFlags = { client: [], fault: [] };

describe('emulator command options', () => {
  test('sizes: plain bytes, IEC and SI suffixes; junk is refused', () => {
    assert.equal(parseSizeFlag('5242880'), 5_242_880);
    assert.equal(parseSizeFlag('5MiB'), 5_242_880);
    assert.equal(parseSizeFlag('1 GiB'), 1024 ** 3);
    assert.equal(parseSizeFlag('10MB'), 10_000_000);
    for (const bad of ['', 'five', '5XB', '-1', '0.5', '1e3']) assert.throws(() => parseSizeFlag(bad), bad);
  });

  test('defaults: 127.0.0.1:8080, the library defaults for the rest', async () => {
    const options = await emulatorOptions(noFlags);
    assert.equal(options.host, '127.0.0.1');
    assert.equal(options.port, 8080);
    assert.equal(options.chunkSize, undefined);
    assert.deepEqual(options.faults, []);
  });

  test('flags win over the config file; faults add up; dataDir is relative to the file', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'emulator.json');
    await writeFile(
      config,
      JSON.stringify({
        port: 9999,
        chunkSize: 1024,
        maxChunks: 7,
        dataDir: 'data',
        faults: [{ route: 'token', action: 'status', status: 503 }],
      }),
    );
    const options = await emulatorOptions({
      ...noFlags,
      config,
      chunkSize: 2048,
      fault: [{ route: 'initiate', action: 'reset' }],
    });
    assert.equal(options.port, 9999);
    assert.equal(options.chunkSize, 2048);
    assert.equal(options.maxChunks, 7);
    assert.equal(options.dataDir, join(dir, 'data'));
    assert.deepEqual(options.faults?.map((f) => f.route), ['token', 'initiate']);
  });

  test('a bad config file is refused with a message naming the file or the setting', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'bad.json');
    await writeFile(config, '{"chunkSize": -5}');
    await assert.rejects(emulatorOptions({ ...noFlags, config }), /"chunkSize"/);
    await writeFile(config, '{nope');
    await assert.rejects(emulatorOptions({ ...noFlags, config }), /not valid JSON/);
    await assert.rejects(emulatorOptions({ ...noFlags, config: join(dir, 'missing.json') }), /cannot read/);
  });

  test('--client ID:SECRET gets every permission; ID:SECRET:LIST exactly the listed ones', () => {
    assert.deepEqual(parseClient('a:b')[0]?.permissions, [...ALL_PERMISSIONS]);
    assert.deepEqual(parseClient('a:b:')[0]?.permissions, []);
    assert.deepEqual(parseClient('app:s3cret:files:upload,messaging:send'), [
      { id: 'app', secret: 's3cret', permissions: ['files:upload', 'messaging:send'] },
    ]);
    assert.equal(parseClient('b:c', parseClient('a:b')).length, 2);
  });

  test('--client forms and bad flags end in a usage error', async () => {
    const run = async (...args: string[]) => {
      const command = emulatorCommand().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
      return command.parseAsync(args, { from: 'user' });
    };
    for (const args of [['--client', 'nosecret'], ['--client', 'a:b:files:delete'], ['--api-rate-limit', '300'], ['--fault', '{'], ['--chunk-size', 'big'], ['--nope'], ['--max-chunks', '0']]) {
      await assert.rejects(run(...args), (e: unknown) => e instanceof CommanderError && e.exitCode !== 0, args.join(' '));
    }
  });
});
