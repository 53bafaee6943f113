import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutOf } from '../../../src/local/layout.js';
import { isOurs, runningProcess, tailFile, type PidRecord } from '../../../src/local/processes.js';

describe('local: pid records', () => {
  const base: PidRecord = {
    server: 'kafka',
    pid: process.pid,
    startTicks: null,
    marker: '',
    ports: [],
    startedAt: '',
  };

  it('accepts a live process only when its command line carries the marker', () => {
    expect(isOurs({ ...base, marker: path.basename(process.argv[0]!) })).toBe(true);
    expect(isOurs({ ...base, marker: '-Dqdbt.local=/nowhere#kafka' })).toBe(false);
  });

  it('rejects a reused pid (other start time) and a dead one', () => {
    expect(isOurs({ ...base, marker: path.basename(process.argv[0]!), startTicks: 1 })).toBe(false);
    expect(isOurs({ ...base, pid: 2 ** 22 + 17 })).toBe(false);
  });

  it('drops a stale pid file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-pid-'));
    try {
      const layout = layoutOf({ home: dir });
      mkdirSync(layout.run, { recursive: true });
      writeFileSync(
        layout.pidFile('kafka'),
        JSON.stringify({ ...base, marker: '-Dqdbt.local=/nowhere#kafka' }),
      );
      expect(runningProcess(layout, 'kafka')).toBeNull();
      expect(runningProcess(layout, 'kafka')).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tails files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qdbt-tail-'));
    try {
      const file = path.join(dir, 'x.log');
      writeFileSync(file, 'a\nb\nc\nd\n');
      expect(tailFile(file, 2)).toBe('c\nd');
      expect(tailFile(path.join(dir, 'missing'), 2)).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
