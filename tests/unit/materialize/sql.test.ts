import { describe, expect, it } from 'vitest';
import { diffColumns, planSchemaChange } from '../../../src/materialize/schemaChange.js';
import { bareStatement, splitStatements, sqlString } from '../../../src/materialize/sql.js';

describe('sql helpers', () => {
  it('splits hooks on top-level semicolons only', () => {
    expect(
      splitStatements('SET a=1; insert into t values (\'x;y\', "q;"); -- done;\n select `c;d` from t;'),
    ).toEqual(['SET a=1', 'insert into t values (\'x;y\', "q;")', '-- done;\n select `c;d` from t']);
    expect(splitStatements("select 'it\\'s;' ;;  ")).toEqual(["select 'it\\'s;'"]);
  });

  it('escapes string literals for Hive and Spark', () => {
    expect(sqlString("it's a\\b\nc")).toBe("'it\\'s a\\\\b\\nc'");
  });

  it('strips a trailing semicolon', () => {
    expect(bareStatement('  select 1 ;\n')).toBe('select 1');
  });

  it('plans schema changes', () => {
    const table = [
      { name: 'id', type: 'bigint' },
      { name: 'amount', type: 'decimal(12,2)' },
    ];
    const source = [
      { name: 'ID', type: 'BIGINT' },
      { name: 'channel', type: 'string' },
    ];
    const diff = diffColumns(table, source);
    expect(diff).toEqual({ added: [{ name: 'channel', type: 'string' }], removed: [table[1]], changed: [] });
    expect(planSchemaChange('ignore', table, diff)).toEqual({ add: [], rebuild: false, columns: table });
    expect(planSchemaChange('append_new_columns', table, diff).columns.map((c) => c.name)).toEqual([
      'id',
      'amount',
      'channel',
    ]);
    expect(planSchemaChange('sync_all_columns', table, diff)).toMatchObject({
      rebuild: true,
      columns: [table[0], source[1]],
    });
  });
});
