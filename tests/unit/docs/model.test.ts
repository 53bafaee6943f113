import { afterAll, describe, expect, it } from 'vitest';
import { buildCatalog, expectedRelations, relationKey } from '../../../src/docs/catalog.js';
import { adjacency, neighbourhood } from '../../../src/docs/lineage.js';
import { buildDocsData, type DocsData } from '../../../src/docs/model.js';
import { fixtureProject, ordersLedger, runResultsOf } from './fixture.js';

const { fixture, manifest, declarations } = fixtureProject();
afterAll(() => fixture.cleanup());

const ORDERS = 'source.fixture.shop.orders';
const NOT_NULL = 'test.fixture.not_null_fct_orders_order_id.c1d9bb7c58';
const UNIQUE = 'test.fixture.unique_fct_orders_order_id.fae61d253a';

function docs(overrides: Partial<Parameters<typeof buildDocsData>[0]> = {}): DocsData {
  return buildDocsData({
    manifest,
    catalog: null,
    declarations,
    ledger: new Map([[ORDERS, ordersLedger()]]),
    runResults: null,
    qdbtVersion: 'test',
    ...overrides,
  });
}

function edgeIds(data: DocsData): string[] {
  return data.edges.map(([a, b]) => `${data.nodes[a]!.id} -> ${data.nodes[b]!.id}`).sort();
}

