/**
 * A small `modules.datetime` (datetime, date, timedelta) and the `run_started_at` value: enough for
 * the date arithmetic and formatting dbt projects do in templates. Everything is UTC: `now()` is
 * the current UTC time, so renders do not depend on the machine's time zone.
 */
import { bindArgs, splitArgs } from './args.js';
import { TemplateValueError } from './python.js';

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const MS_PER_DAY = 86_400_000;

const p2 = (n: number): string => String(n).padStart(2, '0');

export class PyTimedelta {
  /** Whole milliseconds. */
  constructor(readonly ms: number) {}
  get days(): number {
    return Math.floor(this.ms / MS_PER_DAY);
  }
  get seconds(): number {
    return Math.floor((this.ms - this.days * MS_PER_DAY) / 1000);
  }
  get microseconds(): number {
    return (this.ms % 1000) * 1000;
  }
  total_seconds(): number {
    return this.ms / 1000;
  }
  valueOf(): number {
    return this.ms;
  }
  toString(): string {
    const days = this.days;
    let rest = this.ms - days * MS_PER_DAY;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    const ms = rest - s * 1000;
    const time = `${h}:${p2(m)}:${p2(s)}${ms ? '.' + String(ms * 1000).padStart(6, '0') : ''}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${time}` : time;
  }
}

export class PyDateTime {
  constructor(
    readonly ms: number,
    readonly aware: boolean,
  ) {}
  private get d(): Date {
    return new Date(this.ms);
  }
  get year(): number {
    return this.d.getUTCFullYear();
  }
  get month(): number {
    return this.d.getUTCMonth() + 1;
  }
  get day(): number {
    return this.d.getUTCDate();
  }
  get hour(): number {
    return this.d.getUTCHours();
  }
  get minute(): number {
    return this.d.getUTCMinutes();
  }
  get second(): number {
    return this.d.getUTCSeconds();
  }
  get microsecond(): number {
    return this.d.getUTCMilliseconds() * 1000;
  }
  date(): PyDate {
    return new PyDate(Math.floor(this.ms / MS_PER_DAY) * MS_PER_DAY);
  }
  weekday(): number {
    return (this.d.getUTCDay() + 6) % 7;
  }
  isoweekday(): number {
    return this.weekday() + 1;
  }
  timestamp(): number {
    return this.ms / 1000;
  }
  strftime(format: unknown): string {
    return strftime(this, String(format));
  }
  isoformat(...args: unknown[]): string {
    const { sep } = bindArgs(args, ['sep'], { sep: 'T' });
    return this.render(String(sep));
  }
  replace(...args: unknown[]): PyDateTime {
    const kw = splitArgs(args).keywords;
    const n = (k: string, v: number): number => (k in kw ? Number(kw[k]) : v);
    const ms = Date.UTC(
      n('year', this.year),
      n('month', this.month) - 1,
      n('day', this.day),
      n('hour', this.hour),
      n('minute', this.minute),
      n('second', this.second),
      Math.floor(n('microsecond', this.microsecond) / 1000),
    );
    return new PyDateTime(ms, this.aware);
  }
  valueOf(): number {
    return this.ms;
  }
  private render(sep: string): string {
    const us = this.microsecond;
    return (
      `${this.date().isoformat()}${sep}${p2(this.hour)}:${p2(this.minute)}:${p2(this.second)}` +
      (us ? '.' + String(us).padStart(6, '0') : '') +
      (this.aware ? '+00:00' : '')
    );
  }
  toString(): string {
    return this.render(' ');
  }
  toJSON(): string {
    return this.isoformat();
  }
}

export class PyDate {
  constructor(readonly ms: number) {}
  get year(): number {
    return new Date(this.ms).getUTCFullYear();
  }
  get month(): number {
    return new Date(this.ms).getUTCMonth() + 1;
  }
  get day(): number {
    return new Date(this.ms).getUTCDate();
  }
  weekday(): number {
    return (new Date(this.ms).getUTCDay() + 6) % 7;
  }
  isoweekday(): number {
    return this.weekday() + 1;
  }
  strftime(format: unknown): string {
    return strftime(new PyDateTime(this.ms, false), String(format));
  }
  isoformat(): string {
    return `${String(this.year).padStart(4, '0')}-${p2(this.month)}-${p2(this.day)}`;
  }
  valueOf(): number {
    return this.ms;
  }
  toString(): string {
    return this.isoformat();
  }
  toJSON(): string {
    return this.isoformat();
  }
}

