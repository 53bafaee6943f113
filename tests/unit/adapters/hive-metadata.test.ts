import { describe, expect, it } from 'vitest';
import type { RelationInfo } from '../../../src/adapters/types.js';
import {
  MetadataCache,
  parseDescribeFormatted,
  statementEffect,
  type MetadataSource,
} from '../../../src/adapters/hive/metadata.js';

function fakeSource(tables: Record<string, Array<[string, RelationInfo['kind']]>>) {
  const calls: string[] = [];
  const source: MetadataSource = {
    async listRelations(schema) {
      calls.push(`list ${schema}`);
      await new Promise((r) => setTimeout(r, 5));
      return (tables[schema] ?? []).map(([name, kind]) => ({ schema, name, kind }));
    },
    async describeRelation(schema, name) {
      calls.push(`describe ${schema}.${name}`);
      const found = (tables[schema] ?? []).find(([n]) => n === name);
      return found
        ? { schema, name, kind: found[1], columns: [{ name: 'id', type: 'bigint' }], partitionColumns: [] }
        : null;
    },
  };
  return { source, calls, tables };
}

describe('statementEffect', () => {
  it.each([
    ['SELECT 1', { kind: 'none' }],
    ['  -- a comment\n/* block */ INSERT OVERWRITE TABLE a.b SELECT 1', { kind: 'none' }],
    ['CREATE DATABASE IF NOT EXISTS x', { kind: 'none' }],
    ['CREATE TEMPORARY VIEW v AS SELECT 1', { kind: 'none' }],
    [
      'create table `A`.`B` (id bigint)',
      { kind: 'create', schema: 'a', name: 'b', relation: 'table', ifNotExists: false },
    ],
    [
      'CREATE EXTERNAL TABLE IF NOT EXISTS s.t (id int) LOCATION "/x"',
      { kind: 'create', schema: 's', name: 't', relation: 'table', ifNotExists: true },
    ],
    [
      'CREATE OR REPLACE VIEW s.v AS SELECT 1',
      { kind: 'create', schema: 's', name: 'v', relation: 'view', ifNotExists: false },
    ],
    [
      'CREATE MATERIALIZED VIEW s.mv AS SELECT 1',
      { kind: 'create', schema: 's', name: 'mv', relation: 'materialized_view', ifNotExists: false },
    ],
    ['DROP TABLE IF EXISTS s . t', { kind: 'drop', schema: 's', name: 't' }],
    ['DROP VIEW s.v', { kind: 'drop', schema: 's', name: 'v' }],
    [
      'ALTER TABLE s.a__tmp RENAME TO s.a',
      { kind: 'rename', schema: 's', name: 'a__tmp', toSchema: 's', toName: 'a' },
    ],
    ['ALTER TABLE s.a ADD COLUMNS (c int)', { kind: 'alter', schema: 's', name: 'a' }],
    ['ANALYZE TABLE s.a COMPUTE STATISTICS', { kind: 'alter', schema: 's', name: 'a' }],
    ['DROP DATABASE IF EXISTS s CASCADE', { kind: 'dropSchema', schema: 's' }],
    ['CREATE TABLE t (id int)', { kind: 'unknown' }],
    ['ALTER TABLE s.a RENAME TO b', { kind: 'unknown' }],
    ['IMPORT TABLE s.a FROM "/x"', { kind: 'unknown' }],
  ])('%s', (sql, effect) => expect(statementEffect(sql)).toEqual(effect));
});

