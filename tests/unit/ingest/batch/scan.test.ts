/**
 * The byte-level CSV scanner against the string functions it replaces on the hot path (splitCsv,
 * csvRowChecker, joinCsv, checkFor): same fields, same verdicts, same bytes out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotTextError, readLines } from '../../../../src/ingest/batch/io.js';
import {
  checkFor,
  csvRowChecker,
  joinCsv,
  mapHeader,
  splitCsv,
  type HeaderMapping,
} from '../../../../src/ingest/batch/records.js';
import {
  CsvScanner,
  isDate,
  isInteger,
  isNumber,
  isBoolean,
  readLineBlocks,
  type ByteSink,
} from '../../../../src/ingest/batch/scan.js';
import type { LandingColumn, LandingDeclaration } from '../../../../src/ingest/landing/types.js';

const dir = mkdtempSync(join(tmpdir(), 'qdbt-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seed = 42;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;

const columns: LandingColumn[] = [
  { name: 'id', type: 'string', required: true, aliases: [] },
  { name: 'n', type: 'bigint', required: false, aliases: [] },
  { name: 'price', type: 'decimal(12,2)', required: true, aliases: [] },
  { name: 'flag', type: 'boolean', required: false, aliases: [] },
  { name: 'd', type: 'date', required: false, aliases: [] },
  { name: 'ts', type: 'timestamp', required: false, aliases: [] },
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
  '1E-3',
  'e5',
  'abc',
  'True',
  'yes',
  'Y',
  'nO',
  '0',
  '2',
  '2024-1-5',
  '2024-01-05 7:03',
  '2024-01-05T07:03:22.5Z',
  '1/5/2024',
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
  '😀',
  '"12"',
  '" 12 "',
  '""',
  '"',
  '2024-01-05 07:03:22+05:30',
  '2024-01-05 07:03 -0530',
  '2024-01-05 07:03+05',
  '123456789',
  '12345678901234',
  '2024-13-45',
  '24-1-5',
  '12/31/24',
  '2024.1.5 7:3',
  '2024-1-5 07:03:22.',
  '\t1\t',
  '1\u2003',
  'Ｔrue',
  'ſ',
  '\u00a0',
  '"\u00a0"',
  '"x\ry"',
  '2024-01-05T07:03:22.123 \tZ',
];

class Sink implements ByteSink {
  buf = Buffer.alloc(64);
  len = 0;
  room(n: number): void {
    if (this.len + n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(bigger, 0, 0, this.len);
      this.buf = bigger;
    }
  }
}

describe('CsvScanner', () => {
  for (const [delimiter, quote] of [
    [',', '"'],
    [';', "'"],
    ['\t', '"'],
  ] as const) {
    it(`agrees with splitCsv, csvRowChecker and joinCsv (delimiter ${JSON.stringify(delimiter)})`, () => {
      const d = declaration(delimiter, quote);
      for (let round = 0; round < 300; round++) {
        const order = columns.map((_, i) => i).sort(() => random() - 0.5);
        const header = order.map((i) => columns[i]!.name);
        const verdict = mapHeader(d, header);
        if (!verdict.ok) throw new Error(verdict.reason);
        const mapping: HeaderMapping = verdict.mapping;
        const scanner = CsvScanner.for(d, mapping)!;
        const checker = csvRowChecker(d, mapping);
        const lines: string[] = [];
        for (let r = 0; r < 20; r++) {
          let fields = order.map(() => pick(VALUES).replaceAll('"', quote).replaceAll(',', delimiter));
          if (random() < 0.1) fields = fields.slice(1);
          if (random() < 0.1) fields.push('x');
          lines.push(fields.join(delimiter));
        }
        const text = lines.join(random() < 0.5 ? '\n' : '\r\n');
        const buf = Buffer.from(text);
        let pos = 0;
        for (const expected of text.split('\n')) {
          const line = expected.endsWith('\r') ? expected.slice(0, -1) : expected;
          const start = pos;
          const closed = scanner.scan(buf, pos);
          pos = scanner.next;
          expect(buf.toString('utf8', start, scanner.lineEnd)).toBe(line);
          const fields = splitCsv(line, delimiter, quote);
          expect(closed).toBe(fields !== null);
          if (!fields || !line.length) continue;
          expect(scanner.count).toBe(fields.length);
          const problem = checker.check(fields);
          expect(scanner.check(buf)).toBe(problem);
          if (fields.length === header.length)
            for (let i = 0; i < fields.length; i++) expect(scanner.value(buf, i)).toBe(fields[i]);
          if (problem) continue;
          const sink = new Sink();
          scanner.encode(buf, mapping.sourceIndex, sink);
          const ordered = mapping.sourceIndex.map((s) => (s < 0 ? '' : fields[s]!));
          expect(sink.buf.toString('utf8', 0, sink.len)).toBe(`${joinCsv(ordered, delimiter, quote)}\n`);
        }
      }
    });
  }

  it('falls back to strings for a delimiter that is not ASCII', () => {
    const d = declaration('§');
    const verdict = mapHeader(
      d,
      columns.map((c) => c.name),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    expect(CsvScanner.for(d, verdict.mapping)).toBeNull();
  });
});

describe('typed checks on bytes', () => {
  const alphabet = [
    '0',
    '1',
    '2',
    '9',
    '-',
    '+',
    '.',
    '/',
    ':',
    ' ',
    'T',
    'Z',
    'e',
    'E',
    't',
    'r',
    'u',
    'y',
    'n',
    'o',
    'f',
    'a',
    'l',
    's',
    '\t',
  ];
  const samples = [...VALUES, '2024-01-05 07:03:22.1234+0530', '1/5/2024 23:59', '2024/1/5T1:00:00 Z'];
  for (let i = 0; i < 20000; i++) {
    const n = 1 + Math.floor(random() * 14);
    let s = '';
    for (let k = 0; k < n; k++) s += pick(alphabet);
    samples.push(s);
    const base = pick(samples);
    const at = Math.floor(random() * (base.length + 1));
    samples.push(base.slice(0, at) + pick(alphabet) + base.slice(at + 1));
  }
  const cases = [
    ['bigint', isInteger],
    ['decimal(12,2)', isNumber],
    ['boolean', isBoolean],
    ['date', isDate],
  ] as const;
  for (const [type, byBytes] of cases)
    it(`${type}: a byte check that passes means the regular expression passes, and (ASCII) the other way round`, () => {
      const check = checkFor(type)!;
      for (const value of samples) {
        const buf = Buffer.from(`,${value},`);
        const fast = byBytes(buf, 1, buf.length - 1);
        if (fast) expect(check(value), value).toBe(true);
        if (/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value)) expect(fast, value).toBe(check(value));
      }
    });
});

describe('readLineBlocks', () => {
  async function blockLines(path: string, chunk: number): Promise<string[]> {
    const out: string[] = [];
    for await (const block of readLineBlocks(path, chunk)) {
      const text = block.toString('utf8');
      const parts = text.split('\n');
      if (text.endsWith('\n')) parts.pop();
      for (const p of parts) out.push(p.endsWith('\r') ? p.slice(0, -1) : p);
    }
    return out;
  }
  async function reference(path: string): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of readLines(path)) for (const [line] of batch) out.push(line);
    return out;
  }
  async function outcome(f: () => Promise<string[]>): Promise<string[] | string> {
    try {
      return await f();
    } catch (error) {
      if (error instanceof NotTextError) return `NotTextError: ${error.message}`;
      throw error;
    }
  }

  it('gives the lines and errors of readLines, whatever the chunk size', async () => {
    const texts = [
      'a,b\nc,d\n',
      'a,b\r\nc,d',
      '\ufeffheader\nx\n',
      '\ufeff\ufeffheader\n',
      '\ufeff',
      'é日本😀\n\n\r\nlast\r',
      'one line without a break',
    ];
    const raws = [
      ...texts.map((t) => Buffer.from(t)),
      Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x00, 0x41, 0x0a]),
      Buffer.from([0x61, 0x0a, 0x00, 0x0a]),
      Buffer.from([0x61, 0x0a, 0xe6, 0x97]),
      Buffer.from([0x61, 0x0a, 0xe0, 0x80, 0x80, 0x0a]),
      Buffer.from([0x61, 0x0a, 0xed, 0xa0, 0x80, 0x0a]),
      Buffer.from([0x61, 0x0a, 0xf4, 0x90, 0x80, 0x80, 0x0a]),
      Buffer.from([0x61, 0xc3]),
    ];
    for (const [i, raw] of raws.entries()) {
      const path = join(dir, `lines-${i}.txt`);
      writeFileSync(path, raw);
      const expected = await outcome(() => reference(path));
      for (const chunk of [1, 2, 3, 5, 7, 1 << 20])
        expect(
          await outcome(() => blockLines(path, chunk)),
          `${JSON.stringify(raw.toString('latin1'))} in chunks of ${chunk}`,
        ).toEqual(expected);
    }
  });
});
