import { describe, expect, it } from 'vitest';
import { markerName } from '../../../../src/ingest/stream/paths.js';
import { parseMarkerBody, planRecovery, resumeOffset } from '../../../../src/ingest/stream/recovery.js';

const done = (start: number, end: number) => markerName({ start, end }, 'done');
const pending = (start: number, end: number) => markerName({ start, end }, 'pending');

describe('planRecovery', () => {
  it('resumes after the last landed range and undoes a range cut short', () => {
    const plan = planRecovery(
      [done(0, 99), done(100, 199), pending(200, 260), 'stray.txt'],
      ['t+0+1+2+0.tmp', 't+1+00000000000000000200+00000000000000000260+0.tmp', 'u+1+3+4+0.tmp'],
      't',
      1,
    );
    expect(plan.lastLandedEnd).toBe(199);
    expect(plan.pendingToUndo).toEqual([pending(200, 260)]);
    expect(plan.pendingToDrop).toEqual([]);
    expect(plan.tmpToDelete).toEqual(['t+1+00000000000000000200+00000000000000000260+0.tmp']);
  });

  it('with nothing landed, says so', () => {
    expect(planRecovery([], [], 't', 0)).toMatchObject({
      lastLandedEnd: -1,
      pendingToUndo: [],
      doneToPrune: [],
    });
  });

  it('drops a pending marker whose range is done, without touching its files', () => {
    const plan = planRecovery([done(0, 9), pending(0, 9)], [], 't', 0);
    expect(plan.pendingToDrop).toEqual([pending(0, 9)]);
    expect(plan.pendingToUndo).toEqual([]);
  });

  it('prunes old done markers beyond the ones kept', () => {
    const names = Array.from({ length: 25 }, (_, i) => done(i * 10, i * 10 + 9));
    const plan = planRecovery(names.reverse(), [], 't', 0, 20);
    expect(plan.lastLandedEnd).toBe(249);
    expect(plan.doneToPrune).toEqual([done(0, 9), done(10, 19), done(20, 29), done(30, 39), done(40, 49)]);
  });
});

describe('resumeOffset', () => {
  it('takes the lake end + 1, or the committed offset if it is further', () => {
    expect(resumeOffset(199, 150)).toBe(200);
    expect(resumeOffset(199, 500)).toBe(500);
    expect(resumeOffset(-1, 42)).toBe(42);
    expect(resumeOffset(-1, null)).toBeNull();
    expect(resumeOffset(9, null)).toBe(10);
  });
});

describe('parseMarkerBody', () => {
  it('reads the file list and refuses a truncated body', () => {
    expect(parseMarkerBody('{"files": ["/a"], "tmp": ["/t"]}')).toMatchObject({ files: ['/a'], tmp: ['/t'] });
    expect(parseMarkerBody('{"files": ["/a"')).toBeNull();
  });
});
