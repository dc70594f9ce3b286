#!/usr/bin/env node
// Lists every *.test.ts file under test/ explicitly and hands them to `node --import tsx --test`.
// On Node 20 a directory or a quoted glob passed to --test runs zero tests, so we enumerate here.
// Before any test runs, a preflight (scripts/preflight.mjs) makes sure the machine has what the
// selected files need (Chromium for the browser tests: installed when it can be, else exit 1 with
// the command that fixes it).
// Usage: node scripts/run-tests.mjs [--preflight-only] [substring-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { preflight } from './preflight.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const preflightOnly = args.includes('--preflight-only');
const filters = args.filter((a) => a !== '--preflight-only');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const files = walk(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
const ready = preflight({ files, root });
if (!ready.ok) {
  console.error(ready.message);
  process.exit(1);
}
if (preflightOnly) {
  console.error('run-tests: preflight passed');
  process.exit(0);
}
console.error(`run-tests: ${files.length} test files`);
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=600000', ...files],
  { cwd: root, stdio: 'inherit', env: ready.env },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
