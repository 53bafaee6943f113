/**
 * The fast path of the CSV checks: a row it passes is a row the scanner accepts (never the
 * reverse is needed: what it does not pass goes to the scanner), it stops at line starts, and it
 * passes the ordinary rows of a Q Company export.
 */
import { describe, expect, it } from 'vitest';
import { countLines, GoodRows, goodRowPattern } from '../../../../src/ingest/batch/goodRows.js';
import { csvRowChecker, mapHeader, splitCsv } from '../../../../src/ingest/batch/records.js';
import type { LandingColumn, LandingDeclaration } from '../../../../src/ingest/landing/types.js';

let seed = 7;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;

const columns = [
  { name: 'id', type: 'string', required: true, aliases: [] },
  { name: 'n', type: 'bigint', required: false, aliases: [] },
  { name: 'units', type: 'int', required: true, aliases: [] },
  { name: 'price', type: 'decimal(12,2)', required: true, aliases: [] },
  { name: 'flag', type: 'boolean', required: false, aliases: [] },
  { name: 'd', type: 'date', required: false, aliases: [] },
  { name: 'ts', type: 'timestamp', required: true, aliases: [] },
  { name: 's', type: 'string', required: false, aliases: [] },
] as LandingColumn[];

function declaration(delimiter = ',', quote = '"'): LandingDeclaration {
  return {
    kind: 'batch',
    format: 'csv',
    csv: { delimiter, quote, header: true },
    columns,
    partitioning: { kind: 'ingestion_time' },
  } as unknown as LandingDeclaration;
}

const VALUES = [
  '',
  ' ',
  '12',
  '+1',
  '-5',
  '-',
  '1.',
  '.5',
  '1e5',
  'e5',
  'abc',
  'True',
  'yes',
  'nO',
  '0',
  '2',
  '2024-1-5',
  '2024-01-05 7:03',
  '2024-01-05T07:03:22.5Z',
  '1/5/2024',
  '2024-01-05 07:03 -0530',
  '2024-01-05 07:03  Z',
  '2024-01-05 07:03\tZ',
  '2024-01-05 12:00\u00a0Z',
  '\u00a012\u00a0',
  ' 12 ',
  '"quoted, with comma"',
  '"a""b"',
  '"unclosed',
  '"ab"cd',
  'x"y',
  'a\rb',
  'é',
  '日本',
  '"12"',
  '""',
  '"',
  '" "',
  '""""',
  '123456789',
  '12345678901234',
  '2024-13-45',
  '\t1\t',
  '1\u2003',
  '\u00a0',
  '"\u00a0"',
  '\u3000',
];

