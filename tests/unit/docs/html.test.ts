import { afterAll, describe, expect, it } from 'vitest';
import { extractDocsData, renderDocsHtml } from '../../../src/docs/html.js';
import { dagreBrowserBuild } from '../../../src/docs/layoutLibrary.js';
import { buildDocsData } from '../../../src/docs/model.js';
import { fixtureProject, ordersLedger } from './fixture.js';

const { fixture, manifest, declarations } = fixtureProject();
afterAll(() => fixture.cleanup());

function data() {
  return buildDocsData({
    manifest,
    catalog: null,
    declarations,
    ledger: new Map([['source.fixture.shop.orders', ordersLedger()]]),
    runResults: null,
    qdbtVersion: 'test',
    filesPerSource: 1,
    generatedAt: new Date('2024-01-05T06:00:00Z'),
    notes: ['The catalog was not read (--empty-catalog): column types are the declared ones.'],
  });
}

describe('index.html', () => {
  it('embeds the docs data: nodes by kind and folder, lineage edges from the landed file', () => {
    const html = renderDocsHtml(data(), dagreBrowserBuild());
    const embedded = extractDocsData(html);
    expect(embedded).toEqual(JSON.parse(JSON.stringify(data())));
    expect(embedded).toMatchObject({
      version: 1,
      project: 'fixture',
      generated_at: '2024-01-05T06:00:00.000Z',
      catalog: { read: false },
      ledger: { read: true, files_per_source: 1 },
      run_results: null,
    });
    expect(embedded.nodes.map((n) => `${n.kind} ${n.group} ${n.name}`)).toEqual([
      'model models/marts fct_orders',
      'model models/staging stg_accounts',
      'model models/staging stg_orders',
      'test models/marts not_null_fct_orders_order_id',
      'test models/staging source_not_null_shop_orders_order_id',
      'test models/marts unique_fct_orders_order_id',
      'source sources/crm crm.accounts',
      'source sources/shop shop.customers',
      'landing lake/shop customers_*.csv',
      'source sources/shop shop.orders',
      'landing lake/shop orders_*.csv',
      'file lake/shop orders_4.csv',
    ]);
    const named = embedded.edges.map(([a, b]) => [embedded.nodes[a]!.name, embedded.nodes[b]!.name]);
    expect(named).toContainEqual(['orders_4.csv', 'orders_*.csv']);
    expect(named).toContainEqual(['orders_*.csv', 'shop.orders']);
    expect(named).toContainEqual(['shop.orders', 'stg_orders']);
    expect(named).toContainEqual(['stg_orders', 'fct_orders']);
  });

  it('is one offline file: dagre and the lineage code inlined, nothing fetched from elsewhere', () => {
    const html = renderDocsHtml(data(), dagreBrowserBuild());
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)[^\s'"]+\.(js|css)/);
    expect(html).toContain('var dagre=');
    expect(html).toContain('function neighbourhood(');
    expect(html).not.toContain('sourceMappingURL');
  });

  it('cannot be broken out of by project text: </script> in SQL or descriptions stays data', () => {
    const d = data();
    d.nodes[0]!.raw_sql = 'select "</script><script>alert(1)</script>" as x';
    d.nodes[0]!.description = '<!-- <b>bold</b> \u2028';
    const html = renderDocsHtml(d, dagreBrowserBuild());
    expect(html.match(/<\/script>/g)).toHaveLength(4);
    expect(extractDocsData(html).nodes[0]!.raw_sql).toBe(d.nodes[0]!.raw_sql);
    expect(extractDocsData(html).nodes[0]!.description).toBe(d.nodes[0]!.description);
  });
});
