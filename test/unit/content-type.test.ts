import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeFor, validateContentType } from '../../src/upload/content-type.js';
import { ConfigError } from '../../src/errors/index.js';

test('contentTypeFor: common extensions, case-insensitive; unknown is octet-stream (table)', () => {
  const rows: Array<[string, string]> = [
    ['a.pdf', 'application/pdf'],
    ['A.PDF', 'application/pdf'],
    ['a.zip', 'application/zip'],
    ['a.tar.gz', 'application/gzip'],
    ['a.json', 'application/json'],
    ['a.txt', 'text/plain'],
    ['a.csv', 'text/csv'],
    ['a.png', 'image/png'],
    ['a.jpg', 'image/jpeg'],
    ['a.jpeg', 'image/jpeg'],
    ['a.gif', 'image/gif'],
    ['a.webp', 'image/webp'],
    ['a.mp4', 'video/mp4'],
    ['a.mov', 'video/quicktime'],
    ['a.mp3', 'audio/mpeg'],
    ['a.wav', 'audio/wav'],
    ['a.doc', 'application/msword'],
    ['a.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['a.xls', 'application/vnd.ms-excel'],
    ['a.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['a.bin', 'application/octet-stream'],
    ['a.unknownext', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ];
  for (const [name, type] of rows) assert.equal(contentTypeFor(name), type, name);
});

test('validateContentType: type/subtype accepted, anything else is a ConfigError naming --content-type', () => {
  for (const ok of ['application/pdf', 'text/plain; charset=utf-8', 'application/vnd.ms-excel']) assert.equal(validateContentType(ok), ok);
  for (const bad of ['pdf', 'text/', '/plain', 'a b/c', 'text/plain; charset', '']) {
    assert.throws(() => validateContentType(bad), (e: unknown) => e instanceof ConfigError && e.message.startsWith('--content-type'));
  }
});