describe('GoodRows', () => {
  for (const [delimiter, quote] of [
    [',', '"'],
    [';', "'"],
    ['\t', '"'],
    ['|', '"'],
  ] as const)
    it(`passes only rows the checks accept (delimiter ${JSON.stringify(delimiter)}), stopping at line starts`, () => {
      const d = declaration(delimiter, quote);
      let passed = 0;
      for (let round = 0; round < 300; round++) {
        const order = columns.map((_, i) => i).sort(() => random() - 0.5);
        const verdict = mapHeader(
          d,
          order.map((i) => columns[i]!.name),
        );
        if (!verdict.ok) throw new Error(verdict.reason);
        const good = GoodRows.for(d, verdict.mapping)!;
        const checker = csvRowChecker(d, verdict.mapping);
        const lines: string[] = [];
        for (let r = 0; r < 30; r++) {
          // Mostly good values, so that runs of good rows occur.
          let fields = order.map((i) => {
            if (random() < 0.85) return goodValue(columns[i]!.type);
            return pick(VALUES).replaceAll('"', quote).replaceAll(',', delimiter);
          });
          if (random() < 0.05) fields = fields.slice(1);
          if (random() < 0.05) fields.push('x');
          lines.push(random() < 0.03 ? '' : fields.join(delimiter));
        }
        const eol = random() < 0.5 ? '\n' : '\r\n';
        const buf = Buffer.from(lines.map((l) => l + eol).join(''));
        const starts: number[] = [];
        for (let i = 0, at = 0; i < lines.length; i++) {
          starts.push(at);
          at += Buffer.byteLength(lines[i]!) + eol.length;
        }
        let pos = 0;
        let line = 0;
        while (pos < buf.length) {
          const n = good.skip(buf, pos);
          for (let k = line; k < line + n; k++) {
            const fields = splitCsv(lines[k]!, delimiter, quote);
            expect(lines[k]!.length, JSON.stringify(lines[k])).toBeGreaterThan(0);
            expect(fields, JSON.stringify(lines[k])).not.toBeNull();
            expect(checker.check(fields!), JSON.stringify(lines[k])).toBeNull();
          }
          passed += n;
          line += n;
          expect(good.next).toBe(line < lines.length ? starts[line] : buf.length);
          pos = good.next;
          if (pos < buf.length) {
            pos = buf.indexOf(10, pos) + 1; // the scanner's line
            line++;
          }
        }
      }
      expect(passed).toBeGreaterThan(1000);
    });

  it('passes the rows of a Q Company export, dirt included, and not a last line without a break', () => {
    const d = {
      ...declaration(),
      columns: [
        { name: 'transaction_id', type: 'string', required: true, aliases: [] },
        { name: 'transaction_date', type: 'date', required: true, aliases: [] },
        { name: 'customer_email', type: 'string', required: false, aliases: [] },
        { name: 'offer_1', type: 'boolean', required: false, aliases: [] },
        { name: 'unit_price', type: 'decimal(12,2)', required: true, aliases: [] },
        { name: 'shipping_address', type: 'string', required: false, aliases: [] },
      ],
    } as LandingDeclaration;
    const verdict = mapHeader(
      d,
      d.columns.map((c) => c.name),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    const good = GoodRows.for(d, verdict.mapping)!;
    const text =
      'trx-1,2024-1-1,alexander.0@gmail.com@#,True,79.99,"0 Main St, Springfield, IL 62704"\r\n' +
      'trx-2,2024-12-28,søren@example.dk,,699.99,\n' +
      'trx-3,2024-2-2,,no,1e3,"say ""hi"""\n' +
      'trx-4,2024-2-2,,no,1.5,';
    const buf = Buffer.from(text);
    expect(good.skip(buf, 0)).toBe(3);
    expect(buf.subarray(good.next).toString()).toBe('trx-4,2024-2-2,,no,1.5,');
    expect(good.skip(buf, good.next)).toBe(0);
  });

  it('spans windows of text, and leaves a long run of very short lines to the scanner if it must', () => {
    const d = {
      ...declaration(),
      columns: [
        { name: 'a', type: 'string', required: false, aliases: [] },
        { name: 'b', type: 'int', required: false, aliases: [] },
      ],
    } as LandingDeclaration;
    const verdict = mapHeader(d, ['a', 'b']);
    if (!verdict.ok) throw new Error(verdict.reason);
    const good = GoodRows.for(d, verdict.mapping)!;
    const long = Buffer.from(`${'x'.repeat(200_000)},1\n`.repeat(3) + 'y,2\n'.repeat(100_000) + 'z,q\n');
    expect(good.skip(long, 0)).toBe(100_003);
    expect(long.subarray(good.next).toString()).toBe('z,q\n');
  });

  it('has no fast path for delimiters that typed values may hold', () => {
    for (const delimiter of ['.', '-', ' ', ':', 'a', '1', '§']) {
      const d = declaration(delimiter);
      const verdict = mapHeader(
        d,
        columns.map((c) => c.name),
      );
      if (!verdict.ok) throw new Error(verdict.reason);
      expect(goodRowPattern(d, verdict.mapping), delimiter).toBeNull();
    }
  });

  it('counts line breaks', () => {
    const buf = Buffer.from('a\nb\n\nc');
    expect(countLines(buf, 0, buf.length)).toBe(3);
    expect(countLines(buf, 2, 4)).toBe(1);
  });
});

function goodValue(type: string): string {
  switch (type) {
    case 'bigint':
    case 'int':
      return pick(['1', '-20', '+3', '123456']);
    case 'decimal(12,2)':
      return pick(['1.5', '.5', '2.', '1e3', '-0.25']);
    case 'boolean':
      return pick(['true', 'F', 'yes', 'n', '1', '']);
    case 'date':
      return pick(['2024-1-5', '1/5/2024', '2024.01.05 10:00', '']);
    case 'timestamp':
      return pick(['2024-01-05 07:03:22.5Z', '1700000000', '2024-1-5T7:03 +05:30']);
    default:
      return pick(['abc', 'é', '"a, b"', '"x ""y"""', 'two words', '']);
  }
}
