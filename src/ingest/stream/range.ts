/**
 * The open range of one Kafka partition: consecutive messages buffered in memory, grouped by the
 * event-hour folder they belong to, plus the rejected ones. A range is landed as a whole (all its
 * files, then its marker) and only then committed, and its roll policy decides when.
 */
import type { RangeId } from './paths.js';

export interface RollPolicy {
  /** Roll when the range holds this many bytes of output. */
  maxBytes: number;
  /** Roll when the range holds this many messages (good and bad). */
  maxRecords: number;
  /** Roll when the range's first message arrived this long ago. */
  maxAgeMs: number;
}

export const DEFAULT_ROLL_POLICY: RollPolicy = {
  maxBytes: 64 * 1024 * 1024,
  maxRecords: 200_000,
  maxAgeMs: 30_000,
};

export type RollReason = 'size' | 'records' | 'age' | 'shutdown';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  reason: string;
  value: string | null;
}

/**
 * The rows of one event-hour folder of an open range, encoded as its data file when the range lands.
 * JSON lines (LineBuffer) or Parquet (parquet.ts).
 */
export interface FolderRows<Row> {
  /** Appends one row; returns the bytes it adds (what the size roll counts). */
  add(row: Row): number;
  /** The data file's bytes. */
  toBuffer(): Buffer;
}

/**
 * JSON lines appended into 1 MiB buffers: the lines of an open range live for seconds, and as
 * strings they would survive into the old generation and cost full garbage collections.
 */
export class LineBuffer implements FolderRows<string> {
  private readonly chunks: Buffer[] = [];
  private current: Buffer = Buffer.allocUnsafe(0);
  private pos = 0;
  lines = 0;
  bytes = 0;

  /** Appends one line (and its newline); returns the bytes written. */
  add(line: string): number {
    const room = line.length * 3 + 1;
    if (this.pos + room > this.current.length) {
      if (this.pos > 0) this.chunks.push(this.current.subarray(0, this.pos));
      this.current = Buffer.allocUnsafe(Math.max(1024 * 1024, room));
      this.pos = 0;
    }
    const written = this.current.write(line, this.pos, 'utf8') + 1;
    this.current[this.pos + written - 1] = 10;
    this.pos += written;
    this.lines++;
    this.bytes += written;
    return written;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.pos > 0 ? [...this.chunks, this.current.subarray(0, this.pos)] : this.chunks);
  }
}

const newLineBuffer = (): LineBuffer => new LineBuffer();

export class OpenRange<Row = string> {
  start = -1;
  end = -1;
  records = 0;
  good = 0;
  bytes = 0;
  openedAt = 0;
  /** `dt=.../hr=..` -> its rows. */
  readonly folders = new Map<string, FolderRows<Row>>();
  readonly dead: string[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** A folder's row buffer: JSON lines unless given. */
    private readonly newFolder: () => FolderRows<Row> = newLineBuffer as unknown as () => FolderRows<Row>,
  ) {}

  get empty(): boolean {
    return this.records === 0;
  }

  get id(): RangeId {
    return { topic: this.topic, partition: this.partition, start: this.start, end: this.end };
  }

  private take(offset: number, now: number): void {
    if (this.records === 0) {
      this.start = offset;
      this.openedAt = now;
    }
    this.end = offset;
    this.records++;
  }

  addGood(offset: number, folder: string, row: Row, now: number): void {
    this.take(offset, now);
    let rows = this.folders.get(folder);
    if (!rows) this.folders.set(folder, (rows = this.newFolder()));
    this.bytes += rows.add(row);
    this.good++;
  }

  addDead(offset: number, letter: DeadLetter, now: number): void {
    this.take(offset, now);
    const line = JSON.stringify(letter);
    this.dead.push(line);
    this.bytes += line.length + 1;
  }
}

/** Whether a range should be landed now, and why. */
export function rollReason(range: OpenRange<unknown>, policy: RollPolicy, now: number): RollReason | null {
  if (range.empty) return null;
  if (range.bytes >= policy.maxBytes) return 'size';
  if (range.records >= policy.maxRecords) return 'records';
  if (now - range.openedAt >= policy.maxAgeMs) return 'age';
  return null;
}

/** JSON lines text of a list of lines. */
export function linesText(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
