/**
 * Checking raw records against a landing declaration. Pure: lines in, verdicts out.
 *
 * CSV: the header is mapped to declared columns through names and aliases (case-insensitive);
 * a row must have as many fields as the header, its required columns filled and its numeric,
 * boolean and date columns parseable. A quoted field may not hold a line break (Hive text tables
 * split rows at line breaks), so such a record is a bad row spanning several lines.
 * JSON lines: each line an object; keys mapped the same way.
 */
import { createHash } from 'node:crypto';
import type { LandingColumn, LandingDeclaration } from '../landing/types.js';

export type Check = (value: string) => boolean;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false|t|f|yes|no|y|n|1|0)$/i;
// Loose on purpose: raw dates arrive as 2024-1-5, 2024/01/05 or 1/5/2024; models normalize them.
const DATE =
  /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^\d{9,13}$/;

export function checkFor(type: string): Check | null {
  const t = type.toLowerCase();
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(t)) return (v) => INTEGER.test(v);
  if (/^(float|double|decimal)/.test(t)) return (v) => NUMBER.test(v);
  if (t === 'boolean') return (v) => BOOLEAN.test(v);
  if (t === 'date') return (v) => DATE.test(v);
  if (t === 'timestamp') return (v) => DATE.test(v) || EPOCH.test(v);
  return null;
}

export function typeLabel(type: string): string {
  return checkFor(type) ? type : 'string';
}

/**
 * A short hash of what a file is checked against: format, CSV options, columns (names, types,
 * required flags, aliases) and the event-time field. Kept in a quarantine record: when it changes,
 * the file is tried again.
 */
export function declarationFingerprint(declaration: LandingDeclaration): string {
  const csv = declaration.csv;
  const canonical = JSON.stringify([
    declaration.format,
    csv ? [csv.delimiter, csv.quote, csv.header] : null,
    declaration.columns.map((c) => [
      c.name,
      c.type.toLowerCase().replace(/\s+/g, ''),
      c.required,
      [...new Set(c.aliases.map((a) => a.toLowerCase()))].sort(),
    ]),
    declaration.partitioning.kind === 'event_time' ? declaration.partitioning.field : null,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Lower-cased spelling (name or alias) -> declared column index. */
export function spellings(columns: LandingColumn[]): Map<string, number> {
  const map = new Map<string, number>();
  columns.forEach((c, i) => {
    map.set(c.name, i);
    for (const a of c.aliases) map.set(a.toLowerCase(), i);
  });
  return map;
}

export interface HeaderMapping {
  /** For each declared column, its position in the file, or -1 when the file lacks it (optional columns). */
  sourceIndex: number[];
  /** The file's header as written. */
  header: string[];
  /** Header names that were aliases: `cusomter_lname -> customer_lname`. */
  renamed: string[];
  /** True when the file's columns are the declared ones, in the declared order: its bytes can land unchanged. */
  inDeclaredOrder: boolean;
}

export type HeaderVerdict = { ok: true; mapping: HeaderMapping } | { ok: false; reason: string };

export function mapHeader(declaration: LandingDeclaration, header: string[]): HeaderVerdict {
  const lookup = spellings(declaration.columns);
  const sourceIndex = declaration.columns.map(() => -1);
  const unknown: string[] = [];
  const renamed: string[] = [];
  const duplicated: string[] = [];
  header.forEach((raw, position) => {
    const name = raw
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase();
    const index = lookup.get(name);
    if (index === undefined) {
      unknown.push(raw);
      return;
    }
    if (sourceIndex[index] !== -1) duplicated.push(raw);
    sourceIndex[index] = position;
    if (name !== declaration.columns[index]!.name)
      renamed.push(`${name} -> ${declaration.columns[index]!.name}`);
  });
  const missing = declaration.columns
    .filter((c, i) => c.required && sourceIndex[i] === -1)
    .map((c) => c.name);
  const problems: string[] = [];
  if (missing.length) problems.push(`missing required column(s) ${missing.join(', ')}`);
  if (unknown.length)
    problems.push(
      `undeclared column(s) ${unknown.map((u) => `'${u}'`).join(', ')} (declare them, or add them as aliases)`,
    );
  if (duplicated.length) problems.push(`column(s) given twice: ${duplicated.join(', ')}`);
  if (problems.length)
    return { ok: false, reason: `header ${JSON.stringify(header.join(','))}: ${problems.join('; ')}` };
  const inDeclaredOrder =
    header.length === declaration.columns.length && sourceIndex.every((s, i) => s === i);
  return { ok: true, mapping: { sourceIndex, header, renamed, inDeclaredOrder } };
}

/**
 * Splits one CSV record. Returns null when a quoted field is still open at the end of the text
 * (the record continues on the next line).
 */
export function splitCsv(line: string, delimiter: string, quote: string): string[] | null {
  if (!line.includes(quote)) return line.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line[i] === quote) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf(quote, j);
        if (q === -1) return null;
        value += line.slice(j, q);
        if (line[q + 1] === quote) {
          value += quote;
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      // Text after the closing quote up to the delimiter is kept (lenient, as OpenCSVSerde).
      const d = line.indexOf(delimiter, j);
      fields.push(d === -1 ? value + line.slice(j) : value + line.slice(j, d));
      if (d === -1) return fields;
      i = d + 1;
    } else {
      const d = line.indexOf(delimiter, i);
      if (d === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, d));
      i = d + 1;
    }
    if (i === n) {
      fields.push('');
      return fields;
    }
  }
}

