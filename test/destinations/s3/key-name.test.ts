import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectKey } from '../../../src/destinations/s3/index.js';
import { keyName } from '../../../src/destinations/s3/store.js';

test('a key name is the file name in URL-safe ASCII: accents folded, anything else one dash, the extension kept', () => {
  assert.equal(keyName('Rapport été 2026 (final).pdf'), 'Rapport-ete-2026-final.pdf');
  assert.equal(keyName('a#b?c d.txt'), 'a-b-c-d.txt');
  assert.equal(keyName('..\\..\\etc/passwd'), 'etc-passwd');
  assert.equal(keyName('报告.docx'), 'file.docx', 'nothing left of the name but its extension');
  assert.equal(keyName('報告'), 'file');
  assert.equal(keyName('claim_v2-final.tar.gz'), 'claim_v2-final.tar.gz', 'a safe name is kept as it is');
});

test('a long name is cut to 100 characters with its extension kept, so a link fits a 2000-character message', () => {
  const long = `${'é'.repeat(255)}.tar.gz`;
  const name = keyName(long);
  assert.equal(name, `${'e'.repeat(97)}.gz`);
  assert.equal(name.length, 100);
  const key = objectKey('links/', `${'x'.repeat(300)}.pdf`);
  assert.match(key, /^links\/[0-9a-f]{16}\/x{96}\.pdf$/);
  assert.equal(encodeURIComponent(key.split('/')[2] ?? ''), key.split('/')[2], 'nothing in it needs percent-encoding');
});
