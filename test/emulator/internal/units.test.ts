/** Pure pieces of the emulator, from tables: range headers, field rules, settings, fault rules. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseContentRange, parseRange } from '../../../src/emulator/http/ranges.js';
import { isLanguageTag, isMediaType, isValidFileName } from '../../../src/emulator/validation.js';
import { applySettingsPatch, chunkSizeFor, defaultSettings, parseStartOptions } from '../../../src/emulator/settings.js';
import { FaultRegistry } from '../../../src/emulator/faults.js';
import { ConfigError } from '../../../src/errors/index.js';

describe('Content-Range (segment PUT)', () => {
  test('accepts only `bytes start-end/total` with start <= end < total', () => {
    assert.deepEqual(parseContentRange('bytes 0-9/10'), { start: 0, end: 9, total: 10 });
    assert.deepEqual(parseContentRange('BYTES 5-5/6'), { start: 5, end: 5, total: 6 });
    for (const bad of [undefined, '', 'bytes 0-9/*', 'bytes */10', 'bytes 0-9', 'bytes -1-9/10', 'bytes 9-0/10',
      'bytes 0-10/10', 'bytes  0-9/10', 'bytes 0-9/10 ', 'bytes=0-9/10', 'bytes 0x1-9/10', 'bytes 1e3-2000/3000',
      'bytes 0-9999999999999999/99999999999999999', 'items 0-9/10']) {
      assert.equal(parseContentRange(bad), undefined, String(bad));
    }
  });
});

describe('Range (file content)', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseRange>]> = [
    [undefined, { kind: 'none' }],
    ['bytes=0-9', { kind: 'range', start: 0, end: 9 }],
    ['bytes=90-', { kind: 'range', start: 90, end: 99 }],
    ['bytes=-10', { kind: 'range', start: 90, end: 99 }],
    ['bytes=-1000', { kind: 'range', start: 0, end: 99 }],
    ['bytes=50-5000', { kind: 'range', start: 50, end: 99 }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=100-200', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=9-0', { kind: 'none' }],
    ['bytes=0-1,5-6', { kind: 'none' }],
    ['items=0-1', { kind: 'none' }],
    ['bytes=abc', { kind: 'none' }],
  ];
  for (const [header, expected] of cases) {
    test(`${String(header)} on 100 bytes`, () => assert.deepEqual(parseRange(header, 100), expected));
  }
});

describe('field rules', () => {
  test('file names', () => {
    for (const ok of ['a', 'report.pdf', 'x'.repeat(255), 'été.txt', '😀'.repeat(255), 'a.b-c_d(1)']) assert.ok(isValidFileName(ok), ok);
    for (const bad of ['', '.hidden', 'dir/', 'a b', 'a\tb', 'x'.repeat(256), 'a/b', 'a\\b', ...'{^}%`]">[~<#|'.split('').map((c) => `a${c}b`)]) {
      assert.ok(!isValidFileName(bad), bad);
    }
  });
  test('media types and language tags', () => {
    assert.ok(isMediaType('application/pdf') && isMediaType('text/plain; charset=utf-8'));
    assert.ok(!isMediaType('pdf') && !isMediaType('text/') && !isMediaType('/plain') && !isMediaType('a/b c'));
    assert.ok(isLanguageTag('en') && isLanguageTag('en-US') && isLanguageTag('zh-Hant-TW'));
    assert.ok(!isLanguageTag('e') && !isLanguageTag('en_US') && !isLanguageTag('en-') && !isLanguageTag(''));
  });
});

