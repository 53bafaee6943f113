import { describe, expect, it } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import { parseCsv } from '../../../src/materialize/seed/csv.js';
import { inferType, normalizeValue } from '../../../src/materialize/seed/types.js';

const file = 'seeds/x.csv';

function errorOf(text: string, delimiter?: string): QdbtError {
  try {
    parseCsv(text, { file, delimiter });
  } catch (error) {
    if (error instanceof QdbtError) return error;
    throw error;
  }
  throw new Error('expected a malformed CSV error');
}

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, delimiters and newlines inside quotes, CRLF', () => {
    const text = 'id,name,note\r\n1,"Smith, J.","said ""hi"""\r\n2,Ünïcödé 東京,"two\nlines"\r\n3,,""\r\n';
    const table = parseCsv(text, { file });
    expect(table.header).toEqual(['id', 'name', 'note']);
    expect(table.rows).toEqual([
      ['1', 'Smith, J.', 'said "hi"'],
      ['2', 'Ünïcödé 東京', 'two\nlines'],
      ['3', '', ''],
    ]);
    expect(table.lines).toEqual([2, 3, 5]);
  });

  it('drops a BOM, takes a last line without newline, skips blank lines, keeps a literal quote inside an unquoted field', () => {
    const table = parseCsv('\ufeffa,b\n\n1,5" screen\n2,x', { file });
    expect(table.header).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      ['1', '5" screen'],
      ['2', 'x'],
    ]);
  });

  it('takes another delimiter', () => {
    expect(parseCsv('a;b\n1;"x;y"\n', { file, delimiter: ';' }).rows).toEqual([['1', 'x;y']]);
  });

  it('names file and line of a row with too many or too few fields', () => {
    const error = errorOf('a,b,c\n1,2,3\n4,5\n');
    expect(error.format()).toBe('seeds/x.csv:3: malformed CSV: expected 3 fields as in the header, found 2');
    expect(errorOf('a,b\n1,2\n"multi\nline",2,3\n').location).toEqual({ file, line: 3 });
  });

  it('names the line where an unterminated quote opens', () => {
    const error = errorOf('a,b\n1,2\n3,"never closed\n4,5\n');
    expect(error.format()).toMatch(/^seeds\/x\.csv:3: malformed CSV: a quoted field is never closed/);
  });

  it('rejects text after a closing quote', () => {
    expect(errorOf('a,b\n1,"x"y\n').format()).toMatch(
      /^seeds\/x\.csv:2: malformed CSV: unexpected "y" after a closing quote/,
    );
  });

  it('rejects an empty file, a nameless or duplicate header column', () => {
    expect(errorOf('').format()).toMatch(/seeds\/x\.csv:1: .*empty/);
    expect(errorOf('a,,c\n1,2,3\n').format()).toMatch(
      /seeds\/x\.csv:1: .*column 2 of the header has no name/,
    );
    expect(errorOf('id,ID\n1,2\n').format()).toMatch(/seeds\/x\.csv:1: .*'ID' appears twice/);
  });

  it('rejects a bad delimiter', () => {
    expect(errorOf('a\n', '||').message).toMatch(/one character/);
  });
});

describe('inferType', () => {
  it.each([
    [['1', '-2', '', '9223372036854775807'], 'bigint'],
    [['9223372036854775808'], 'decimal(19,0)'],
    [['1.50', '20', '-3.125'], 'decimal(5,3)'],
    [['1e3', '2.5'], 'double'],
    [['true', 'FALSE', ''], 'boolean'],
    [['2024-01-31', '2023-12-01'], 'date'],
    [['2024-02-30'], 'string'],
    [['2024-01-31 10:00:00', '2024-01-31T23:59:59.123'], 'timestamp'],
    [['007', '010'], 'string'],
    [['', ''], 'string'],
    [['abc', '1'], 'string'],
  ])('%j is %s', (values, type) => {
    expect(inferType(values)).toBe(type);
  });

  it('normalizes ISO timestamps for Hive', () => {
    expect(normalizeValue('2024-01-31T10:00', 'timestamp')).toBe('2024-01-31 10:00:00');
    expect(normalizeValue('2024-01-31T10:00', 'string')).toBe('2024-01-31T10:00');
  });
});
