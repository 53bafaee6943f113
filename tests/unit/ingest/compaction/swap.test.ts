/**
 * Compaction's swap on an in-memory HDFS and a recording metastore: the replaced files kept for
 * queries that started before the swap and deleted by a later run once `retainSupersededMs` is
 * over; a crash at every step (and a second crash during the recovery) ends in the same state, and
 * nothing the table reads is deleted.
 */
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  oldFolderPlan,
  parseDuration,
  parseSupersededRecord,
  supersededDue,
  SUPERSEDED,
} from '../../../../src/ingest/compaction/index.js';
import { tableName } from '../../../../src/ingest/register/ddl.js';
import { Crash } from './fakes.js';
import { declaration, H13, lake, world } from './world.js';

const HOUR = 3_600_000;

describe('superseded files', () => {
  it('are kept at the swap, with a record, and deleted by a later run once the retention is over', async () => {
    const w = world();
    const before = w.rows(H13);
    const inputs = w.hdfs.names(`${lake}/${H13}`);
    const [r] = await w.run();
    expect(r).toMatchObject({ status: 'compacted', filesBefore: 6, filesAfter: 1, rows: 60 });
    expect(r!.superseded).toBe(`${lake}/${H13}`);
    expect(r!.supersededPurged).toBeUndefined();
    // One metastore update, to the new folder; nothing deleted.
    const alters = w.hive.statements.filter((s) => s.startsWith('ALTER'));
    expect(alters).toEqual([
      `ALTER TABLE ${tableName(declaration)} PARTITION (\`dt\` = '2024-05-01', \`hr\` = '13') SET LOCATION 'hdfs://nn:8020${r!.location}'`,
    ]);
    expect(w.hdfs.changes.filter((c) => c.startsWith('DELETE'))).toEqual([]);
    expect(w.hive.folder(H13)).toMatch(/\/_compacted\/dt=2024-05-01\/hr=13\/g20240501200000$/);
    expect(w.rows(H13)).toEqual(before);
    // The old folder: the replaced files where they were, their record, the marker.
    expect(w.hdfs.names(`${lake}/${H13}`)).toEqual([...inputs, '_qdbt_moved', SUPERSEDED].sort());
    const record = parseSupersededRecord(w.hdfs.text(`${lake}/${H13}/${SUPERSEDED}`))!;
    expect(record).toEqual({
      location: r!.location,
      superseded_at: '2024-05-01T20:00:00.000Z',
      files: inputs,
    });

    // Within the retention: kept.
    w.advance(HOUR - 1);
    const [again] = await w.run();
    expect(again).toMatchObject({ status: 'skipped', reason: 'already compact' });
    expect(again!.supersededPurged).toBeUndefined();
    expect(w.hdfs.names(`${lake}/${H13}`)).toHaveLength(8);
    // A dry run deletes nothing, even when due.
    w.advance(1);
    await w.run({ dryRun: true });
    expect(w.hdfs.names(`${lake}/${H13}`)).toHaveLength(8);
    // Due: the listed files, then the record; the marker stays for late writers.
    const [purged] = await w.run();
    expect(purged!.supersededPurged).toBe(1);
    expect(w.hdfs.names(`${lake}/${H13}`)).toEqual(['_qdbt_moved']);
    expect(w.rows(H13)).toEqual(before);
    expect(w.events.some((e) => e.name === 'compaction_superseded_purged')).toBe(true);
  });

  it('--retain-superseded 0 deletes them right after the swap', async () => {
    const w = world();
    const [r] = await w.run({ retainSupersededMs: 0 });
    expect(r).toMatchObject({ status: 'compacted', supersededPurged: 1 });
    expect(r!.superseded).toBeUndefined();
    expect(w.hdfs.names(`${lake}/${H13}`)).toEqual(['_qdbt_moved']);
    // The record went last.
    const deletes = w.hdfs.changes.filter((c) => c.startsWith('DELETE'));
    expect(deletes).toHaveLength(7);
    expect(deletes.at(-1)).toBe(`DELETE ${lake}/${H13}/${SUPERSEDED}`);
  });

  it('a generation compacted again keeps its files too; both folders go once due', async () => {
    const w = world([H13], 6);
    const before = w.rows(H13);
    await w.run({ targetBytes: 1 << 20 });
    const g1 = w.hive.folder(H13);
    // A late file landed into the compacted hour (the stream follows the marker).
    w.hdfs.put(`${g1}/t+0+9999.jsonl`, '{"event_id":"late"}\n');
    w.advance(1000);
    const [second] = await w.run();
    expect(second).toMatchObject({ status: 'compacted', filesBefore: 2, rows: 61, superseded: g1 });
    expect(w.hdfs.names(g1)).toEqual(
      ['_qdbt_compaction.json', '_qdbt_moved', SUPERSEDED, 'part-00000.jsonl', 't+0+9999.jsonl'].sort(),
    );
    expect(w.rows(H13)).toEqual([...before, '{"event_id":"late"}'].sort());
    w.advance(2 * HOUR);
    const [third] = await w.run();
    expect(third!.supersededPurged).toBe(2);
    expect(w.hdfs.names(g1)).toEqual(['_qdbt_compaction.json', '_qdbt_moved']);
    expect(w.hdfs.names(`${lake}/${H13}`)).toEqual(['_qdbt_moved']);
    expect(w.rows(H13)).toEqual([...before, '{"event_id":"late"}'].sort());
  });

  it('files that arrive in the old folder after the swap move along; the replaced ones stay', async () => {
    const w = world();
    // The late file arrives right after the swap (before the old folder is left).
    w.hive.onSet = (key, location) => {
      if (key === H13 && location.includes('/_compacted/'))
        w.hdfs.put(`${lake}/${H13}/t+0+5000.jsonl`, '{"event_id":"arrived"}\n');
    };
    const [r] = await w.run();
    expect(r).toMatchObject({ status: 'compacted', lateMoved: 1, filesAfter: 2 });
    expect(w.rows(H13)).toContain('{"event_id":"arrived"}');
    expect(w.hdfs.names(`${lake}/${H13}`)).not.toContain('t+0+5000.jsonl');
    const record = parseSupersededRecord(w.hdfs.text(`${lake}/${H13}/${SUPERSEDED}`))!;
    expect(record.files).not.toContain('t+0+5000.jsonl');
    expect(record.files).toHaveLength(6);
  });
});

