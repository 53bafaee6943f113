/**
 * Event validation for stream ingestion: raw Kafka message value -> a record with the declaration's
 * canonical column names and the event-time partition it belongs to, or the reason it is rejected.
 * Pure: no I/O, so the hot path is a function call per message.
 *
 * One set of rules, two outputs: a JSON line (Hive text: timestamps as `yyyy-MM-dd HH:mm:ss.SSS`)
 * or typed values for the Parquet writer (bigint as BigInt, decimals as exact unscaled BigInts,
 * timestamps as epoch milliseconds, dates as epoch days).
 */
import type { LandingColumn, LandingDeclaration } from '../landing/types.js';

export type ColumnKind = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'date' | 'any';

interface CompiledColumn {
  name: string;
  kind: ColumnKind;
  required: boolean;
  /** decimal(p,s): at most p - s digits before the point. */
  maxIntegerDigits: number | null;
  /** decimal(p,s), for exact typed values. */
  decimal: { precision: number; scale: number } | null;
  /** tinyint, smallint, int: the range the Hive type holds (bigint: 18 digits at most). */
  range: { min: number; max: number } | null;
  /** bigint: typed values are BigInts. */
  bigint: boolean;
  /** Required string columns take strings and scalars only, never an object. */
  strict: boolean;
}

export interface EventSchema {
  columns: CompiledColumn[];
  /** Lower-cased name or alias -> column index. */
  lookup: Map<string, number>;
  /** Index of the event-time column, or -1 when partitioning uses ingestion (Kafka) time. */
  timeColumn: number;
}

export type ValidationResult = { ok: true; line: string; partition: string } | { ok: false; reason: string };
export type TypedValidationResult =
  | { ok: true; values: unknown[]; partition: string }
  | { ok: false; reason: string };

export function columnKind(type: string): ColumnKind {
  const t = type.trim().toLowerCase();
  if (/^(string|varchar|char)\b/.test(t)) return 'string';
  if (/^(tinyint|smallint|int|integer|bigint)$/.test(t)) return 'integer';
  if (/^(float|double|real|decimal|numeric)\b/.test(t)) return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'timestamp') return 'timestamp';
  if (t === 'date') return 'date';
  return 'any';
}

const INTEGER_RANGES: Record<string, { min: number; max: number }> = {
  tinyint: { min: -128, max: 127 },
  smallint: { min: -32_768, max: 32_767 },
  int: { min: -2_147_483_648, max: 2_147_483_647 },
  integer: { min: -2_147_483_648, max: 2_147_483_647 },
};

/** `decimal(p,s)`, `decimal(p)` (scale 0) or `decimal` (Hive's decimal(10,0)); null for other types. */
export function decimalType(type: string): { precision: number; scale: number } | null {
  const m = /^(?:decimal|numeric)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/i.exec(type.trim());
  if (!m) return null;
  return { precision: m[1] ? Number(m[1]) : 10, scale: m[2] ? Number(m[2]) : 0 };
}

