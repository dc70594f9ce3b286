import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../src/http/retry-after.js';

test('Retry-After: seconds, HTTP-date, and garbage (table)', () => {
  const now = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');
  const rows: Array<[string | string[] | undefined, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['3', 3000],
    [' 120 ', 120_000],
    [['7', '9'], 7000],
    ['Sun, 06 Nov 1994 08:49:47 GMT', 10_000],
    ['Sun, 06 Nov 1994 08:49:00 GMT', 0], // in the past: now
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['99999999999999999999', undefined],
  ];
  for (const [value, expected] of rows) assert.equal(parseRetryAfter(value, now), expected, JSON.stringify(value));
});
