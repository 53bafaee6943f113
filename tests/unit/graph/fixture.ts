import { buildGraph } from '../../../src/graph/graph.js';
import { selectNodes, type SelectionOptions } from '../../../src/graph/select.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { manifest, model, seed, short, source, test } from './helpers.js';

/**
 *   app.events ─ stg_events ─┬─ fct_sessions ─┬─ rpt_daily
 *   app.users ── stg_users ──┤                │
 *                            └─ dim_users ────┘
 *   country_codes (seed) ────┘
 *   crm.accounts ─ stg_accounts
 * tests: not_null_stg_events_id (stg_events), unique_dim_users_id (dim_users),
 *   relationships_fct_dim (fct_sessions + dim_users), assert_positive (singular, fct_sessions),
 *   source_not_null_app_events_id (app.events)
 */
export function fixture(): Manifest {
  return manifest([
    source('app', 'events', { tags: ['raw'] }),
    source('app', 'users'),
    source('crm', 'accounts'),
    seed('country_codes'),
    model('stg_events', { folder: 'staging', deps: ['source.p.app.events'], tags: ['staging', 'daily'] }),
    model('stg_users', { folder: 'staging', deps: ['source.p.app.users'], tags: ['staging'] }),
    model('stg_accounts', {
      folder: 'staging',
      deps: ['source.p.crm.accounts'],
      tags: ['staging'],
      config: { materialized: 'table' },
    }),
    model('fct_sessions', {
      folder: 'marts',
      deps: ['model.p.stg_events', 'model.p.stg_users'],
      tags: ['daily', 'finance'],
      config: { materialized: 'incremental', partition_by: ['dt', 'hour'], full_refresh: false },
    }),
    model('dim_users', {
      folder: 'marts',
      deps: ['model.p.stg_users', 'seed.p.country_codes'],
      config: { materialized: 'table', meta: { owner: 'ana' } },
    }),
    model('rpt_daily', {
      folder: 'marts/reporting',
      deps: ['model.p.fct_sessions', 'model.p.dim_users'],
      config: { materialized: 'table' },
    }),
    test('not_null_stg_events_id', ['model.p.stg_events']),
    test('unique_dim_users_id', ['model.p.dim_users'], { testName: 'unique', config: { severity: 'warn' } }),
    test('relationships_fct_dim', ['model.p.fct_sessions', 'model.p.dim_users'], {
      testName: 'relationships',
    }),
    test('assert_positive', ['model.p.fct_sessions'], { singular: true }),
    test('source_not_null_app_events_id', ['source.p.app.events']),
  ]);
}

const m = fixture();
const g = buildGraph(m);

/** Selected short names (`stg_events`, `app.events`) for the given options on the fixture. */
export function sel(options: SelectionOptions, on: Manifest = m): string[] {
  return short(selectNodes(on, on === m ? g : buildGraph(on), options).selected);
}

export function run(options: SelectionOptions, on: Manifest = m) {
  return selectNodes(on, on === m ? g : buildGraph(on), options);
}
