/**
 * One table of error codes (src/errors/error-codes.ts): every code raised anywhere in src/ is in
 * it, with exactly one kind, and the class that raises it has that kind. Found by reading the
 * sources (`new XxxError('code'`), so a new code that is not added to the table fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CODE_FAMILIES, ERROR_CODES, EXIT_CODES, errorTable, exitStatusOfCode, kindOfCode, type FailureKind } from '../../src/errors/index.js';

const root = new URL('../..', import.meta.url).pathname;
const CLASS_KINDS: Record<string, FailureKind> = {
  ConfigError: 'usage',
  AuthError: 'auth',
  RejectedError: 'rejected',
  IntegrityError: 'integrity',
  TransientError: 'transient',
  InterruptedError: 'interrupted',
  InternalError: 'internal',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
  });
}

interface Raised {
  code: string;
  kind: FailureKind;
  where: string;
}

/** `new XxxError('code', …)` (any quotes, across lines), and `new UploadError('kind', 'code', …)`. */
function raisedCodes(): { literal: Raised[]; dynamic: string[] } {
  const literal: Raised[] = [];
  const dynamic: string[] = [];
  for (const file of walk(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const where = relative(root, file);
    for (const m of text.matchAll(/new\s+(\w+Error)\(\s*([^,)]*)(?:,\s*([^,)]*))?/g)) {
      const [, cls = '', first = '', second = ''] = m;
      const line = `${where}:${text.slice(0, m.index).split('\n').length}`;
      const literalOf = (arg: string) => /^(['"`])([^'"`$]+)\1$/.exec(arg.trim())?.[2];
      if (cls === 'UploadError') {
        const kind = literalOf(first) as FailureKind | undefined;
        const code = literalOf(second);
        if (kind !== undefined && code !== undefined) literal.push({ code, kind, where: line });
        else dynamic.push(`${line} new UploadError(${first}, ${second})`);
        continue;
      }
      const kind = CLASS_KINDS[cls];
      if (kind === undefined) continue; // not one of ours (Error, ShapeError, InvalidArgumentError …)
      if (cls === 'InterruptedError') {
        literal.push({ code: 'interrupted', kind, where: line });
        continue;
      }
      const code = literalOf(first);
      if (code !== undefined) literal.push({ code, kind, where: line });
      else {
        // A code built at run time must belong to a family: `config.${name}`.
        const family = /^`([a-z_]+\.)\$\{/.exec(first.trim())?.[1];
        if (family !== undefined) literal.push({ code: `${family}*`, kind, where: line });
        else dynamic.push(`${line} new ${cls}(${first.trim()})`);
      }
    }
  }
  return { literal, dynamic };
}

test('every error code raised in src/ is in the table, with the kind of the class that raises it', () => {
  const { literal } = raisedCodes();
  assert.ok(literal.length > 60, `found ${literal.length} raise sites: the scan works`);
  const problems: string[] = [];
  const kinds = new Map<string, Set<FailureKind>>();
  for (const { code, kind, where } of literal) {
    const expected = code.endsWith('*') ? CODE_FAMILIES[code.slice(0, -1)] : kindOfCode(code);
    if (expected === undefined) problems.push(`${where}: ${code} is not in ERROR_CODES`);
    else if (expected !== kind) problems.push(`${where}: ${code} is raised as ${kind}, the table says ${expected}`);
    (kinds.get(code) ?? kinds.set(code, new Set()).get(code)!).add(kind);
  }
  for (const [code, set] of kinds) if (set.size > 1) problems.push(`${code} is raised with ${set.size} kinds: ${[...set].join(', ')}`);
  assert.deepEqual(problems, []);
});

test('codes passed on at run time are ones the table knows', () => {
  // The few raise sites whose code is a variable: each passes on a code raised elsewhere (listed).
  const { dynamic } = raisedCodes();
  const known = [
    /src\/config\/resolve-config\.ts:\d+ new ConfigError\(code\)/, // config.api_url / config.login_url, the caller's
    /src\/genesys\/api\.ts:\d+ new RejectedError\(remote\.code === 'checksum\.mismatch' \? 'upload\.checksum_mismatch' : 'upload\.incomplete'\)/,
    /src\/upload\/complete-upload\.ts:\d+ new RejectedError\(error\.code\)/, // re-raises a rejected upload.* code
    /src\/destinations\/genesys-files\/session\.ts:\d+ new RejectedError\(error\.code\)/, // the same, in the Files API's session
    /src\/relay\/delivery-choice\.ts:\d+ new UploadError\(error\.kind, error\.code\)/, // a store's refusal, re-raised with the link-store hint
  ];
  for (const site of dynamic) assert.ok(known.some((k) => k.test(site)), `unreviewed run-time code: ${site}`);
  for (const code of ['upload.checksum_mismatch', 'upload.incomplete', 'config.api_url', 'config.login_url']) assert.ok(kindOfCode(code) !== undefined, code);
});

test('delivery.uncertain has one kind (usage: the user decides); a lost answer is delivery.answer_lost (transient)', () => {
  assert.equal(kindOfCode('delivery.uncertain'), 'usage');
  assert.equal(exitStatusOfCode('delivery.uncertain'), 2);
  assert.equal(kindOfCode('delivery.answer_lost'), 'transient');
  assert.equal(exitStatusOfCode('delivery.answer_lost'), 6);
});

test('the table: exit statuses from EXIT_CODES, families, unknown codes', () => {
  for (const row of errorTable()) assert.equal(row.exitStatus, EXIT_CODES[row.kind], row.code);
  assert.equal(errorTable().length, Object.keys(ERROR_CODES).length);
  assert.equal(kindOfCode('config.max_jobs'), 'usage', 'a family member');
  assert.equal(kindOfCode('no.such_code'), undefined);
  assert.equal(exitStatusOfCode('journal.disk_full'), 2);
  assert.equal(exitStatusOfCode('journal.busy'), 6);
});
