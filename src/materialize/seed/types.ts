/**
 * Seed column types: inferred from the values (every non-empty value must fit) or set with
 * `column_types`. Empty values are NULL. Pure.
 */
export type InferredType = 'boolean' | 'bigint' | 'decimal' | 'double' | 'date' | 'timestamp' | 'string';

const INTEGER = /^[+-]?\d+$/;
const FIXED = /^[+-]?(\d+\.\d*|\.\d+|\d+)$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?$/;
const BIGINT_MAX = 9223372036854775807n;

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

function isInteger(v: string): boolean {
  if (!INTEGER.test(v)) return false;
  const big = BigInt(v);
  return big <= BIGINT_MAX && big >= -BIGINT_MAX - 1n;
}

function digitsOf(v: string): { int: number; scale: number } {
  const unsigned = v.replace(/^[+-]/, '');
  const [intPart = '', frac = ''] = unsigned.split('.');
  return { int: intPart.replace(/^0+/, '').length, scale: frac.length };
}

/** The Hive type for a column's values. */
export function inferType(values: string[]): string {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'string';
  if (present.every((v) => /^(true|false)$/i.test(v))) return 'boolean';
  if (present.some(leadingZero)) return dateOrTimestamp(present);
  if (present.every(isInteger)) return 'bigint';
  if (present.every((v) => FIXED.test(v))) {
    let int = 0;
    let scale = 0;
    for (const v of present) {
      const d = digitsOf(v);
      int = Math.max(int, d.int);
      scale = Math.max(scale, d.scale);
    }
    const precision = Math.max(int + scale, 1);
    if (precision <= 38) return `decimal(${precision},${scale})`;
    return 'double';
  }
  if (present.every((v) => FLOAT.test(v))) return 'double';
  return dateOrTimestamp(present);
}

/** `007` is an identifier, not a number: keep its zeros. */
function leadingZero(v: string): boolean {
  return /^[+-]?0\d/.test(v);
}

function dateOrTimestamp(present: string[]): string {
  const valid = (re: RegExp, v: string): boolean => {
    const m = re.exec(v);
    return m !== null && validDate(m[1]!, m[2]!, m[3]!);
  };
  if (present.every((v) => valid(DATE, v))) return 'date';
  if (present.every((v) => valid(TIMESTAMP, v))) return 'timestamp';
  return 'string';
}

/** A value as the staging file carries it for a column of this type (`T` timestamps get a space). */
export function normalizeValue(value: string, type: string): string {
  if (type.toLowerCase() === 'timestamp') {
    const m = TIMESTAMP.exec(value);
    if (m) return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[7] ?? '00'}${m[8] ?? ''}`;
  }
  return value;
}
