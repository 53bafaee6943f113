/**
 * Where the stream ingestor writes, all under the declaration's lakePath:
 *
 *   <lake>/dt=2024-05-01/hr=13/<topic>+<partition>+<start>+<end>.jsonl    data (Hive reads these)
 *   <lake>/_qdbt_stream/tmp/<topic>+<partition>+<start>+<end>+<n>.tmp       files being written
 *   <lake>/_qdbt_stream/offsets/<topic>/<partition>/<start>-<end>.pending   a range being landed: the files it renames into place
 *   <lake>/_qdbt_stream/offsets/<topic>/<partition>/<start>-<end>.done      a range landed: the commit marker
 *   <lake>/_dead_letter/<topic>+<partition>+<start>+<end>.jsonl             rejected events of the range
 *
 * Offsets are zero-padded to 20 digits so names sort as numbers. Hive skips `_`-prefixed folders,
 * and only registered dt/hr partitions are read, so the control folders never show up in queries.
 */

export const OFFSET_DIGITS = 20;

export function padOffset(offset: number | bigint | string): string {
  return String(offset).padStart(OFFSET_DIGITS, '0');
}

export interface RangeId {
  topic: string;
  partition: number;
  /** First and last offset of the range, inclusive. */
  start: number;
  end: number;
}

export interface StreamPaths {
  lakePath: string;
  controlDir: string;
  tmpDir: string;
  offsetsRoot: string;
  deadLetterDir: string;
}

export function streamPaths(lakePath: string, deadLetterDir?: string): StreamPaths {
  const lake = lakePath.replace(/\/+$/, '');
  return {
    lakePath: lake,
    controlDir: `${lake}/_qdbt_stream`,
    tmpDir: `${lake}/_qdbt_stream/tmp`,
    offsetsRoot: `${lake}/_qdbt_stream/offsets`,
    deadLetterDir: (deadLetterDir ?? `${lake}/_dead_letter`).replace(/\/+$/, ''),
  };
}

/** `<topic>+<partition>+<start>+<end>` — the stem every file of a range carries. */
export function rangeStem(range: RangeId): string {
  return `${range.topic}+${range.partition}+${padOffset(range.start)}+${padOffset(range.end)}`;
}

export function dataFileName(range: RangeId, extension = 'jsonl'): string {
  return `${rangeStem(range)}.${extension}`;
}

const DATA_FILE = /^(.+)\+(\d+)\+(\d{1,20})\+(\d{1,20})(?:\.[a-z0-9]+)+$/;

/** Parses a data or dead-letter file name back into its range; null for anything else. */
export function parseDataFileName(name: string): RangeId | null {
  const m = DATA_FILE.exec(name);
  if (!m) return null;
  return { topic: m[1]!, partition: Number(m[2]), start: Number(m[3]), end: Number(m[4]) };
}

export function dataFilePath(
  paths: StreamPaths,
  partitionFolder: string,
  range: RangeId,
  extension = 'jsonl',
): string {
  return `${paths.lakePath}/${partitionFolder}/${dataFileName(range, extension)}`;
}

export function deadLetterPath(paths: StreamPaths, range: RangeId): string {
  return `${paths.deadLetterDir}/${dataFileName(range)}`;
}

export function tmpFilePath(paths: StreamPaths, range: RangeId, index: number): string {
  return `${paths.tmpDir}/${rangeStem(range)}+${index}.tmp`;
}

/** Prefix of every temp file of one Kafka partition (for cleanup after a crash). */
export function tmpPrefix(topic: string, partition: number): string {
  return `${topic}+${partition}+`;
}

export function offsetsDir(paths: StreamPaths, topic: string, partition: number): string {
  return `${paths.offsetsRoot}/${topic}/${partition}`;
}

export function markerName(range: Pick<RangeId, 'start' | 'end'>, state: 'pending' | 'done'): string {
  return `${padOffset(range.start)}-${padOffset(range.end)}.${state}`;
}

const MARKER = /^(\d{1,20})-(\d{1,20})\.(pending|done)$/;

export function parseMarkerName(
  name: string,
): { start: number; end: number; state: 'pending' | 'done' } | null {
  const m = MARKER.exec(name);
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), state: m[3] as 'pending' | 'done' };
}

/** `dt=2024-05-01/hr=13` -> `{dt: '2024-05-01', hr: '13'}`. */
export function partitionValuesOf(folder: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const part of folder.split('/')) {
    const eq = part.indexOf('=');
    if (eq > 0) values[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return values;
}
