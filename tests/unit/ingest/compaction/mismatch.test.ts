/** A row-count mismatch fails that partition only: not swapped, merged files deleted, the others go on. */
import { describe, expect, it } from 'vitest';
import { failedLine } from '../../../../src/cli/commands/compact.js';
import { H13, H14, lake, world } from './world.js';

describe('a row-count mismatch', () => {
  it('leaves that partition on its files, deletes the merged ones, and goes on', async () => {
    const w = world([H13, H14]);
    const before14 = w.rows(H14);
    const files14 = w.hdfs.names(`${lake}/${H14}`);
    // The merged file of hr=14 gets one row more after it is written, before it is counted.
    w.hdfs.afterRename = async (_from, to) => {
      if (/\/_compacted\/dt=2024-05-01\/hr=14\/g[^/]*\/part-\d+\.jsonl$/.test(to)) {
        const file = w.hdfs.files.get(to)!;
        file.data = Buffer.concat([file.data, Buffer.from('{"event_id":"intruder"}\n')]);
      }
    };
    const results = await w.run();
    expect(results.map((r) => r.status)).toEqual(['compacted', 'failed']);
    const failed = results[1]!;
    expect(failed).toMatchObject({
      status: 'failed',
      rowsRead: 60,
      rowsWritten: 61,
      filesBefore: 6,
      filesAfter: 6,
      location: `${lake}/${H14}`,
    });
    expect(failed.reason).toMatch(
      /row count mismatch: 60 rows read from 6 files, 61 counted .* merged files deleted/,
    );
    // Not swapped: no statement for it, its files untouched, no generation left.
    expect(w.hive.statements.filter((s) => s.startsWith('ALTER')).join('\n')).not.toMatch(/'14'/);
    expect(w.hive.folder(H14)).toBe(`${lake}/${H14}`);
    expect(w.hdfs.names(`${lake}/${H14}`)).toEqual(files14);
    expect(w.hdfs.names(`${lake}/_compacted/${H14}`)).toEqual([]);
    expect(w.rows(H14)).toEqual(before14);
    expect(w.events.find((e) => e.name === 'compaction_row_mismatch')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('app.events dt=2024-05-01/hr=14: row count mismatch: 60 rows'),
    });
    const line = failedLine('app.events', failed);
    expect(line).toContain('app.events dt=2024-05-01/hr=14: FAILED, row count mismatch: 60 rows read');
    expect(line).toContain('`qdbt compact --source app.events --partition dt=2024-05-01 hr=14`');
    // Without the fault, the next run compacts it.
    w.hdfs.afterRename = async () => undefined;
    const again = await w.run();
    expect(again.map((r) => r.status)).toEqual(['skipped', 'compacted']);
    expect(w.rows(H14)).toEqual(before14);
  });
});