function node(data: DocsData, id: string) {
  const found = data.nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}`);
  return found;
}

/** `up+id+down` over the docs data, as the page selects it. */
function select(
  data: DocsData,
  id: string,
  up: number,
  down: number,
  include?: (kind: string) => boolean,
): string[] {
  const { parents, children } = adjacency(data.nodes.length, data.edges);
  const start = data.nodes.findIndex((n) => n.id === id);
  const hood = neighbourhood(
    parents,
    children,
    start,
    up,
    down,
    Infinity,
    include && ((i) => include(data.nodes[i]!.kind)),
  );
  return hood.nodes.map((i) => data.nodes[i]!.id).sort();
}

describe('the docs data model', () => {
  it('links landed file → landing → source → models → tests, and nothing else', () => {
    expect(edgeIds(docs())).toEqual(
      [
        'file.fixture.shop.orders.rec1 -> landing.fixture.shop.orders',
        'file.fixture.shop.orders.rec2 -> landing.fixture.shop.orders',
        'file.fixture.shop.orders.q3 -> landing.fixture.shop.orders',
        'file.fixture.shop.orders.rec4 -> landing.fixture.shop.orders',
        'landing.fixture.shop.orders -> source.fixture.shop.orders',
        'landing.fixture.shop.customers -> source.fixture.shop.customers',
        'source.fixture.shop.orders -> model.fixture.stg_orders',
        'source.fixture.shop.orders -> test.fixture.source_not_null_shop_orders_order_id.a177d3503e',
        'source.fixture.crm.accounts -> model.fixture.stg_accounts',
        'model.fixture.stg_orders -> model.fixture.fct_orders',
        `model.fixture.fct_orders -> ${NOT_NULL}`,
        `model.fixture.fct_orders -> ${UNIQUE}`,
      ].sort(),
    );
  });

  it('describes the landing: pattern, format, lake path, and totals over the whole ledger', () => {
    const landing = node(docs({ filesPerSource: 2 }), 'landing.fixture.shop.orders');
    expect(landing).toMatchObject({ kind: 'landing', name: 'orders_*.csv', group: 'lake/shop' });
    expect(landing.landing).toMatchObject({
      kind: 'batch',
      pattern: 'orders_*.csv',
      format: 'csv',
      lake_path: '/lake/raw/shop/orders/',
      staging_table: 'raw_shop.orders',
      files_landed: 3,
      files_quarantined: 1,
      rows_landed: 70,
      last_landed_at: '2024-01-05T04:00:00.000Z',
      files_not_shown: 2,
    });
  });

  it('attaches the newest N files (landed or quarantined) to their own source only', () => {
    const data = docs({ filesPerSource: 2 });
    const files = data.nodes.filter((n) => n.kind === 'file');
    expect(files.map((f) => f.id)).toEqual(['file.fixture.shop.orders.rec4', 'file.fixture.shop.orders.q3']);
    expect(files[0]!.file).toMatchObject({
      status: 'landed',
      source_file: 'orders_4.csv',
      rows: 40,
      bytes: 800,
      partition: 'dt=2024-01-05/hr=04',
      checksum: '4'.repeat(64),
      at: '2024-01-05T04:00:00.000Z',
    });
    expect(files[1]!.file).toMatchObject({ status: 'quarantined', rows: null, reason: 'not UTF-8' });
    // The customers source has a landing but no ledger records: a landing node, no files.
    expect(select(data, 'source.fixture.shop.customers', Infinity, 0)).toEqual([
      'landing.fixture.shop.customers',
      'source.fixture.shop.customers',
    ]);
  });

  it('without a ledger (lake down or --no-ledger) keeps the landing nodes and shows no files', () => {
    const data = docs({ ledger: null });
    expect(data.ledger.read).toBe(false);
    expect(data.nodes.filter((n) => n.kind === 'file')).toEqual([]);
    expect(node(data, 'landing.fixture.shop.orders').landing?.files_landed).toBe(0);
  });

  it('selects lineage by depth as dbt does: +fct, 1+fct, source+1, and tests hidden on request', () => {
    const data = docs();
    expect(select(data, 'model.fixture.fct_orders', Infinity, 0)).toEqual(
      [
        'file.fixture.shop.orders.q3',
        'file.fixture.shop.orders.rec1',
        'file.fixture.shop.orders.rec2',
        'file.fixture.shop.orders.rec4',
        'landing.fixture.shop.orders',
        'model.fixture.fct_orders',
        'model.fixture.stg_orders',
        ORDERS,
      ].sort(),
    );
    expect(select(data, 'model.fixture.fct_orders', 1, 0)).toEqual([
      'model.fixture.fct_orders',
      'model.fixture.stg_orders',
    ]);
    expect(select(data, ORDERS, 0, 1)).toEqual(
      [
        ORDERS,
        'model.fixture.stg_orders',
        'test.fixture.source_not_null_shop_orders_order_id.a177d3503e',
      ].sort(),
    );
    expect(select(data, ORDERS, 0, Infinity, (kind) => kind !== 'test')).toEqual([
      'model.fixture.fct_orders',
      'model.fixture.stg_orders',
      ORDERS,
    ]);
  });

  it('orders the neighbourhood nearest first and says when the limit cut it', () => {
    const data = docs();
    const { parents, children } = adjacency(data.nodes.length, data.edges);
    const start = data.nodes.findIndex((n) => n.id === 'model.fixture.fct_orders');
    const hood = neighbourhood(parents, children, start, Infinity, Infinity, 3);
    expect(hood.truncated).toBe(true);
    expect(hood.reachable).toBe(10);
    expect(hood.nodes.map((i) => data.nodes[i]!.id)).toEqual([
      'model.fixture.fct_orders',
      'model.fixture.stg_orders',
      NOT_NULL,
    ]);
  });

  it('merges warehouse column types with property YAML descriptions and the tests on each column', () => {
    const facts = new Map([
      [
        relationKey('analytics', 'fct_orders'),
        {
          schema: 'analytics',
          name: 'fct_orders',
          kind: 'table',
          owner: 'hive',
          comment: null,
          columns: [
            { name: 'order_id', type: 'bigint', comment: null },
            { name: 'amount', type: 'decimal(12,2)', comment: null },
          ],
          partitionColumns: [],
          location: '/warehouse/analytics.db/fct_orders',
          numFiles: 1,
          totalSize: 300,
          lastModified: null,
        },
      ],
    ]);
    const catalog = buildCatalog({ expected: expectedRelations(manifest), facts, invocationId: 'i' });
    const fct = node(docs({ catalog }), 'model.fixture.fct_orders');
    expect(fct.columns).toEqual([
      {
        name: 'order_id',
        type: 'bigint',
        description: 'Unique order number.',
        tests: ['not_null', 'unique'],
      },
      { name: 'amount', type: 'decimal(12,2)', description: 'What was paid.', tests: [] },
    ]);
    expect(fct.catalog).toEqual({
      type: 'table',
      owner: 'hive',
      comment: null,
      stats: { Files: 1, Bytes: 300 },
    });
    expect(fct).toMatchObject({ materialized: 'table', tags: ['finance'], group: 'models/marts' });
    expect(fct.compiled_sql).toContain('from `analytics`.`stg_orders` o');
    // A source without catalog entry still shows the types its landing: block declares.
    expect(node(docs({ catalog }), ORDERS).columns).toEqual([
      { name: 'order_id', type: 'bigint', description: "The order's number.", tests: ['not_null'] },
      { name: 'amount', type: 'decimal(12,2)', description: '', tests: [] },
    ]);
  });

  it('gives each data test its status from run_results.json', () => {
    const data = docs({
      runResults: runResultsOf({
        [NOT_NULL]: 'pass',
        [UNIQUE]: 'fail',
        'model.fixture.fct_orders': 'success',
      }),
    });
    const fct = node(data, 'model.fixture.fct_orders');
    expect(fct.status).toBe('success');
    expect(fct.tests.map((t) => [t.name, t.column, t.status])).toEqual([
      ['not_null', 'order_id', 'pass'],
      ['unique', 'order_id', 'fail'],
    ]);
    expect(node(data, ORDERS).tests.map((t) => t.status)).toEqual([null]);
    expect(data.run_results).toEqual({ generated_at: '2024-01-05T05:00:00.000Z', which: 'build' });
  });
});