function strftime(dt: PyDateTime, format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y':
        return String(dt.year).padStart(4, '0');
      case 'y':
        return p2(dt.year % 100);
      case 'm':
        return p2(dt.month);
      case 'd':
        return p2(dt.day);
      case 'H':
        return p2(dt.hour);
      case 'I':
        return p2(dt.hour % 12 || 12);
      case 'p':
        return dt.hour < 12 ? 'AM' : 'PM';
      case 'M':
        return p2(dt.minute);
      case 'S':
        return p2(dt.second);
      case 'f':
        return String(dt.microsecond).padStart(6, '0');
      case 'j': {
        const start = Date.UTC(dt.year, 0, 1);
        return String(Math.floor((dt.ms - start) / MS_PER_DAY) + 1).padStart(3, '0');
      }
      case 'a':
        return DAY_NAMES[dt.weekday()]!.slice(0, 3);
      case 'A':
        return DAY_NAMES[dt.weekday()]!;
      case 'b':
        return MONTH_NAMES[dt.month - 1]!.slice(0, 3);
      case 'B':
        return MONTH_NAMES[dt.month - 1]!;
      case 'w':
        return String((dt.weekday() + 1) % 7);
      case 'z':
        return dt.aware ? '+0000' : '';
      case 'Z':
        return dt.aware ? 'UTC' : '';
      case 's':
        return String(Math.floor(dt.ms / 1000));
      case '%':
        return '%';
      default:
        return m;
    }
  });
}

export function isDateLike(v: unknown): v is PyDateTime | PyDate | PyTimedelta {
  return v instanceof PyDateTime || v instanceof PyDate || v instanceof PyTimedelta;
}

export function dateAdd(a: unknown, b: unknown): unknown {
  if (a instanceof PyTimedelta && !(b instanceof PyTimedelta)) return dateAdd(b, a);
  if (b instanceof PyTimedelta) {
    if (a instanceof PyDateTime) return new PyDateTime(a.ms + b.ms, a.aware);
    if (a instanceof PyDate) return new PyDate(a.ms + Math.floor(b.ms / MS_PER_DAY) * MS_PER_DAY);
    if (a instanceof PyTimedelta) return new PyTimedelta(a.ms + b.ms);
  }
  throw new TemplateValueError('TypeError: unsupported operand type(s) for +');
}

export function dateSub(a: unknown, b: unknown): unknown {
  if (b instanceof PyTimedelta) return dateAdd(a, new PyTimedelta(-b.ms));
  if ((a instanceof PyDateTime && b instanceof PyDateTime) || (a instanceof PyDate && b instanceof PyDate)) {
    return new PyTimedelta(a.ms - b.ms);
  }
  throw new TemplateValueError('TypeError: unsupported operand type(s) for -');
}

function timedelta(...args: unknown[]): PyTimedelta {
  const a = bindArgs(args, ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks']);
  const n = (k: string): number => Number(a[k] ?? 0);
  const ms =
    n('days') * MS_PER_DAY +
    n('seconds') * 1000 +
    n('microseconds') / 1000 +
    n('milliseconds') +
    n('minutes') * 60_000 +
    n('hours') * 3_600_000 +
    n('weeks') * 7 * MS_PER_DAY;
  return new PyTimedelta(Math.round(ms));
}

function parseIso(text: string): PyDateTime {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (!m) throw new TemplateValueError(`ValueError: Invalid isoformat string: '${text}'`);
  const frac = m[7] ? Number(m[7].padEnd(6, '0')) / 1000 : 0;
  let ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Math.floor(frac),
  );
  const tz = m[8];
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new PyDateTime(ms, tz !== undefined);
}

function makeDatetime(...args: unknown[]): PyDateTime {
  const a = bindArgs(args, ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond']);
  const n = (k: string, d = 0): number => Number(a[k] ?? d);
  return new PyDateTime(
    Date.UTC(
      n('year'),
      n('month', 1) - 1,
      n('day', 1),
      n('hour'),
      n('minute'),
      n('second'),
      Math.floor(n('microsecond') / 1000),
    ),
    false,
  );
}

export function createDatetimeModule(now: () => number = Date.now): Record<string, unknown> {
  const datetime = Object.assign(makeDatetime, {
    now: () => new PyDateTime(now(), false),
    utcnow: () => new PyDateTime(now(), false),
    today: () => new PyDateTime(now(), false),
    fromisoformat: (text: unknown) => parseIso(String(text)),
    fromtimestamp: (seconds: unknown) => new PyDateTime(Number(seconds) * 1000, false),
  });
  const date = Object.assign(
    (...args: unknown[]) => {
      const a = bindArgs(args, ['year', 'month', 'day']);
      return new PyDate(Date.UTC(Number(a.year), Number(a.month) - 1, Number(a.day)));
    },
    {
      today: () => new PyDateTime(now(), false).date(),
      fromisoformat: (text: unknown) => parseIso(String(text)).date(),
    },
  );
  return { datetime, date, timedelta, timezone: { utc: 'UTC' } };
}

/** dbt's run_started_at: a UTC, time-zone-aware datetime. */
export function pyDatetimeFrom(date: Date): PyDateTime {
  return new PyDateTime(date.getTime(), true);
}
