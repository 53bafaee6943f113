import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildCatalog,
  expectedRelations,
  hiveTypeOfThrift,
  parseShowTableExtended,
  parseThriftStruct,
} from '../../../src/docs/catalog.js';
import { fixtureProject } from './fixture.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { fixture, manifest } = fixtureProject();
afterAll(() => fixture.cleanup());

/** What Hive 4.0.1 answered to `SHOW TABLE EXTENDED IN db LIKE '%'` for a partitioned ORC table and a view. */
const HIVE_4_ROWS = [
  'tableName:t1',
  'owner:root',
  'location:hdfs://127.0.0.1:8020/user/hive/external/qdbt_docs_probe.db/t1',
  'inputformat:org.apache.hadoop.hive.ql.io.orc.OrcInputFormat',
  'outputformat:org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat',
  'columns:struct columns { i32 a, i64 b, i16 c, byte d, decimal(12,2) e, double f, float g, bool h, date i, timestamp j, varchar(10) k, char(3) l, list<string> m, map<string,i32> n, struct<x:i32,y:decimal(5,1)> o, binary p}',
  'partitioned:true',
  'partitionColumns:struct partition_columns { string dt}',
  'totalNumberFiles:2',
  'totalFileSize:1579',
  'maxFileSize:937',
  'minFileSize:642',
  'lastAccessTime:1795269825435',
  'lastUpdateTime:1795269825447',
  '',
  'tableName:v1',
  'owner:root',
  'location:null',
  'inputformat:org.apache.hadoop.mapred.TextInputFormat',
  'outputformat:org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  'columns:struct columns { i32 a, decimal(12,2) e}',
  'partitioned:false',
  'partitionColumns:',
  '',
].map((line) => [line]);

describe('reading the catalog from Hive', () => {
  it("reads SHOW TABLE EXTENDED: every table's columns with Hive type names, partitions, owner and file stats", () => {
    const [table, view] = parseShowTableExtended('Probe', HIVE_4_ROWS);
    expect(table!.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'a int',
      'b bigint',
      'c smallint',
      'd tinyint',
      'e decimal(12,2)',
      'f double',
      'g float',
      'h boolean',
      'i date',
      'j timestamp',
      'k varchar(10)',
      'l char(3)',
      'm array<string>',
      'n map<string,int>',
      'o struct<x:int,y:decimal(5,1)>',
      'p binary',
    ]);
    expect(table).toMatchObject({
      schema: 'probe',
      name: 't1',
      kind: 'table',
      owner: 'root',
      partitionColumns: [{ name: 'dt', type: 'string', comment: null }],
      numFiles: 2,
      totalSize: 1579,
      lastModified: 1795269825447,
    });
    expect(view).toMatchObject({
      name: 'v1',
      kind: 'view',
      location: null,
      numFiles: null,
      partitionColumns: [],
    });
    expect(view!.columns).toEqual([
      { name: 'a', type: 'int', comment: null },
      { name: 'e', type: 'decimal(12,2)', comment: null },
    ]);
  });

  it('keeps struct field names and nested types apart', () => {
    expect(hiveTypeOfThrift('struct<i32:i32,list:list<i64>>')).toBe('struct<i32:int,list:array<bigint>>');
    expect(
      parseThriftStruct('struct columns { map<string,struct<a:i32,b:string>> m, decimal(5,1) x}'),
    ).toEqual([
      { name: 'm', type: 'map<string,struct<a:int,b:string>>', comment: null },
      { name: 'x', type: 'decimal(5,1)', comment: null },
    ]);
    expect(parseThriftStruct('')).toEqual([]);
  });

  it('expects models, seeds and sources (not ephemeral models, not tests) where the manifest puts them', () => {
    expect(expectedRelations(manifest).map((r) => `${r.uniqueId} ${r.schema}.${r.name}`)).toEqual([
      'model.fixture.fct_orders analytics.fct_orders',
      'model.fixture.stg_accounts analytics.stg_accounts',
      'model.fixture.stg_orders analytics.stg_orders',
      'source.fixture.crm.accounts crm.accounts',
      'source.fixture.shop.customers raw_shop.customers',
      'source.fixture.shop.orders raw_shop.orders',
    ]);
  });

  it('writes catalog.json in the published schema: nodes and sources by unique_id, partition columns last', () => {
    const [table] = parseShowTableExtended('raw_shop', HIVE_4_ROWS);
    const facts = new Map([['raw_shop.orders', { ...table!, name: 'orders' }]]);
    const catalog = buildCatalog({
      expected: expectedRelations(manifest),
      facts,
      invocationId: 'inv',
      errors: ['describing crm.accounts: boom'],
    });
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/catalog.v1.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    validate(catalog);
    expect(validate.errors ?? []).toEqual([]);
    expect(Object.keys(catalog.nodes)).toEqual([]);
    const orders = catalog.sources['source.fixture.shop.orders']!;
    expect(orders.metadata).toEqual({
      type: 'table',
      schema: 'raw_shop',
      name: 'orders',
      database: null,
      comment: null,
      owner: 'root',
    });
    expect(orders.columns.dt).toEqual({ type: 'string', index: 17, name: 'dt', comment: null });
    expect(orders.stats.bytes?.value).toBe(1579);
    expect(catalog.errors).toEqual(['describing crm.accounts: boom']);

    // The schema rejects what dbt readers would choke on.
    validate({ ...catalog, nodes: { 'model.x': { ...orders, columns: { a: { type: 'int', name: 'a' } } } } });
    expect(validate.errors?.length).toBeGreaterThan(0);
  });
});