function compileColumn(column: LandingColumn): CompiledColumn {
  const kind = columnKind(column.type);
  const type = column.type.trim().toLowerCase();
  const decimal = decimalType(type);
  const explicit = /^(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(type);
  const maxIntegerDigits = explicit ? Number(explicit[1]) - Number(explicit[2] ?? 0) : null;
  return {
    name: column.name,
    kind,
    required: column.required,
    maxIntegerDigits,
    decimal,
    range: INTEGER_RANGES[type] ?? null,
    bigint: type === 'bigint',
    strict: column.required,
  };
}

export function compileEventSchema(
  declaration: Pick<LandingDeclaration, 'columns' | 'partitioning'>,
): EventSchema {
  const columns = declaration.columns.map(compileColumn);
  const lookup = new Map<string, number>();
  declaration.columns.forEach((column, index) => {
    lookup.set(column.name.toLowerCase(), index);
    for (const alias of column.aliases)
      if (!lookup.has(alias.toLowerCase())) lookup.set(alias.toLowerCase(), index);
  });
  let timeColumn = -1;
  if (declaration.partitioning.kind === 'event_time') {
    const field = declaration.partitioning.field.toLowerCase();
    const index = lookup.get(field);
    if (index === undefined)
      throw new Error(`the event-time field '${declaration.partitioning.field}' is not a declared column`);
    timeColumn = index;
  }
  return { columns, lookup, timeColumn };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** `yyyy-MM-dd HH:mm:ss.SSS` in UTC: the form Hive's JSON SerDe reads as a timestamp. */
export function hiveTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(
    d.getUTCHours(),
  )}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`;
}

/** `dt=YYYY-MM-DD/hr=HH` (UTC) of an instant: the staging table's partition folder. */
export function hourPartition(ms: number): string {
  const d = new Date(ms);
  return `dt=${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}/hr=${pad2(d.getUTCHours())}`;
}

const ISO_MS_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31);
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** An event time: epoch milliseconds (number or digits) or ISO 8601 text (no zone means UTC). */
export function parseTime(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d{10,16}$/.test(text)) ms = Number(text);
    else {
      if (!ISO_LIKE.test(text)) return null;
      let iso = text.replace(' ', 'T');
      if (iso.length === 10) iso += 'T00:00:00Z';
      else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
      ms = Date.parse(iso);
    }
  } else return null;
  if (!Number.isFinite(ms) || ms < MIN_TIME || ms > MAX_TIME) return null;
  return Math.trunc(ms);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * The unscaled value of a decimal text at `scale` (`12.345` at scale 2 is 1235n), rounded half away
 * from zero as Hive does; null when it is no number or needs more than `precision` digits.
 */
export function decimalUnscaled(text: string, precision: number, scale: number): bigint | null {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!m || (!m[2] && !m[3])) return null;
  const whole = m[2] ?? '';
  const all = whole + (m[3] ?? '');
  const significant = all.replace(/^0+/, '');
  if (!significant) return 0n;
  // The point sits after `point` digits of `significant` (negative: zeros before them).
  const point = whole.length - (all.length - significant.length) + Number(m[4] ?? 0);
  if (point > precision - scale) return null;
  const keep = point + scale;
  let unscaled = 0n;
  let up = false;
  if (keep >= significant.length) unscaled = BigInt(significant + '0'.repeat(keep - significant.length));
  else if (keep > 0) {
    unscaled = BigInt(significant.slice(0, keep));
    up = significant.charCodeAt(keep) >= 53; // '5'
  } else up = keep === 0 && significant.charCodeAt(0) >= 53;
  if (up) unscaled += 1n;
  if (unscaled >= 10n ** BigInt(precision)) return null;
  return m[1] === '-' ? -unscaled : unscaled;
}

const DAY_MS = 86_400_000;

/**
 * Converts one value to what the column holds (typed: what the Parquet writer takes), or returns an
 * error text.
 */
function convert(column: CompiledColumn, value: unknown, typed: boolean): { value: unknown } | string {
  switch (column.kind) {
    case 'string':
      if (typeof value === 'string') return { value };
      if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
      // A nested object or array in a string column (e.g. `metadata`) is kept as its JSON text.
      if (typeof value === 'object' && !column.strict) return { value: JSON.stringify(value) };
      return `'${column.name}' must be a string, not ${describe(value)}`;
    case 'integer': {
      let n: number | string;
      if (typeof value === 'number' && Number.isSafeInteger(value)) n = value;
      else if (typeof value === 'string' && /^-?\d{1,18}$/.test(value.trim())) {
        const parsed = Number(value.trim());
        n = Number.isSafeInteger(parsed) ? parsed : value.trim();
      } else return `'${column.name}' must be a whole number, not ${describe(value)}`;
      const range = column.range;
      if (range && (typeof n === 'string' || n < range.min || n > range.max))
        return `'${column.name}' ${n} is out of the column's range (${range.min} to ${range.max})`;
      return { value: typed && column.bigint ? BigInt(n) : n };
    }
    case 'number': {
      let n: number | null = null;
      if (typeof value === 'number' && Number.isFinite(value)) n = value;
      else if (typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim()))
        n = Number(value.trim());
      if (n === null || !Number.isFinite(n))
        return `'${column.name}' must be a number, not ${describe(value)}`;
      if (column.maxIntegerDigits !== null && Math.abs(n) >= 10 ** column.maxIntegerDigits)
        return `'${column.name}' ${n} does not fit the column's decimal type`;
      if (typed && column.decimal) {
        // From the text as sent, not the double: decimals stay exact.
        const text = typeof value === 'string' ? value : String(value);
        const unscaled = decimalUnscaled(text, column.decimal.precision, column.decimal.scale);
        if (unscaled === null)
          return `'${column.name}' ${text.trim()} does not fit the column's decimal type`;
        return { value: unscaled };
      }
      return { value: n };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return `'${column.name}' must be true or false, not ${describe(value)}`;
    case 'timestamp': {
      // Fast path for what apps usually send, `2024-05-01T13:45:10.250Z`: no Date formatting.
      if (typeof value === 'string' && value.length === 24 && ISO_MS_UTC.test(value)) {
        const ms = Date.parse(value);
        if (!Number.isNaN(ms)) return { value: typed ? ms : `${value.slice(0, 10)} ${value.slice(11, 23)}` };
      }
      const ms = parseTime(value);
      if (ms === null) return `'${column.name}' is not a timestamp: ${describe(value)}`;
      return { value: typed ? ms : hiveTimestamp(ms) };
    }
    case 'date':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
        const ms = Date.parse(value);
        if (!Number.isNaN(ms)) return { value: typed ? Math.floor(ms / DAY_MS) : value };
      }
      return `'${column.name}' must be a date YYYY-MM-DD, not ${describe(value)}`;
    case 'any':
      return { value };
  }
}

