/**
 * Recovery planning for one Kafka partition, from a listing of its markers and of the temp folder.
 * Pure: the lake client lists and deletes, this decides.
 *
 * The lake is the source of truth for offsets. A range is landed as: temp files, a `.pending`
 * marker naming the final files, renames into place, then the `.pending` renamed to `.done` (the
 * atomic commit point), then the Kafka commit. So after any crash:
 * - `.done` ranges are landed; the highest end + 1 is where consumption resumes (or the committed
 *   Kafka offset, if it is further on);
 * - a `.pending` without its `.done` is a range cut short: its files (some may already be in place)
 *   are deleted, then the marker; the range is consumed again from Kafka and landed anew;
 * - temp files of the partition are leftovers and are deleted.
 */
import { parseMarkerName, tmpPrefix } from './paths.js';

export interface RecoveryPlan {
  /** End offset of the last landed range, or -1 when none. */
  lastLandedEnd: number;
  /** `.pending` markers to undo (read each for its file list, delete those files, then the marker). */
  pendingToUndo: string[];
  /** `.pending` markers whose range has a `.done`: only the marker goes. */
  pendingToDrop: string[];
  /** Old `.done` markers beyond the ones kept (they are no longer needed for recovery). */
  doneToPrune: string[];
  /** Temp files of this partition. */
  tmpToDelete: string[];
}

/** Where consumption resumes: after the lake's last landed range, or the committed offset if further. */
export function resumeOffset(lastLandedEnd: number, committed: number | null): number | null {
  const fromLake = lastLandedEnd >= 0 ? lastLandedEnd + 1 : null;
  if (fromLake === null) return committed;
  if (committed === null) return fromLake;
  return Math.max(fromLake, committed);
}

export function planRecovery(
  markerNames: string[],
  tmpNames: string[],
  topic: string,
  partition: number,
  keepDone = 20,
): RecoveryPlan {
  const done: Array<{ name: string; start: number; end: number }> = [];
  const pending: Array<{ name: string; start: number; end: number }> = [];
  for (const name of markerNames) {
    const marker = parseMarkerName(name);
    if (!marker) continue;
    (marker.state === 'done' ? done : pending).push({ name, start: marker.start, end: marker.end });
  }
  done.sort((a, b) => a.end - b.end);
  const doneKeys = new Set(done.map((d) => `${d.start}-${d.end}`));
  const lastLandedEnd = done.length > 0 ? done[done.length - 1]!.end : -1;
  const pendingToUndo: string[] = [];
  const pendingToDrop: string[] = [];
  for (const p of pending) (doneKeys.has(`${p.start}-${p.end}`) ? pendingToDrop : pendingToUndo).push(p.name);
  const prefix = tmpPrefix(topic, partition);
  return {
    lastLandedEnd,
    pendingToUndo: pendingToUndo.sort(),
    pendingToDrop: pendingToDrop.sort(),
    doneToPrune: done.slice(0, Math.max(0, done.length - keepDone)).map((d) => d.name),
    tmpToDelete: tmpNames.filter((n) => n.startsWith(prefix)).sort(),
  };
}

/** What a `.pending` / `.done` marker holds. */
export interface MarkerBody {
  topic: string;
  partition: number;
  start: number;
  end: number;
  records: number;
  good: number;
  dead: number;
  /** Final paths of every file of the range (data and dead letters). */
  files: string[];
  /** Temp paths, in the same order. */
  tmp: string[];
  writtenAt: string;
}

export function parseMarkerBody(text: string): MarkerBody | null {
  try {
    const body = JSON.parse(text) as Partial<MarkerBody>;
    if (!Array.isArray(body.files)) return null;
    return { ...body, files: body.files, tmp: Array.isArray(body.tmp) ? body.tmp : [] } as MarkerBody;
  } catch {
    return null;
  }
}
