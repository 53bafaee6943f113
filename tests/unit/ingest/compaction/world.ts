/** A staging table of small JSON-lines files on the fakes, and a compaction run with a settable clock. */
import { compact, type CompactOptions } from '../../../../src/ingest/compaction/index.js';
import { tableName } from '../../../../src/ingest/register/ddl.js';
import { eventsDeclaration } from '../stream/declaration.js';
import { FakeHive, MemHdfs } from './fakes.js';

export const declaration = eventsDeclaration();
export const lake = declaration.lakePath;
export const H13 = 'dt=2024-05-01/hr=13';
export const H14 = 'dt=2024-05-01/hr=14';

export function world(keys = [H13], filesPer = 6, rowsPer = 10) {
  const hdfs = new MemHdfs();
  const hive = new FakeHive(tableName(declaration));
  for (const key of keys) {
    for (let f = 0; f < filesPer; f++) {
      const rows = Array.from({ length: rowsPer }, (_, i) => `{"event_id":"${key}-${f}-${i}"}\n`);
      hdfs.put(`${lake}/${key}/t+0+${String(f).padStart(4, '0')}.jsonl`, rows.join(''));
    }
    hive.locations.set(key, `hdfs://nn:8020${lake}/${key}`);
  }
  let t = Date.parse('2024-05-01T20:00:00Z');
  const events: Array<{ name: string; level: string; message: string }> = [];
  const run = (options: Partial<CompactOptions> = {}) =>
    compact({
      client: hdfs.client,
      adapter: hive.adapter,
      declaration,
      now: () => new Date(t),
      emit: (e) => events.push(e),
      ...options,
    });
  return {
    hdfs,
    hive,
    events,
    run,
    advance: (ms: number) => (t += ms),
    /** The rows the table reads for a partition, sorted. */
    rows: (key: string) => {
      const dir = hive.folder(key);
      return hdfs
        .names(dir)
        .filter((n) => !/^[_.]/.test(n) && hdfs.files.has(`${dir}/${n}`))
        .flatMap((n) => hdfs.text(`${dir}/${n}`).split('\n').filter(Boolean))
        .sort();
    },
  };
}
