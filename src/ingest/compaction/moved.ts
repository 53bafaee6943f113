/**
 * Moved markers: when compaction points a partition at a new folder, it leaves `_qdbt_moved` in the
 * folder the partition left, naming the new one. A writer that still holds the old folder (the
 * stream ingestor caches each partition's folder) follows the markers to where the partition is now,
 * and crash recovery follows them to find files that were moved after they were written.
 *
 * Hive skips `_`-prefixed files, and the old folder is no partition's location any more anyway.
 */
import type { WebHdfsClient } from '../hdfs/webhdfs.js';

export const MOVED_MARKER = '_qdbt_moved';

export interface MovedMarker {
  /** The folder the partition moved to (a path, no scheme). */
  location: string;
  at: string;
}

export function movedMarkerBody(location: string, at = new Date()): string {
  const body: MovedMarker = { location, at: at.toISOString() };
  return `${JSON.stringify(body)}\n`;
}

export function parseMovedMarker(text: string): string | null {
  try {
    const body = JSON.parse(text) as Partial<MovedMarker>;
    return typeof body.location === 'string' && body.location.startsWith('/')
      ? body.location.replace(/\/+$/, '')
      : null;
  } catch {
    return null;
  }
}

/** The HDFS calls following markers needs (a test fake fits). */
export type MoveReader = Pick<WebHdfsClient, 'status' | 'read'>;

/**
 * `dir`, then every folder the markers lead to, the partition's current folder last. A loop (never
 * written by compaction) stops the walk.
 */
export async function followMoves(client: MoveReader, dir: string, maxHops = 100): Promise<string[]> {
  const chain = [dir.replace(/\/+$/, '')];
  const seen = new Set(chain);
  for (let hop = 0; hop < maxHops; hop++) {
    const marker = `${chain[chain.length - 1]}/${MOVED_MARKER}`;
    if (!(await client.status(marker))) break;
    const next = parseMovedMarker((await client.read(marker)).toString('utf8'));
    if (!next || seen.has(next)) break;
    chain.push(next);
    seen.add(next);
  }
  return chain;
}