describe('settings', () => {
  test('defaults are the documented ones', () => {
    const d = defaultSettings();
    assert.equal(d.chunkSize, 5_242_880);
    assert.equal(d.singleChunkMaxSize, 10 * 1024 * 1024);
    assert.equal(d.maxChunks, 10_000);
    assert.deepEqual(d.apiRateLimit, { requests: 300, windowSeconds: 60 });
    assert.equal(d.storageRateLimitPerSecond, 0);
    assert.deepEqual(d.clients.map((c) => c.id), ['demo-client']);
  });
  test('single-chunk rule: <= singleChunkMaxSize gets one chunk; 0 disables it', () => {
    const d = defaultSettings();
    assert.equal(chunkSizeFor(d, 10 * 1024 * 1024), 10 * 1024 * 1024);
    assert.equal(chunkSizeFor(d, 10 * 1024 * 1024 + 1), 5_242_880);
    assert.equal(chunkSizeFor({ ...d, singleChunkMaxSize: 0 }, 3), 5_242_880);
  });
  test('a bad value throws a ConfigError naming the setting', () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ chunkSize: 0 }, /"chunkSize"/],
      [{ chunkSize: 1.5 }, /"chunkSize"/],
      [{ maxChunks: -1 }, /"maxChunks"/],
      [{ apiRateLimit: { requests: 0 } }, /"apiRateLimit.requests"/],
      [{ allowedContentTypes: ['nope'] }, /"allowedContentTypes.0"/],
      [{ clients: [{ id: 'a:b', secret: 's', permissions: [] }] }, /"clients.0.id"/],
      [{ clients: [{ id: 'a', secret: 's', permissions: ['files:delete'] }] }, /"clients.0.permissions.0"/],
      [{ chunkSzie: 5 }, /unknown setting\(s\): chunkSzie/],
    ];
    for (const [patch, pattern] of bad) {
      assert.throws(() => applySettingsPatch(defaultSettings(), patch), (e: unknown) => e instanceof ConfigError && pattern.test(e.message), JSON.stringify(patch));
    }
  });
  test('a patch merges (apiRateLimit halves too) without touching the base', () => {
    const base = defaultSettings();
    const next = applySettingsPatch(base, { apiRateLimit: { requests: 5 }, chunkSize: 1024 });
    assert.deepEqual(next.apiRateLimit, { requests: 5, windowSeconds: 60 });
    assert.equal(next.chunkSize, 1024);
    assert.equal(base.chunkSize, 5_242_880);
  });
  test('start options: faults and ports are validated too', () => {
    assert.throws(() => parseStartOptions({ port: 70000 }), /"port"/);
    assert.throws(() => parseStartOptions({ faults: [{ route: 'status', action: 'corrupt' }] }), /"faults.0.route"/);
    assert.throws(() => parseStartOptions({ faults: [{ route: 'initiate', action: 'status' }] }), /"faults.0.status"/);
    assert.throws(() => parseStartOptions({ faults: [{ route: 'segment', action: 'stall' }] }), /"faults.0.stallMs"/);
  });
});

describe('fault registry', () => {
  test('count rules run out; the first matching rule wins; ids are unique', () => {
    const faults = new FaultRegistry(1);
    const a = faults.add({ route: 'initiate', action: 'status', status: 503, count: 2 });
    const b = faults.add({ route: 'initiate', action: 'status', status: 500 });
    assert.notEqual(a, b);
    assert.equal(faults.take('initiate', 'request')?.status, 503);
    assert.equal(faults.take('initiate', 'request')?.status, 503);
    assert.equal(faults.take('initiate', 'request')?.status, 500);
    assert.equal(faults.take('initiate', 'request'), undefined);
  });
  test('segmentIndex and corrupt rules are matched only where they apply', () => {
    const faults = new FaultRegistry(1);
    faults.add({ route: 'segment', action: 'corrupt', segmentIndex: 2 });
    assert.equal(faults.take('segment', 'request', 2), undefined);
    assert.equal(faults.take('segment', 'corrupt', 1), undefined);
    assert.equal(faults.take('segment', 'corrupt', 2)?.action, 'corrupt');
    assert.equal(faults.list().length, 0);
  });
  test('probability rules follow the seed', () => {
    const pattern = (seed: number) => {
      const faults = new FaultRegistry(seed);
      faults.add({ route: 'status', action: 'status', status: 503, probability: 0.5 });
      return Array.from({ length: 40 }, () => (faults.take('status', 'request') ? 1 : 0)).join('');
    };
    assert.equal(pattern(7), pattern(7));
    assert.notEqual(pattern(7), pattern(8));
    assert.match(pattern(7), /0/);
    assert.match(pattern(7), /1/);
  });
  test('addAll is all or nothing', () => {
    const faults = new FaultRegistry(1);
    faults.add({ id: 'x', route: 'token', action: 'status', status: 500 });
    assert.throws(() => faults.addAll([{ route: 'token', action: 'stall', stallMs: 1 }, { id: 'x', route: 'token', action: 'reset' }]), ConfigError);
    assert.throws(() => faults.addAll([{ route: 'token', action: 'stall', stallMs: 1 }, { route: 'nope', action: 'reset' }]), ConfigError);
    assert.equal(faults.list().length, 1);
  });
});