describe('MetadataCache', () => {
  it('lists a schema once, however many callers ask at once', async () => {
    const { source, calls } = fakeSource({
      s: [
        ['a', 'table'],
        ['v', 'view'],
      ],
    });
    const cache = new MetadataCache(source);
    const [one, two] = await Promise.all([cache.listRelations('s'), cache.listRelations('S')]);
    await cache.listRelations('s');
    expect(calls).toEqual(['list s']);
    expect([...one.values()].map((r) => [r.name, r.kind])).toEqual([
      ['a', 'table'],
      ['v', 'view'],
    ]);
    expect(two.size).toBe(2);
    expect(cache.stats).toEqual({ listings: 1, describes: 0 });
  });

  it('answers "does not exist" from a fresh listing without a DESCRIBE', async () => {
    const { source, calls } = fakeSource({ s: [['a', 'table']] });
    const cache = new MetadataCache(source);
    await cache.listRelations('s');
    expect(await cache.describeRelation('s', 'missing')).toBeNull();
    expect(calls).toEqual(['list s']);
  });

  it('describes a relation once and caches it', async () => {
    const { source, calls } = fakeSource({ s: [['a', 'table']] });
    const cache = new MetadataCache(source);
    const first = await cache.describeRelation('s', 'a');
    first!.columns!.push({ name: 'mutated', type: 'int' });
    const second = await cache.describeRelation('s', 'A');
    expect(second!.columns).toEqual([{ name: 'id', type: 'bigint' }]);
    expect(calls).toEqual(['describe s.a']);
  });

  it('DDL through the adapter updates the listing in place: no new round trip', async () => {
    const { source, calls } = fakeSource({
      s: [
        ['a', 'table'],
        ['old', 'view'],
      ],
    });
    const cache = new MetadataCache(source);
    await cache.listRelations('s');
    await cache.describeRelation('s', 'a');
    for (const sql of [
      'CREATE TABLE s.a__qdbt_tmp (id bigint)',
      'ALTER TABLE s.a RENAME TO s.a__qdbt_backup',
      'ALTER TABLE s.a__qdbt_tmp RENAME TO s.a',
      'DROP TABLE IF EXISTS s.a__qdbt_backup',
      'CREATE OR REPLACE VIEW s.v2 AS SELECT 1',
      'DROP VIEW s.old',
    ]) {
      cache.afterStatement(statementEffect(sql), true);
      // What materializations do after each statement:
      const effect = statementEffect(sql);
      if ('name' in effect) cache.invalidate(effect.schema, effect.name);
    }
    const listing = await cache.listRelations('s');
    expect([...listing.keys()].sort()).toEqual(['a', 'v2']);
    expect(listing.get('v2')!.kind).toBe('view');
    // The renamed table's description was dropped: one DESCRIBE again.
    await cache.describeRelation('s', 'a');
    expect(calls).toEqual(['list s', 'describe s.a', 'describe s.a']);
  });

  it('DDL that arrives while the listing is read is applied when it lands', async () => {
    const { source } = fakeSource({ s: [['a', 'table']] });
    const cache = new MetadataCache(source);
    const pending = cache.listRelations('s');
    cache.afterStatement(statementEffect('CREATE TABLE s.b (id int)'), true);
    expect([...(await pending).keys()].sort()).toEqual(['a', 'b']);
  });

  it('invalidate of a name the adapter saw no statement about reads the schema again (once)', async () => {
    const { source, calls, tables } = fakeSource({ s: [['a', 'table']] });
    const cache = new MetadataCache(source);
    await cache.listRelations('s');
    tables.s!.push(['made_elsewhere', 'table']);
    cache.invalidate('s', 'made_elsewhere');
    cache.invalidate('s', 'other');
    const listing = await cache.listRelations('s');
    await cache.listRelations('s');
    expect(listing.has('made_elsewhere')).toBe(true);
    expect(calls).toEqual(['list s', 'list s']);
  });

  it('a failed DDL makes the listing stale; an unknown DDL forgets every listing', async () => {
    const { source, calls } = fakeSource({ s: [['a', 'table']], t: [] });
    const cache = new MetadataCache(source);
    await cache.listRelations('s');
    await cache.listRelations('t');
    cache.afterStatement(statementEffect('CREATE TABLE s.b AS SELECT 1'), false);
    await cache.listRelations('s');
    await cache.listRelations('t');
    cache.afterStatement(statementEffect('CREATE TABLE unqualified (id int)'), true);
    await cache.listRelations('s');
    await cache.listRelations('t');
    expect(calls).toEqual(['list s', 'list t', 'list s', 'list s', 'list t']);
  });

  it('ALTER drops the description but keeps the listing', async () => {
    const { source, calls } = fakeSource({ s: [['a', 'table']] });
    const cache = new MetadataCache(source);
    await cache.listRelations('s');
    await cache.describeRelation('s', 'a');
    cache.afterStatement(statementEffect('ALTER TABLE s.a ADD COLUMNS (c int)'), true);
    cache.invalidate('s', 'a');
    await cache.describeRelation('s', 'a');
    await cache.listRelations('s');
    expect(calls).toEqual(['list s', 'describe s.a', 'describe s.a']);
  });
});

