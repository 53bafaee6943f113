import { describe, expect, it } from 'vitest';
import {
  dataFileName,
  dataFilePath,
  deadLetterPath,
  markerName,
  offsetsDir,
  parseDataFileName,
  parseMarkerName,
  partitionValuesOf,
  streamPaths,
  tmpFilePath,
} from '../../../../src/ingest/stream/paths.js';

const range = { topic: 'app.events', partition: 2, start: 100, end: 4_999 };
const paths = streamPaths('/lake/raw/app/events/');

describe('stream file naming', () => {
  it('names files by topic, partition and zero-padded offset range', () => {
    expect(dataFileName(range)).toBe('app.events+2+00000000000000000100+00000000000000004999.jsonl');
    expect(dataFilePath(paths, 'dt=2024-05-01/hr=13', range)).toBe(
      '/lake/raw/app/events/dt=2024-05-01/hr=13/app.events+2+00000000000000000100+00000000000000004999.jsonl',
    );
    expect(deadLetterPath(paths, range)).toMatch(/^\/lake\/raw\/app\/events\/_dead_letter\/app\.events\+2\+/);
    expect(tmpFilePath(paths, range, 3)).toMatch(/^\/lake\/raw\/app\/events\/_qdbt_stream\/tmp\/.*\+3\.tmp$/);
    expect(offsetsDir(paths, 'app.events', 2)).toBe('/lake/raw/app/events/_qdbt_stream/offsets/app.events/2');
  });

  it('parses names back, topics with + and dots included', () => {
    expect(parseDataFileName(dataFileName(range))).toEqual(range);
    expect(parseDataFileName(dataFileName({ ...range, topic: 'a+b' }))).toEqual({ ...range, topic: 'a+b' });
    expect(parseDataFileName('part-0000.parquet')).toBeNull();
  });

  it('markers sort as numbers and parse back', () => {
    const names = [
      markerName({ start: 900, end: 999 }, 'done'),
      markerName({ start: 1000, end: 10_000 }, 'done'),
    ];
    expect([...names].sort()).toEqual(names);
    expect(parseMarkerName(names[1]!)).toEqual({ start: 1000, end: 10_000, state: 'done' });
    expect(parseMarkerName('00000000000000000001-00000000000000000002.pending')).toMatchObject({
      state: 'pending',
    });
    expect(parseMarkerName('junk.done')).toBeNull();
  });

  it('reads partition values from a folder', () => {
    expect(partitionValuesOf('dt=2024-05-01/hr=13')).toEqual({ dt: '2024-05-01', hr: '13' });
  });

  it('honours a dead-letter folder of its own', () => {
    expect(streamPaths('/lake/x', '/dead/x/').deadLetterDir).toBe('/dead/x');
  });
});
