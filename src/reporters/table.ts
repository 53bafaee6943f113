import type { CellValue, ColumnDef } from '../adapters/types.js';

/** A cell as text: NULL empty, BIGINT and DECIMAL exact, binary as hex, complex types as JSON. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (typeof value === 'object')
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value);
}

/**
 * Rows as a Markdown-style table, numbers right-aligned:
 *
 *   | id | name   |
 *   | -- | ------ |
 *   |  1 | Harbor |
 */
export function formatTable(columns: ColumnDef[], rows: CellValue[][]): string {
  const names = columns.map((c) => shortName(c.name));
  const texts = rows.map((row) => columns.map((_, i) => cellText(row[i] ?? null).replace(/\n/g, '\\n')));
  const widths = names.map((name, i) => Math.max(name.length, 1, ...texts.map((r) => r[i]!.length)));
  const numeric = columns.map((c) =>
    /^(tinyint|smallint|int|integer|bigint|float|double|decimal)/.test(c.type),
  );
  const line = (cells: string[], pad: (text: string, i: number) => string) =>
    `| ${cells.map(pad).join(' | ')} |`;
  const out = [
    line(names, (t, i) => t.padEnd(widths[i]!)),
    line(
      names.map((_, i) => '-'.repeat(widths[i]!)),
      (t) => t,
    ),
    ...texts.map((r) => line(r, (t, i) => (numeric[i] ? t.padStart(widths[i]!) : t.padEnd(widths[i]!)))),
  ];
  return out.join('\n');
}

/** Hive names result columns `t.id`; show `id`. */
function shortName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : name;
}