describe('parseDescribeFormatted', () => {
  it("reads Hive 4's layout", () => {
    const rows = [
      ['id', 'bigint', ''],
      ['amount', 'decimal(38,10)', 'the amount'],
      ['', null, null],
      ['# Partition Information', null, null],
      ['# col_name', 'data_type', 'comment'],
      ['dt', 'string', ''],
      ['', null, null],
      ['# Detailed Table Information', null, null],
      ['Database:           ', 'q', null],
      ['Location:           ', 'hdfs://127.0.0.1:8020/user/hive/warehouse/q.db/t', null],
      ['Table Type:         ', 'MANAGED_TABLE       ', null],
      ['Table Parameters:', null, null],
      ['', 'bucketing_version   ', '2                   '],
      ['', 'transactional       ', 'true                '],
      ['', 'transactional_properties', 'default             '],
      ['', null, null],
      ['# Storage Information', null, null],
      ['SerDe Library:      ', 'org.apache.hadoop.hive.ql.io.orc.OrcSerde', null],
      ['InputFormat:        ', 'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat', null],
      ['Storage Desc Params:', null, null],
      ['', 'serialization.format', '1                   '],
    ];
    const info = parseDescribeFormatted('Q', 'T', rows);
    expect(info).toMatchObject({
      schema: 'q',
      name: 't',
      kind: 'table',
      columns: [
        { name: 'id', type: 'bigint', comment: null },
        { name: 'amount', type: 'decimal(38,10)', comment: 'the amount' },
      ],
      partitionColumns: [{ name: 'dt', type: 'string', comment: null }],
      transactional: true,
      external: false,
      fileFormat: 'orc',
      location: 'hdfs://127.0.0.1:8020/user/hive/warehouse/q.db/t',
    });
    expect(info.tableProperties).toEqual({
      bucketing_version: '2',
      transactional: 'true',
      transactional_properties: 'default',
    });
  });

  it("reads Spark 3.5's layout (partition columns listed twice, properties in brackets)", () => {
    const rows = [
      ['id', 'bigint', null],
      ['v', 'varchar(10)', null],
      ['p', 'string', null],
      ['# Partition Information', '', ''],
      ['# col_name', 'data_type', 'comment'],
      ['p', 'string', null],
      ['', '', ''],
      ['# Detailed Table Information', '', ''],
      ['Catalog', 'spark_catalog', ''],
      ['Type', 'EXTERNAL', ''],
      ['Provider', 'hive', ''],
      ['Table Properties', '[transactional=false, comment=a, b, transient_lastDdlTime=1795268184]', ''],
      ['Location', 'hdfs://127.0.0.1:8020/x', ''],
      ['Serde Library', 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', ''],
      ['InputFormat', 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat', ''],
      ['Storage Properties', '[serialization.format=1]', ''],
    ];
    const info = parseDescribeFormatted('s', 't', rows);
    expect(info.columns!.map((c) => c.name)).toEqual(['id', 'v']);
    expect(info.partitionColumns!.map((c) => c.name)).toEqual(['p']);
    expect(info).toMatchObject({
      kind: 'table',
      external: true,
      transactional: false,
      fileFormat: 'parquet',
    });
    expect(info.tableProperties).toEqual({
      transactional: 'false',
      comment: 'a, b',
      transient_lastDdlTime: '1795268184',
    });
  });

  it('reads views on both engines and Spark datasource tables', () => {
    expect(
      parseDescribeFormatted('s', 'v', [
        ['id', 'bigint', ''],
        ['', null, null],
        ['# Detailed Table Information', null, null],
        ['Table Type:         ', 'VIRTUAL_VIEW        ', null],
      ]).kind,
    ).toBe('view');
    expect(
      parseDescribeFormatted('s', 'v', [
        ['id', 'bigint', null],
        ['', '', ''],
        ['# Detailed Table Information', '', ''],
        ['Type', 'VIEW', ''],
      ]),
    ).toMatchObject({ kind: 'view', fileFormat: null });
    expect(
      parseDescribeFormatted('s', 'c', [
        ['id', 'int', null],
        ['', '', ''],
        ['# Detailed Table Information', '', ''],
        ['Type', 'MANAGED', ''],
        ['Provider', 'csv', ''],
      ]).fileFormat,
    ).toBe('csv');
  });
});
