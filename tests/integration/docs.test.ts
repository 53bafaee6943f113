/**
 * `qdbt docs generate` against the running stack: a batch file landed with `qdbt ingest batch`
 * (so the ledger in HDFS has a record), models built with `qdbt run` on Hive, then the docs.
 * The catalog must carry Hive's real column types, and the lineage of the last model must start
 * at the landed file with its row count. Schemas qdbt_it_docs_<pid>[_raw], lake /qdbt-it/docs-<pid>.
 * On Spark Thrift Server, whose SHOW TABLE EXTENDED answers in another shape, the catalog comes
 * from one DESCRIBE per relation: schema qdbt_it_docs_spark_<pid>.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HiveAdapter } from '../../src/adapters/hive/adapter.js';
import type { Catalog } from '../../src/docs/catalog.js';
import { extractDocsData } from '../../src/docs/html.js';
import { adjacency, neighbourhood } from '../../src/docs/lineage.js';
import type { DocsData } from '../../src/docs/model.js';
import { WebHdfsClient } from '../../src/ingest/hdfs/webhdfs.js';
import { ENGINES, HOST, profiles, qdbt, repoRoot, target, up } from '../helpers/engines.js';
import { writeFixture } from '../helpers/fixtureProject.js';

const stack = inject('stack');
const schema = `qdbt_it_docs_${process.pid}`;
const rawSchema = `${schema}_raw`;
const lakeRoot = `/qdbt-it/docs-${process.pid}`;
const client = new WebHdfsClient({ url: stack.webhdfsUrl });
let adapter: HiveAdapter;

const fixture = writeFixture({
  'profiles.yml': [
    'fixture:',
    '  target: it',
    '  outputs:',
    '    it:',
    '      type: hive',
    `      host: ${HOST}`,
    `      port: ${stack.hiveUrl.port}`,
    '      auth: NONE',
    `      schema: ${schema}`,
    '      threads: 4',
    `      hdfs_url: ${stack.webhdfsUrl}`,
    `      lake_root: ${lakeRoot}`,
    '',
  ].join('\n'),
  'models/staging/sources.yml': `version: 2
sources:
  - name: shop
    schema: ${rawSchema}
    tables:
      - name: orders
        description: Orders as the shop exports them, every hour.
        landing:
          files: 'orders_*.csv'
          columns:
            - {name: order_id, type: bigint, required: true}
            - {name: amount, type: 'decimal(12,2)'}
            - {name: customer, type: string}
`,
  'models/staging/stg_orders.sql': `select cast(order_id as bigint) as order_id, cast(amount as decimal(12,2)) as amount, customer
from {{ source('shop', 'orders') }}`,
  'models/marts/fct_orders.sql': `{{ config(materialized='table') }}
select order_id, amount, upper(customer) as customer from {{ ref('stg_orders') }}`,
  'models/marts/schema.yml': `version: 2
models:
  - name: fct_orders
    description: One row per order.
    columns:
      - name: order_id
        description: The order's number.
        data_tests: [not_null]
`,
  'landing/incoming/hour_01/orders_2024010501.csv':
    'order_id,amount,customer\n1001,12.50,ana\n1002,3.10,bo\n1003,99.99,cy\n',
});

function run(args: string[]) {
  return qdbt(fixture.dir, args);
}

beforeAll(async () => {
  adapter = await HiveAdapter.connect(target({ port: stack.hiveUrl.port }, schema, { retries: 2 }));
  for (const s of [schema, rawSchema]) await adapter.execute(`DROP DATABASE IF EXISTS ${s} CASCADE`);
  await client.delete(lakeRoot, { recursive: true });
});

afterAll(async () => {
  for (const s of [schema, rawSchema])
    await adapter?.execute(`DROP DATABASE IF EXISTS ${s} CASCADE`).catch(() => undefined);
  await adapter?.close();
  await client.delete(lakeRoot, { recursive: true }).catch(() => undefined);
  client.close();
  fixture.cleanup();
});

describe('qdbt docs generate on Hive with a landed file', () => {
  let catalog: Catalog;
  let data: DocsData;

  it('lands the file, builds the models, tests them, and writes the docs', async () => {
    // --settle 0: the fixture file was written a moment ago, and is complete.
    const ingest = await run([
      'ingest',
      'batch',
      '--from',
      join(fixture.dir, 'landing/incoming'),
      '--settle',
      '0',
    ]);
    expect(ingest.stderr).toContain('1 landed');
    expect(ingest.code).toBe(0);
    const built = await run(['run']);
    expect(built.code, built.stderr).toBe(0);
    const tested = await run(['test']);
    expect(tested.code, tested.stderr).toBe(0);
    const docs = await run(['docs', 'generate']);
    expect(docs.code, docs.stderr).toBe(0);
    expect(docs.stderr).not.toContain('ledger was not read');
    expect(docs.stderr).toMatch(/Docs written to target\/index\.html .* 1 landed files from the ledger/);
    const targetDir = join(fixture.dir, 'target');
    catalog = JSON.parse(readFileSync(join(targetDir, 'catalog.json'), 'utf8')) as Catalog;
    data = extractDocsData(readFileSync(join(targetDir, 'index.html'), 'utf8'));
  });

  it("puts Hive's real column types in catalog.json, in the published schema", () => {
    const schemaJson = JSON.parse(readFileSync(join(repoRoot, 'schemas/catalog.v1.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schemaJson);
    validate(catalog);
    expect(validate.errors ?? []).toEqual([]);
    const fct = catalog.nodes['model.fixture.fct_orders']!;
    expect(fct.metadata).toMatchObject({ type: 'table', schema, name: 'fct_orders' });
    expect(Object.values(fct.columns).map((c) => [c.index, c.name, c.type])).toEqual([
      [1, 'order_id', 'bigint'],
      [2, 'amount', 'decimal(12,2)'],
      [3, 'customer', 'string'],
    ]);
    expect(catalog.nodes['model.fixture.stg_orders']!.metadata.type).toBe('view');
    // The staging table over raw CSV: OpenCSVSerde reads every column as a string; partitions last.
    const orders = catalog.sources['source.fixture.shop.orders']!;
    expect(Object.values(orders.columns).map((c) => `${c.name} ${c.type}`)).toEqual([
      'order_id string',
      'amount string',
      'customer string',
      'dt string',
      'hr string',
    ]);
    expect(orders.stats.num_files?.value).toBe(1);
    expect(catalog.errors).toBeNull();
  });

  it('starts the lineage of the last model at the landed file, with its row count', () => {
    const { parents, children } = adjacency(data.nodes.length, data.edges);
    const start = data.nodes.findIndex((n) => n.id === 'model.fixture.fct_orders');
    const upstream = neighbourhood(parents, children, start, Infinity, 0, Infinity).nodes.map(
      (i) => data.nodes[i]!,
    );
    expect(upstream.map((n) => n.kind).sort()).toEqual(['file', 'landing', 'model', 'model', 'source']);
    const file = upstream.find((n) => n.kind === 'file')!;
    expect(file.file).toMatchObject({
      status: 'landed',
      source_file: 'orders_2024010501.csv',
      rows: 3,
      rows_rejected: 0,
    });
    expect(file.file!.path.startsWith(`${lakeRoot}/raw/shop/orders/dt=`)).toBe(true);
    const landing = upstream.find((n) => n.kind === 'landing')!;
    expect(landing.landing).toMatchObject({
      pattern: 'orders_*.csv',
      lake_path: `${lakeRoot}/raw/shop/orders/`,
      files_landed: 1,
      rows_landed: 3,
    });
    const fct = data.nodes[start]!;
    expect(fct.columns.find((c) => c.name === 'order_id')).toEqual({
      name: 'order_id',
      type: 'bigint',
      description: "The order's number.",
      tests: ['not_null'],
    });
    expect(fct.tests.map((t) => t.status)).toEqual(['pass']);
  });

  // Only where Debian's chromium is installed: the page itself draws that lineage.
  it.skipIf(!existsSync('/usr/bin/chromium'))('renders the lineage in a headless browser', () => {
    const out = join(fixture.dir, 'dom');
    mkdirSync(out, { recursive: true });
    const page = `file://${join(fixture.dir, 'target/index.html')}#!/model.fixture.fct_orders`;
    const result = spawnSync(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${out}`,
        '--virtual-time-budget=5000',
        '--dump-dom',
        page,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    writeFileSync(join(out, 'dom.html'), result.stdout ?? '');
    expect(result.stdout).toContain('<svg');
    const titles = [...result.stdout.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(titles).toContain('landing.fixture.shop.orders');
    expect(titles.some((t) => t?.startsWith('file.fixture.shop.orders.'))).toBe(true);
    expect(result.stdout).toContain('3 rows');
  });
});

describe.skipIf(!up.spark)('qdbt docs generate on Spark Thrift Server', () => {
  const spark = ENGINES.find((e) => e.name === 'spark')!;
  const sparkSchema = `qdbt_it_docs_spark_${process.pid}`;
  const project = writeFixture({
    'profiles.yml': profiles(spark, sparkSchema),
    'models/spark_orders.sql': `{{ config(materialized='table') }}
select cast(1001 as bigint) as order_id, cast(12.5 as decimal(12,2)) as amount, 'ana' as customer`,
    'models/spark_customers.sql': `select distinct customer from {{ ref('spark_orders') }}`,
  });
  let sparkAdapter: HiveAdapter;

  beforeAll(async () => {
    sparkAdapter = await HiveAdapter.connect(target(spark, sparkSchema, { retries: 2 }));
    await sparkAdapter.execute(`DROP DATABASE IF EXISTS ${sparkSchema} CASCADE`);
  });

  afterAll(async () => {
    await sparkAdapter?.execute(`DROP DATABASE IF EXISTS ${sparkSchema} CASCADE`).catch(() => undefined);
    await sparkAdapter?.close();
    project.cleanup();
  });

  it("describes each relation and puts Spark's column types in catalog.json", async () => {
    const built = await qdbt(project.dir, ['run']);
    expect(built.code, built.stderr).toBe(0);
    const docs = await qdbt(project.dir, ['docs', 'generate', '--no-ledger', '--debug']);
    expect(docs.code, docs.stderr).toBe(0);
    // Spark's SHOW TABLE EXTENDED has four columns, not Hive's one: each relation is described.
    expect(docs.stderr).toMatch(/catalog: 1 schemas, \d SHOW TABLE EXTENDED, 2 DESCRIBE/);
    const catalog = JSON.parse(readFileSync(join(project.dir, 'target', 'catalog.json'), 'utf8')) as Catalog;
    const orders = catalog.nodes['model.fixture.spark_orders']!;
    expect(orders.metadata).toMatchObject({ type: 'table', schema: sparkSchema, name: 'spark_orders' });
    expect(Object.values(orders.columns).map((c) => [c.index, c.name, c.type])).toEqual([
      [1, 'order_id', 'bigint'],
      [2, 'amount', 'decimal(12,2)'],
      [3, 'customer', 'string'],
    ]);
    const customers = catalog.nodes['model.fixture.spark_customers']!;
    expect(customers.metadata.type).toBe('view');
    expect(Object.values(customers.columns).map((c) => `${c.name} ${c.type}`)).toEqual(['customer string']);
    expect(catalog.errors).toBeNull();
  });
});