/** The converted values (declared order) and the hour folder of one message, or why it is rejected. */
function checkEvent(
  schema: EventSchema,
  raw: Buffer | string | null,
  fallbackTimeMs: number,
  typed: boolean,
): { values: unknown[]; partition: string } | string {
  if (raw === null || raw.length === 0) return 'empty message';
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return `not a JSON object: ${describe(parsed)}`;
  const values: unknown[] = new Array(schema.columns.length);
  for (const key in parsed) {
    const index = schema.lookup.get(key) ?? schema.lookup.get(key.toLowerCase());
    if (index === undefined || values[index] !== undefined) continue;
    values[index] = (parsed as Record<string, unknown>)[key];
  }
  let partition: string | null = null;
  for (let i = 0; i < schema.columns.length; i++) {
    const column = schema.columns[i]!;
    const value = values[i];
    if (value === undefined || value === null) {
      if (column.required) return `missing required field '${column.name}'`;
      values[i] = null;
      continue;
    }
    const converted = convert(column, value, typed);
    if (typeof converted === 'string') return converted;
    values[i] = converted.value;
    if (i === schema.timeColumn) {
      if (column.kind === 'timestamp') {
        if (typed) partition = hourPartition(converted.value as number);
        else {
          // The Hive text `YYYY-MM-DD HH:mm:ss.SSS` is UTC already: its folder is a slice of it.
          const text = converted.value as string;
          partition = `dt=${text.slice(0, 10)}/hr=${text.slice(11, 13)}`;
        }
      } else {
        const ms = parseTime(value);
        if (ms === null) return `'${column.name}' is not a time: ${describe(value)}`;
        partition = hourPartition(ms);
      }
    }
  }
  if (schema.timeColumn >= 0 && values[schema.timeColumn] === null)
    return `missing event time '${schema.columns[schema.timeColumn]!.name}'`;
  return { values, partition: partition ?? hourPartition(fallbackTimeMs) };
}

/**
 * Validates one message value into a JSON line. `fallbackTimeMs` (the Kafka message timestamp)
 * places events when the declaration partitions by ingestion time: deterministic across replays,
 * unlike the clock.
 */
export function validateEvent(
  schema: EventSchema,
  raw: Buffer | string | null,
  fallbackTimeMs: number,
): ValidationResult {
  const checked = checkEvent(schema, raw, fallbackTimeMs, false);
  if (typeof checked === 'string') return { ok: false, reason: checked };
  const record: Record<string, unknown> = {};
  for (let i = 0; i < schema.columns.length; i++) record[schema.columns[i]!.name] = checked.values[i];
  return { ok: true, line: JSON.stringify(record), partition: checked.partition };
}

/** Validates one message value into typed values in declared order (for Parquet), same rules. */
export function validateEventValues(
  schema: EventSchema,
  raw: Buffer | string | null,
  fallbackTimeMs: number,
): TypedValidationResult {
  const checked = checkEvent(schema, raw, fallbackTimeMs, true);
  if (typeof checked === 'string') return { ok: false, reason: checked };
  return { ok: true, values: checked.values, partition: checked.partition };
}