describe('a crash at any step', () => {
  /** Runs until one completes, a crash at `crashes[i]` in the i-th; returns the runs made. */
  async function crashing(w: ReturnType<typeof world>, crashes: number[]): Promise<number> {
    for (const [i, at] of crashes.entries()) {
      w.hdfs.crashAt = w.hdfs.changes.length + at;
      try {
        await w.run();
        w.hdfs.crashAt = Infinity;
        return i + 1;
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
      }
    }
    w.hdfs.crashAt = Infinity;
    await w.run();
    return crashes.length + 1;
  }

  /** Files the table has read (initially, or in a folder at its swap) may never be deleted unpurged. */
  function guarded(w: ReturnType<typeof world>): void {
    const read = new Set<string>();
    const snapshot = (dir: string) => {
      for (const n of w.hdfs.names(dir)) if (!/^[_.]/.test(n)) read.add(`${dir}/${n}`);
    };
    snapshot(w.hive.folder(H13));
    w.hive.onSet = (_key, location) => snapshot(location.replace(/^[a-z]+:\/\/[^/]*/i, ''));
    w.hdfs.guard = (path) => {
      const current = w.hive.folder(H13);
      if (path === current || path.startsWith(`${current}/`))
        throw new Error(`deleted ${path}, read by the table`);
      if ([...read].some((r) => r === path || r.startsWith(`${path}/`)))
        throw new Error(`deleted ${path} within its retention`);
    };
  }

  /**
   * The first compaction of a partition (from its landing folder), and a second one (from the
   * generation the first made, holding a late file too).
   */
  const scenarios = {
    first: async () => world(),
    second: async () => {
      const w = world();
      await w.run();
      const g1 = w.hive.folder(H13);
      w.hdfs.put(`${g1}/t+0+9999.jsonl`, '{"event_id":"late"}\n');
      w.advance(1000);
      return w;
    },
  };

  for (const [name, setup] of Object.entries(scenarios))
    it(`leaves a state the next run completes, deleting nothing the table reads (${name} compaction)`, async () => {
      const clean = await setup();
      const start = clean.hdfs.changes.length;
      await clean.run();
      const steps = clean.hdfs.changes.length - start;
      expect(steps).toBeGreaterThan(5);
      for (let k = 1; k <= steps; k++) {
        // A crash at step k, then (j > 0) one more crash at step j of the recovery run.
        for (let j = 0; j <= steps; j++) {
          const w = await setup();
          const source = w.hive.folder(H13);
          const before = w.rows(H13);
          const inputs = w.hdfs.names(source).filter((n) => !n.startsWith('_'));
          guarded(w);
          expect(await crashing(w, j ? [k, j] : [k])).toBeGreaterThan(1);
          // Settled: swapped once, same rows; no generation but the ones swapped in; the old folder
          // holds what the swap replaced, its record and the marker.
          const current = w.hive.folder(H13);
          expect(current).not.toBe(source);
          expect(current).toMatch(/\/_compacted\/dt=2024-05-01\/hr=13\/g/);
          expect(w.rows(H13)).toEqual(before);
          const gens = w.hdfs.names(`${lake}/_compacted/${H13}`).map((g) => `${lake}/_compacted/${H13}/${g}`);
          expect(gens).toEqual([source, current].filter((g) => g.includes('/_compacted/')).sort());
          expect(w.hdfs.names(source).sort()).toEqual(
            [
              ...inputs,
              '_qdbt_moved',
              SUPERSEDED,
              ...(name === 'second' ? ['_qdbt_compaction.json'] : []),
            ].sort(),
          );
          // Once due, a later run purges the replaced files (and nothing the table reads).
          w.hdfs.guard = (path) => {
            const now = w.hive.folder(H13);
            if (path === now || path.startsWith(`${now}/`)) throw new Error(`deleted ${path}`);
          };
          w.advance(2 * HOUR);
          const [last] = await w.run();
          expect(last!.supersededPurged).toBe(name === 'second' ? 2 : 1);
          expect(w.hdfs.names(source).filter((n) => !n.startsWith('_'))).toEqual([]);
          expect(w.hdfs.names(`${lake}/${H13}`)).toEqual(['_qdbt_moved']);
          expect(w.rows(H13)).toEqual(before);
        }
      }
    });

  it('a purge that stopped halfway is redone', async () => {
    const w = world();
    await w.run();
    w.advance(2 * HOUR);
    w.hdfs.crashAt = w.hdfs.changes.length + 3; // after two of the six files
    await expect(w.run()).rejects.toBeInstanceOf(Crash);
    expect(w.hdfs.names(`${lake}/${H13}`)).toContain(SUPERSEDED);
    w.hdfs.crashAt = Infinity;
    const [r] = await w.run();
    expect(r!.supersededPurged).toBe(1);
    expect(w.hdfs.names(`${lake}/${H13}`)).toEqual(['_qdbt_moved']);
  });

  it('the old folder of a swap made by an older qdbt (marker, files, no record) gets a record', () => {
    const listing = (names: string[]) => names.map((pathSuffix) => ({ pathSuffix, type: 'FILE' as const }));
    expect(oldFolderPlan(listing(['a', 'b', '_qdbt_moved']), ['a', 'b'])).toEqual({
      record: ['a', 'b'],
      marker: false,
      late: [],
    });
    // Swapped, nothing done in the old folder yet: record, marker; a late file to move.
    expect(oldFolderPlan(listing(['a', 'b', 'c']), ['a', 'b'])).toEqual({
      record: ['a', 'b'],
      marker: true,
      late: ['c'],
    });
    // Done, or purged: nothing.
    expect(oldFolderPlan(listing(['a', '_qdbt_moved', SUPERSEDED]), ['a', 'b'])).toEqual({
      record: null,
      marker: false,
      late: [],
    });
    expect(oldFolderPlan(listing(['_qdbt_moved']), ['a', 'b'])).toEqual({
      record: null,
      marker: false,
      late: [],
    });
  });
});

describe('durations', () => {
  it('parse and print', () => {
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h')).toBe(HOUR);
    expect(parseDuration('2d')).toBe(48 * HOUR);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
    expect(formatDuration(HOUR)).toBe('1h');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(0)).toBe('0s');
  });

  it('a record is due once its files are older than the retention', () => {
    const at = { superseded_at: '2024-05-01T20:00:00.000Z' };
    const t = Date.parse(at.superseded_at);
    expect(supersededDue(at, t + HOUR - 1, HOUR)).toBe(false);
    expect(supersededDue(at, t + HOUR, HOUR)).toBe(true);
    expect(supersededDue(at, t, 0)).toBe(true);
    // A record never names anything outside its folder.
    expect(
      parseSupersededRecord(
        JSON.stringify({ location: '/x', superseded_at: 'x', files: ['a', '../b', 'c/d', '..'] }),
      )!.files,
    ).toEqual(['a']);
    expect(parseSupersededRecord('nonsense')).toBeNull();
  });
});
