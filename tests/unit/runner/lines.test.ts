import { describe, expect, it } from 'vitest';
import {
  doneLine,
  fancyLine,
  finishLine,
  finishedLine,
  startLine,
  summaryEvents,
  type NodeLabel,
} from '../../../src/reporters/runLines.js';
import { formatTable } from '../../../src/reporters/table.js';
import { nodesToRetry, type RunResults } from '../../../src/artifacts/runResults.js';
import { freshnessStatus, parseHiveTimestamp } from '../../../src/runner/freshness.js';
import { splitStatements } from '../../../src/runner/sql.js';
import { parseOperationArgs } from '../../../src/runner/runOperation.js';

const model: NodeLabel = {
  uniqueId: 'model.q.dim_branch',
  kind: 'model',
  name: 'dim_branch',
  relation: 'conformed.dim_branch',
  materialized: 'table',
  file: 'models/conformed/dim_branch.sql',
  compiledPath: 'target/compiled/q/models/conformed/dim_branch.sql',
};
const test: NodeLabel = {
  uniqueId: 'test.q.not_null_x',
  kind: 'test',
  name: 'not_null_dim_branch_id',
  relation: null,
  file: 'models/conformed/schema.yml',
};
const result = (
  status: string,
  extra: Partial<{ rowsAffected: number; failures: number; message: string }> = {},
) => ({
  status,
  message: extra.message ?? '',
  rowsAffected: extra.rowsAffected ?? null,
  failures: extra.failures ?? null,
  executionTime: 2.314,
});

describe('dbt-style node lines', () => {
  it('pads with dots to 80 columns and shows the status in brackets', () => {
    expect(startLine(model, 3, 12)).toBe(
      '3 of 12 START sql table model conformed.dim_branch ............................. [RUN]',
    );
    expect(startLine(model, 3, 12).indexOf(' [RUN]')).toBe(80);
    expect(finishLine(model, 3, 12, result('success'))).toBe(
      '3 of 12 OK created sql table model conformed.dim_branch ........................ [OK in 2.31s]',
    );
    expect(finishLine(model, 3, 12, result('success', { rowsAffected: 1200 }))).toMatch(
      / \[OK 1200 rows in 2\.31s\]$/,
    );
    expect(finishLine(model, 3, 12, result('error'))).toMatch(
      /^3 of 12 ERROR creating sql table model conformed\.dim_branch \.+ \[ERROR in 2\.31s\]$/,
    );
    expect(finishLine(model, 4, 12, result('skipped'))).toMatch(
      /^4 of 12 SKIP relation conformed\.dim_branch \.+ \[SKIP\]$/,
    );
  });

  it('names tests PASS, FAIL n, WARN n and ERROR', () => {
    expect(finishLine(test, 5, 12, result('pass'))).toMatch(
      /^5 of 12 PASS not_null_dim_branch_id \.+ \[PASS in 2\.31s\]$/,
    );
    expect(finishLine(test, 5, 12, result('fail', { failures: 3 }))).toMatch(
      /^5 of 12 FAIL 3 not_null_dim_branch_id \.+ \[FAIL 3 in 2\.31s\]$/,
    );
    expect(finishLine(test, 5, 12, result('warn', { failures: 2 }))).toMatch(
      /^5 of 12 WARN 2 not_null_dim_branch_id \.+ \[WARN 2 in 2\.31s\]$/,
    );
    expect(finishLine(test, 5, 12, result('error'))).toMatch(
      /^5 of 12 ERROR not_null_dim_branch_id \.+ \[ERROR in 2\.31s\]$/,
    );
  });

  it('does not pad a line already past 80 columns', () => {
    expect(fancyLine(1, 1, 'x'.repeat(90), 'RUN')).toBe(`1 of 1 ${'x'.repeat(90)}  [RUN]`);
  });

  it('summarises: finished line, each error with its file and compiled SQL, then Done.', () => {
    expect(finishedLine([model, model, test], 62.5)).toBe(
      'Finished running 2 table models, 1 data test in 0 hours 1 minutes and 2.50 seconds (62.50s).',
    );
    expect(doneLine({ pass: 10, warn: 0, error: 1, skip: 2, total: 13 })).toBe(
      'Done. PASS=10 WARN=0 ERROR=1 SKIP=2 TOTAL=13',
    );
    const events = summaryEvents(
      [{ label: model, result: result('error', { message: 'Table not found' }) }],
      { pass: 0, warn: 0, error: 1, skip: 0, total: 1 },
      1,
    );
    const text = events.map((e) => e.message).join('\n');
    expect(text).toContain('Completed with 1 error and 0 warnings:');
    expect(text).toContain(
      'Failure in model dim_branch (models/conformed/dim_branch.sql)\n  Table not found\n  compiled code at target/compiled/q/models/conformed/dim_branch.sql',
    );
    expect(events.at(-1)!.message).toBe('Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1');
  });
});

describe('retry selection', () => {
  it('picks exactly the errored, failed and skipped nodes of run_results.json', () => {
    const entry = (unique_id: string, status: string) =>
      ({ unique_id, status }) as RunResults['results'][number];
    const runResults = {
      results: [
        entry('model.p.ok', 'success'),
        entry('model.p.err', 'error'),
        entry('test.p.t1', 'fail'),
        entry('test.p.t2', 'warn'),
        entry('test.p.t3', 'pass'),
        entry('model.p.down', 'skipped'),
      ],
    } as RunResults;
    expect(nodesToRetry(runResults)).toEqual(['model.p.err', 'test.p.t1', 'model.p.down']);
  });
});

describe('helpers', () => {
  it('previews rows as a table, numbers right-aligned, BIGINT exact', () => {
    const table = formatTable(
      [
        { name: 't.id', type: 'bigint' },
        { name: 't.name', type: 'string' },
      ],
      [
        [9007199254740993n, 'Harbor'],
        [2n, null],
      ],
    );
    expect(table).toBe(
      [
        '| id               | name   |',
        '| ---------------- | ------ |',
        '| 9007199254740993 | Harbor |',
        '|                2 |        |',
      ].join('\n'),
    );
  });

  it('judges freshness against warn_after and error_after', () => {
    const rules = {
      warn_after: { count: 12, period: 'hour' as const },
      error_after: { count: 1, period: 'day' as const },
    };
    expect(freshnessStatus(3600, rules)).toBe('pass');
    expect(freshnessStatus(13 * 3600, rules)).toBe('warn');
    expect(freshnessStatus(25 * 3600, rules)).toBe('error');
    expect(freshnessStatus(25 * 3600, { warn_after: rules.warn_after, error_after: null })).toBe('warn');
    const a = parseHiveTimestamp('2024-03-01 10:00:00.123456')!;
    const b = parseHiveTimestamp('2024-03-02 11:30:00')!;
    expect((b.getTime() - a.getTime()) / 1000).toBeCloseTo(25.5 * 3600 - 0.123, 3);
    expect(parseHiveTimestamp(null)).toBeNull();
  });

  it('splits hook and operation SQL on semicolons outside quotes and comments', () => {
    expect(
      splitStatements("insert into t values ('a;b'); -- done; really\nanalyze table t compute statistics;"),
    ).toEqual(["insert into t values ('a;b')", '-- done; really\nanalyze table t compute statistics']);
    expect(splitStatements('  ;  ')).toEqual([]);
  });

  it('reads run-operation --args as YAML', () => {
    expect(parseOperationArgs('{days: 7, schemas: [a, b]}')).toEqual({ days: 7, schemas: ['a', 'b'] });
    expect(() => parseOperationArgs('[1, 2]')).toThrow(/mapping/);
  });
});
