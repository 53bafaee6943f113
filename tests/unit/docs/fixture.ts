/**
 * A small project for the docs tests: one ingested source (a `landing:` block), one plain source,
 * staging → mart models, generic tests, and ledger records as `qdbt ingest batch` writes them.
 */
import type { RunResults } from '../../../src/artifacts/runResults.js';
import { landingDeclarations } from '../../../src/ingest/landing/declarations.js';
import type { LedgerRecord } from '../../../src/ingest/ledger/index.js';
import { loadProject } from '../../../src/project/loadProject.js';
import { compileSelected } from '../../../src/project/selectAndCompile.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

export const FILES = {
  'models/staging/sources.yml': `version: 2
sources:
  - name: shop
    schema: raw_shop
    tables:
      - name: orders
        description: Orders as the shop exports them.
        columns:
          - name: order_id
            description: The order's number.
            data_tests: [not_null]
        landing:
          files: 'orders_*.csv'
          columns:
            - {name: order_id, type: bigint, required: true}
            - {name: amount, type: 'decimal(12,2)'}
      - name: customers
        landing:
          files: 'customers_*.csv'
          columns:
            - {name: customer_id, type: bigint, required: true}
  - name: crm
    schema: crm
    tables:
      - name: accounts
`,
  'models/staging/stg_orders.sql': `select order_id, amount from {{ source('shop', 'orders') }}`,
  'models/staging/stg_accounts.sql': `select * from {{ source('crm', 'accounts') }}`,
  'models/marts/fct_orders.sql': `{{ config(materialized='table', tags=['finance']) }}
select o.order_id, o.amount from {{ ref('stg_orders') }} o`,
  'models/marts/schema.yml': `version: 2
models:
  - name: fct_orders
    description: One row per order.
    columns:
      - name: order_id
        description: Unique order number.
        data_tests: [unique, not_null]
      - name: amount
        description: What was paid.
`,
};

export function fixtureProject() {
  const fixture = writeFixture(FILES);
  const project = loadProject({ projectDir: fixture.dir });
  compileSelected(project, Object.keys(project.parsed.manifest.nodes));
  const declarations = landingDeclarations(project.parsed.manifest, { lakeRoot: '/lake' });
  return { fixture, project, manifest: project.parsed.manifest, declarations };
}

const ORDERS = 'source.fixture.shop.orders';

/** Three orders files (the oldest first), one of them quarantined, and a registration. */
export function ordersLedger(): LedgerRecord[] {
  const landed = (n: number, rows: number, at: string): LedgerRecord => ({
    v: 1,
    id: `rec${n}`,
    source: ORDERS,
    at,
    event: 'landed',
    source_file: `orders_${n}.csv`,
    source_path: `hour_0${n}/orders_${n}.csv`,
    checksum: `${n}`.repeat(64),
    version: 1,
    rows,
    rows_rejected: 0,
    bytes: rows * 20,
    landed_bytes: rows * 20,
    partition: { dt: '2024-01-05', hr: `0${n}` },
    path: `/lake/raw/shop/orders/dt=2024-01-05/hr=0${n}/orders_${n}.${n}.csv`,
    original_path: null,
    rejects_path: null,
    normalized: false,
  });
  return [
    landed(1, 10, '2024-01-05T01:00:00.000Z'),
    {
      v: 1,
      id: 'reg1',
      source: ORDERS,
      at: '2024-01-05T01:00:01.000Z',
      event: 'registered',
      partition: { dt: '2024-01-05', hr: '01' },
      location: '/lake/raw/shop/orders/dt=2024-01-05/hr=01',
    },
    landed(2, 20, '2024-01-05T02:00:00.000Z'),
    {
      v: 1,
      id: 'q3',
      source: ORDERS,
      at: '2024-01-05T03:00:00.000Z',
      event: 'quarantined',
      source_file: 'orders_3.csv',
      source_path: 'hour_03/orders_3.csv',
      checksum: 'f'.repeat(64),
      bytes: 7,
      reason: 'not UTF-8',
      path: '/lake/raw/shop/orders/_quarantine/2024-01-05/orders_3.csv',
    },
    landed(4, 40, '2024-01-05T04:00:00.000Z'),
  ];
}

export function runResultsOf(statuses: Record<string, string>): RunResults {
  return {
    metadata: {
      dbt_schema_version: 'https://qdbt.dev/schemas/run_results/v1.json',
      qdbt_version: '0.1.0',
      generated_at: '2024-01-05T05:00:00.000Z',
      invocation_id: 'x',
      env: {},
    },
    results: Object.entries(statuses).map(([id, status]) => ({
      unique_id: id,
      status: status as RunResults['results'][number]['status'],
      timing: [],
      thread_id: null,
      execution_time: 0,
      adapter_response: {},
      message: null,
      failures: null,
      compiled_code: null,
      compiled_path: null,
      relation_name: null,
    })),
    elapsed_time: 1,
    args: { which: 'build' },
  };
}
