// The CSV the Forge views build (src/download.js) neutralises formula-like cells exactly as the
// service's /api/v1/expectations.csv does (connector/api/export.py, README "Export"): a text
// cell starting with = + - @ tab or CR gets a leading apostrophe; numbers are left as they are.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { test } from 'node:test';

register('./hooks.mjs', import.meta.url);
const { cell, toCsv } = await import('../src/download.js');

test('each formula start is neutralised', () => {
  assert.equal(cell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
  assert.equal(cell('+1'), "'+1");
  assert.equal(cell('-1'), "'-1");
  assert.equal(cell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(cell('\tcmd'), "'\tcmd");
  assert.equal(cell('\rcmd'), `"'\rcmd"`);
});

test('other cells are kept as they are', () => {
  assert.equal(cell('1-2'), '1-2');
  assert.equal(cell(' =1'), ' =1');
  assert.equal(cell(-3), '-3');
  assert.equal(cell(null), '');
  assert.equal(cell(undefined), '');
  assert.equal(cell('a,b'), '"a,b"');
});

test('the file has a BOM and CRLF lines', () => {
  assert.equal(toCsv(['a', 'b'], [['=1', 2]]), "\ufeffa,b\r\n'=1,2\r\n");
});
