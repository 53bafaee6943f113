/**
 * The fast path of the CSV checks, both engines (WebAssembly and the regular expression): a row it
 * passes is a row the scanner accepts (never the reverse is needed: what it does not pass goes to
 * the scanner), it stops at line starts, it passes the ordinary rows of a Q Company export, and the
 * two engines pass the same rows.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  countLines,
  GoodRows,
  goodRowPattern,
  goodRowsModule,
  type GoodRowsEngine,
} from '../../../../src/ingest/batch/goodRows.js';
import {
  csvRowChecker,
  mapHeader,
  splitCsv,
  type HeaderMapping,
} from '../../../../src/ingest/batch/records.js';
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

beforeAll(() => {
  // The module is built by `npm run build`; a test run without a build builds it.
  if (!goodRowsModule()) execFileSync('npm', ['run', 'build:wasm'], { stdio: 'ignore' });
}, 60_000);

const ENGINES: GoodRowsEngine[] = ['wasm', 'regex'];

function engine(d: LandingDeclaration, mapping: HeaderMapping, name: GoodRowsEngine): GoodRows {
  const good = GoodRows.for(d, mapping, name);
  if (!good) throw new Error(`no ${name} engine (npm run build:wasm)`);
  return good;
}

describe.each(ENGINES)('GoodRows (%s)', (name) => {
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
        const good = engine(d, verdict.mapping, name);
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
    const good = engine(d, verdict.mapping, name);
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
    const good = engine(d, verdict.mapping, name);
    const long = Buffer.from(`${'x'.repeat(200_000)},1\n`.repeat(3) + 'y,2\n'.repeat(100_000) + 'z,q\n');
    expect(good.skip(long, 0)).toBe(100_003);
    expect(long.subarray(good.next).toString()).toBe('z,q\n');
  });
});

describe('GoodRows', () => {
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

  it('builds the WebAssembly engine where a fast path applies', () => {
    const d = declaration();
    const verdict = mapHeader(
      d,
      columns.map((c) => c.name),
    );
    if (!verdict.ok) throw new Error(verdict.reason);
    expect(goodRowsModule()).not.toBeNull();
    expect(GoodRows.for(d, verdict.mapping, 'wasm')).not.toBeNull();
    expect(GoodRows.for(declaration('::'), verdict.mapping, 'wasm')).toBeNull();
  });

  it('WebAssembly and the regular expression pass the same rows, at every offset in a chunk', () => {
    for (const [delimiter, quote] of [
      [',', '"'],
      ['\t', "'"],
    ] as const) {
      const d = declaration(delimiter, quote);
      const verdict = mapHeader(
        d,
        columns.map((c) => c.name),
      );
      if (!verdict.ok) throw new Error(verdict.reason);
      const wasm = engine(d, verdict.mapping, 'wasm');
      const regex = engine(d, verdict.mapping, 'regex');
      const checker = csvRowChecker(d, verdict.mapping);
      let passed = 0;
      for (let round = 0; round < 400; round++) {
        const lines: string[] = [];
        for (let r = 0; r < 12; r++) {
          const fields = columns.map((c) => {
            if (random() < 0.9) return goodValue(c.type);
            return pick(VALUES).replaceAll('"', quote).replaceAll(',', delimiter);
          });
          lines.push(fields.join(delimiter));
        }
        const eol = random() < 0.5 ? '\n' : '\r\n';
        // A first line of 0..80 bytes moves the rows across the 64-byte chunks of the module.
        const pad = 'p'.repeat(Math.floor(random() * 80));
        let text = `${pad}${eol}${lines.map((l) => l + eol).join('')}`;
        if (random() < 0.3) text = text.slice(0, -eol.length); // a last row without a line break
        const buf = Buffer.from(text);
        let pos = buf.indexOf(10) + 1;
        while (pos < buf.length) {
          const a = wasm.skip(buf, pos);
          const b = regex.skip(buf, pos);
          expect([a, wasm.next], JSON.stringify(buf.toString('utf8', pos))).toEqual([b, regex.next]);
          for (const line of buf.toString('utf8', pos, wasm.next).split('\n').slice(0, a)) {
            const fields = splitCsv(line.replace(/\r$/, ''), delimiter, quote);
            expect(fields && checker.check(fields), JSON.stringify(line)).toBeNull();
          }
          passed += a;
          pos = wasm.next;
          if (pos < buf.length) pos = buf.indexOf(10, pos) + 1 || buf.length;
        }
      }
      expect(passed).toBeGreaterThan(1000);
    }
  });

  it('WebAssembly: an engine given back serves the next file with its own columns', () => {
    // Engines are reused across files (release()): each must see its own column table, whatever
    // width and order the last one had. Any column may be the last (its value ends before `\r\n`).
    const d = declaration();
    let passed = 0;
    for (let round = 0; round < 200; round++) {
      const kept = columns.filter((c) => c.required || random() < 0.6);
      const order = kept.map((c) => c.name).sort(() => random() - 0.5);
      const verdict = mapHeader(d, order);
      if (!verdict.ok) throw new Error(verdict.reason);
      const wasm = engine(d, verdict.mapping, 'wasm');
      const regex = engine(d, verdict.mapping, 'regex');
      const lines: string[] = [];
      for (let r = 0; r < 10; r++)
        lines.push(
          order
            .map((n) => (random() < 0.9 ? goodValue(columns.find((c) => c.name === n)!.type) : pick(VALUES)))
            .join(','),
        );
      const eol = random() < 0.5 ? '\n' : '\r\n';
      const buf = Buffer.from(lines.map((l) => l + eol).join(''));
      let pos = 0;
      while (pos < buf.length) {
        const a = wasm.skip(buf, pos);
        expect([a, wasm.next], JSON.stringify(buf.toString('utf8', pos))).toEqual([
          regex.skip(buf, pos),
          regex.next,
        ]);
        passed += a;
        pos = wasm.next < buf.length ? buf.indexOf(10, wasm.next) + 1 : buf.length;
      }
      wasm.release();
    }
    expect(passed).toBeGreaterThan(300);
  });

  it('WebAssembly: quotes, CRLF, empty optional and required fields, long fields across chunks', () => {
    const d = {
      ...declaration(),
      columns: [
        { name: 'id', type: 'string', required: true, aliases: [] },
        { name: 'n', type: 'int', required: false, aliases: [] },
        { name: 'x', type: 'double', required: true, aliases: [] },
        { name: 's', type: 'string', required: false, aliases: [] },
      ],
    } as LandingDeclaration;
    const verdict = mapHeader(d, ['id', 'n', 'x', 's']);
    if (!verdict.ok) throw new Error(verdict.reason);
    const good = engine(d, verdict.mapping, 'wasm');
    const passes = (text: string): number => good.skip(Buffer.from(text), 0);
    const long = 'y'.repeat(150);
    expect(passes('a,,1.5,\n')).toBe(1);
    expect(passes('a,,1.5,\r\n')).toBe(1);
    expect(passes(`"${long},""${long}""",7,.5,"${long}, ""q"", ${long}"\r\nb,1,2,\n`)).toBe(2);
    expect(passes(`${long},1,1e5,${long}\n`)).toBe(1);
    expect(passes('"",1,1,x\n')).toBe(0); // required, empty once the quotes are gone
    expect(passes('"""",1,1,x\n')).toBe(1); // a quote is a value
    expect(passes('" ",1,1,x\n')).toBe(0);
    expect(passes(' ,1,1,x\n')).toBe(0);
    expect(passes('a,,,x\n')).toBe(0); // x is required
    expect(passes('a,1,1,"x"y\n')).toBe(0); // text after the closing quote: the scanner decides
    expect(passes('a,1,1,x"y\n')).toBe(0);
    expect(passes('a,"1",1,x\n')).toBe(0); // quoted typed values: the scanner decides
    expect(passes('a,1,1,"x\n')).toBe(0); // a quote left open
    expect(passes('a,1,1,x,\n')).toBe(0); // five fields
    expect(passes('a,1,1\n')).toBe(0); // three
    expect(passes('a,1 ,1,x\n')).toBe(0);
    expect(passes('a,1,1,x\r\r\n')).toBe(1); // the string keeps a \r
    expect(passes('a,1,1\r,x\n')).toBe(0);
    expect(passes('a,1,1,x\na,1,1,x')).toBe(1); // a last row without a line break
    expect(good.next).toBe(8);
    expect(passes('\n')).toBe(0);
    expect(passes('\r\n')).toBe(0);
    // A block is copied once; another block (even at the same offsets) is read afresh.
    const first = Buffer.from('a,1,1,x\nb,q,1,x\n');
    expect(good.skip(first, 0)).toBe(1);
    expect(good.skip(first, 8)).toBe(0);
    expect(good.skip(Buffer.from('a,1,1,x\nb,2,1,x\n'), 8)).toBe(1);
  });

  it('WebAssembly: booleans in any case, and nothing else', () => {
    const d = {
      ...declaration(),
      columns: [
        { name: 'b', type: 'boolean', required: true, aliases: [] },
        { name: 's', type: 'string', required: false, aliases: [] },
      ],
    } as LandingDeclaration;
    const verdict = mapHeader(d, ['b', 's']);
    if (!verdict.ok) throw new Error(verdict.reason);
    const good = engine(d, verdict.mapping, 'wasm');
    const checker = csvRowChecker(d, verdict.mapping);
    const values = ['true', 'TrUe', 'FALSE', 'f', 'T', 'Yes', 'nO', 'y', 'N', '1', '0'];
    const bad = ['', 'tru', 'truee', 'falsey', '2', '\x11', '\x10', 'ye', 'yes ', ' no', 'T\x00', 'on', '00'];
    for (const v of values) expect(good.skip(Buffer.from(`${v},x\n`), 0), v).toBe(1);
    for (const v of bad) {
      expect(good.skip(Buffer.from(`${v},x\n`), 0), JSON.stringify(v)).toBe(0);
      if (v.trim() === v) expect(checker.check([v, 'x']), JSON.stringify(v)).not.toBeNull();
    }
  });

  it('WebAssembly: a row of one column', () => {
    const d = {
      ...declaration(),
      columns: [{ name: 'a', type: 'string', required: false, aliases: [] }],
    } as LandingDeclaration;
    const verdict = mapHeader(d, ['a']);
    if (!verdict.ok) throw new Error(verdict.reason);
    const good = engine(d, verdict.mapping, 'wasm');
    const buf = Buffer.from('x\r\ny\n\nz\n');
    expect(good.skip(buf, 0)).toBe(2);
    expect(good.next).toBe(5);
    expect(good.skip(buf, 6)).toBe(1);
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
