import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FILE_NAME_LENGTH, sanitizeFileName } from '../../src/upload/sanitize-file-name.js';

/** PROTOCOL.md §2's rule, checked independently of the sanitiser. */
function acceptable(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 255 &&
    !name.startsWith('.') &&
    !name.endsWith('/') &&
    !/[\s/\\{^}%`\]">[~<#|]/.test(name)
  );
}

test('sanitizeFileName (table)', () => {
  const rows: Array<[string, string]> = [
    ['report.pdf', 'report.pdf'],
    ['my report (final).pdf', 'my_report_(final).pdf'],
    ['../../etc/passwd', '_.._etc_passwd'],
    ['..\\..\\windows\\win.ini', '_.._windows_win.ini'],
    ['.bashrc', 'bashrc'],
    ['...hidden.txt', 'hidden.txt'],
    ['', 'file'],
    ['...', 'file'],
    ['tab\there', 'tab_here'],
    ['new\nline', 'new_line'],
    ['nbsp\u00a0space', 'nbsp_space'],
    ['naïve café.txt', 'naïve_café.txt'],
    ['e\u0301.txt', 'é.txt'], // NFC
    ['日本語ファイル.png', '日本語ファイル.png'],
    ['emoji 😀.gif', 'emoji_😀.gif'],
    ['dir/', 'dir_'],
  ];
  for (const [input, expected] of rows) {
    assert.equal(sanitizeFileName(input), expected, JSON.stringify(input));
    assert.ok(acceptable(sanitizeFileName(input)), JSON.stringify(input));
  }
});

test('sanitizeFileName: every forbidden character becomes _', () => {
  for (const ch of ['{', '^', '}', '%', '`', ']', '"', '>', '[', '~', '<', '#', '|', '/', '\\', ' ', '\t', '\r', '\u2003']) {
    assert.equal(sanitizeFileName(`a${ch}b.txt`), 'a_b.txt', JSON.stringify(ch));
  }
});

test('sanitizeFileName: long names are cut to 255 UTF-16 units keeping the extension', () => {
  const long = `${'x'.repeat(300)}.pdf`;
  const cut = sanitizeFileName(long);
  assert.equal(cut.length, MAX_FILE_NAME_LENGTH);
  assert.ok(cut.endsWith('.pdf'));
  const noExt = sanitizeFileName('y'.repeat(300));
  assert.equal(noExt, 'y'.repeat(255));
  // A surrogate pair is never split.
  const emoji = sanitizeFileName(`${'😀'.repeat(200)}.txt`);
  assert.ok(emoji.length <= 255 && emoji.endsWith('.txt'));
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(emoji), 'no lone high surrogate');
  assert.ok(acceptable(emoji));
});

test('sanitizeFileName: format characters (\\p{Cf}: bidi overrides, zero-width) are removed', () => {
  // U+202E RIGHT-TO-LEFT OVERRIDE makes this display as "invoiceexe.pdf".
  assert.equal(sanitizeFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
  const rows: Array<[string, string]> = [
    ['a\u202Db\u202C.txt', 'ab.txt'], // LRO … PDF
    ['a\u2066b\u2069.txt', 'ab.txt'], // LRI … PDI
    ['\u200Breport\u200C\u200D.pdf', 'report.pdf'], // zero-width space, non-joiner, joiner
    ['soft\u00ADhyphen.txt', 'softhyphen.txt'],
    ['\uFEFFbom.txt', 'bom.txt'],
    ['\u202E', 'file'],
    ['\u202E.hidden', 'hidden'],
  ];
  for (const [input, expected] of rows) {
    assert.equal(sanitizeFileName(input), expected, JSON.stringify(input));
    assert.ok(!/\p{Cf}/u.test(sanitizeFileName(input)), JSON.stringify(input));
  }
});