export function joinCsv(fields: string[], delimiter: string, quote: string): string {
  return fields
    .map((f) =>
      f.includes(delimiter) || f.includes(quote) || f.includes('\n') || f.includes('\r')
        ? `${quote}${f.split(quote).join(quote + quote)}${quote}`
        : f,
    )
    .join(delimiter);
}

export interface RowChecker {
  /** null when the row is good, else the reason. */
  check(fields: string[]): string | null;
}

export function csvRowChecker(declaration: LandingDeclaration, mapping: HeaderMapping): RowChecker {
  const width = mapping.header.length;
  const checks = declaration.columns.map((c, i) => ({
    name: c.name,
    type: c.type,
    position: mapping.sourceIndex[i]!,
    required: c.required,
    check: checkFor(c.type),
  }));
  return {
    check(fields) {
      if (fields.length !== width) return `${fields.length} fields, the header has ${width}`;
      for (const c of checks) {
        if (c.position < 0) continue;
        const value = fields[c.position]!.trim();
        if (!value) {
          if (c.required) return `required column ${c.name} is empty`;
          continue;
        }
        if (c.check && !c.check(value)) return `${c.name} '${value.slice(0, 40)}' is not a ${c.type}`;
      }
      return null;
    },
  };
}

export type JsonVerdict =
  | { ok: true; line: string; value: Record<string, unknown>; renamed: boolean }
  | { ok: false; reason: string; notJson: boolean };

/** Checks one JSON line; keys spelled as aliases are renamed to the declared names. */
export function checkJsonLine(
  declaration: LandingDeclaration,
  lookup: Map<string, number>,
  line: string,
): JsonVerdict {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}`, notJson: true };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'not a JSON object', notJson: true };
  const record = value as Record<string, unknown>;
  let renamed = false;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    const index = lookup.get(key.toLowerCase());
    const name = index === undefined ? key : declaration.columns[index]!.name;
    if (name !== key) renamed = true;
    out[name] = v;
  }
  for (const c of declaration.columns) {
    const v = out[c.name];
    if (v === undefined || v === null || v === '') {
      if (c.required) return { ok: false, reason: `required field ${c.name} is missing`, notJson: false };
      continue;
    }
    const check = checkFor(c.type);
    if (check && (typeof v === 'object' || !check(String(v).trim())))
      return {
        ok: false,
        reason: `${c.name} ${JSON.stringify(v).slice(0, 40)} is not a ${c.type}`,
        notJson: false,
      };
  }
  return { ok: true, line: renamed ? JSON.stringify(out) : line, value: out, renamed };
}

/** `dt=YYYY-MM-DD/hr=HH` (UTC) of a time. */
export function hourPartition(time: Date): { dt: string; hr: string } {
  const iso = time.toISOString();
  return { dt: iso.slice(0, 10), hr: iso.slice(11, 13) };
}

/** The partition of an event-time value (ISO text, `2024-1-5 7:03`, or epoch seconds/ms); null when unparseable. */
export function eventTimePartition(value: unknown): { dt: string; hr: string } | null {
  if (value === null || value === undefined || value === '') return null;
  const text = String(value).trim();
  let ms: number;
  if (EPOCH.test(text)) ms = text.length <= 10 ? Number(text) * 1000 : Number(text);
  else {
    const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?/.exec(text);
    if (!m) return null;
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
    if (hasZone) ms = Date.parse(text.replace(' ', 'T'));
    else
      ms = Date.UTC(
        Number(m[1]),
        Number(m[2]) - 1,
        Number(m[3]),
        Number(m[4] ?? 0),
        Number(m[5] ?? 0),
        Number(m[6] ?? 0),
      );
  }
  if (!Number.isFinite(ms)) return null;
  return hourPartition(new Date(ms));
}
