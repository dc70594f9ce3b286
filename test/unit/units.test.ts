/** Sizes and durations as typed (src/config/units.ts): one grammar for flags and settings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesOf, millisecondsOf, parseDuration, parseSize } from '../../src/config/units.js';
import { ConfigError } from '../../src/errors/index.js';

test('bytesOf: bytes, SI and IEC units, rounded to the byte; no fraction of a byte', () => {
  const cases: Array<[string, number | undefined]> = [
    ['5242880', 5_242_880], ['5MiB', 5 * 1024 ** 2], [' 1 GiB ', 1024 ** 3], ['10MB', 10_000_000], ['2t', 2e12],
    ['1.5KiB', 1536], ['1.1MiB', 1_153_434], ['0', 0], ['1.0', 1],
    ['0.5', undefined], ['0.5B', undefined], ['', undefined], ['five', undefined], ['5XB', undefined], ['-1', undefined], ['1e3', undefined],
  ];
  for (const [text, bytes] of cases) assert.equal(bytesOf(text), bytes, text);
});

test('millisecondsOf: ms, s, m, h, d; bare seconds', () => {
  const cases: Array<[string, number | undefined]> = [
    ['90', 90_000], ['90s', 90_000], ['500ms', 500], ['1.5m', 90_000], ['24h', 86_400_000], ['7D', 604_800_000],
    ['', undefined], ['7 days', undefined], ['-1s', undefined], ['1w', undefined],
  ];
  for (const [text, ms] of cases) assert.equal(millisecondsOf(text), ms, text);
});

test('settings: above 0, whole seconds, refusals name the setting', () => {
  assert.equal(parseSize('8MiB', 'X'), 8 * 1024 ** 2);
  assert.equal(parseSize(42, 'X'), 42);
  assert.equal(parseDuration('12h', 'Y'), 43_200);
  assert.equal(parseDuration(60, 'Y'), 60);
  for (const bad of ['0', 'big', '0.5']) assert.throws(() => parseSize(bad, 'SIZE_VAR'), (e: unknown) => e instanceof ConfigError && e.kind === 'usage' && /SIZE_VAR/.test(e.message));
  for (const bad of ['0s', '1500ms', 'forever']) assert.throws(() => parseDuration(bad, 'LIFE_VAR'), (e: unknown) => e instanceof ConfigError && /LIFE_VAR/.test(e.message));
});
