import { describe, expect, it } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import type { Manifest } from '../../../src/manifest/types.js';
import { fixture, sel } from './fixture.js';
import { model } from './helpers.js';

/** The fixture as "this run", with `change` applied; the untouched fixture is the earlier run. */
function changed(change: (m: Manifest) => void): { now: Manifest; before: Manifest } {
  const now = fixture();
  change(now);
  return { now, before: fixture() };
}

function state(
  select: string,
  change: (m: Manifest) => void,
  resourceTypes?: Array<'model' | 'seed' | 'test' | 'source'>,
) {
  const { now, before } = changed(change);
  return sel({ select: [select], stateManifest: before, resourceTypes }, now);
}

describe('state:', () => {
  it('nothing changed: nothing modified', () => {
    expect(state('state:modified', () => {})).toEqual([]);
    expect(state('state:new', () => {})).toEqual([]);
  });

  it('a changed body (checksum) is modified and modified.body, with the tests on it', () => {
    const edit = (m: Manifest) => {
      const node = m.nodes['model.p.stg_users']!;
      node.raw_code = 'select 2';
      node.checksum = { name: 'sha256', checksum: 'other' };
    };
    expect(state('state:modified', edit)).toEqual(['stg_users']);
    expect(state('state:modified.body', edit, ['model'])).toEqual(['stg_users']);
    expect(state('state:modified.configs', edit)).toEqual([]);
    expect(state('state:modified+', edit, ['model'])).toEqual([
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_users',
    ]);
  });

  it('a changed config is modified and modified.configs, not modified.body', () => {
    const edit = (m: Manifest) => {
      m.nodes['model.p.dim_users']!.config.materialized = 'view';
    };
    expect(state('state:modified', edit)).toEqual([
      'dim_users',
      'relationships_fct_dim',
      'unique_dim_users_id',
    ]);
    expect(state('state:modified.configs', edit, ['model'])).toEqual(['dim_users']);
    expect(state('state:modified.body', edit, ['model'])).toEqual([]);
  });

  it('compares configs as written (unrendered_config) when they were recorded', () => {
    const now = fixture();
    const before = fixture();
    before.nodes['model.p.dim_users']!.unrendered_config = { materialized: 'table' };
    now.nodes['model.p.dim_users']!.unrendered_config = { materialized: 'table' };
    // The resolved schema differs (another target), the configs as written do not.
    now.nodes['model.p.dim_users']!.config.schema = 'dev_schema';
    expect(sel({ select: ['state:modified'], stateManifest: before, resourceTypes: ['model'] }, now)).toEqual(
      [],
    );
    now.nodes['model.p.dim_users']!.unrendered_config = { materialized: 'view' };
    expect(sel({ select: ['state:modified'], stateManifest: before, resourceTypes: ['model'] }, now)).toEqual(
      ['dim_users'],
    );
  });

  it('a changed relation is modified.relation', () => {
    const edit = (m: Manifest) => {
      const node = m.nodes['model.p.fct_sessions']!;
      node.alias = 'sessions';
    };
    expect(state('state:modified.relation', edit, ['model'])).toEqual(['fct_sessions']);
    expect(state('state:modified', edit, ['model'])).toEqual(['fct_sessions']);
  });

  it('a new node is new and modified, not old', () => {
    const add = (m: Manifest) => {
      m.nodes['model.p.brand_new'] = model('brand_new', { deps: ['model.p.rpt_daily'] });
    };
    expect(state('state:new', add)).toEqual(['brand_new']);
    expect(state('state:modified', add)).toEqual(['brand_new']);
    expect(state('state:modified.body', add)).toEqual(['brand_new']);
    expect(state('state:old', add, ['model'])).toHaveLength(6);
    expect(state('state:unmodified', add, ['model'])).toHaveLength(6);
  });

  it('a source is modified when where it points changes', () => {
    const edit = (m: Manifest) => {
      m.sources['source.p.crm.accounts']!.schema = 'crm_v2';
    };
    expect(state('state:modified', edit, ['source'])).toEqual(['crm.accounts']);
    expect(state('state:modified+', edit, ['model', 'source'])).toEqual(['crm.accounts', 'stg_accounts']);
    // A description is not a change.
    expect(
      state('state:modified', (m) => (m.sources['source.p.crm.accounts']!.description = 'now documented'), [
        'source',
      ]),
    ).toEqual([]);
  });

  it('an upstream macro change is modified and modified.macros', () => {
    const macros = (sql: string): Manifest['macros'] => ({
      'macro.p.cents': {
        unique_id: 'macro.p.cents',
        resource_type: 'macro',
        package_name: 'p',
        name: 'cents',
        path: 'macros/cents.sql',
        original_file_path: 'macros/cents.sql',
        macro_sql: sql,
        depends_on: { macros: [] },
        description: '',
        arguments: [],
      },
      'macro.p.money': {
        unique_id: 'macro.p.money',
        resource_type: 'macro',
        package_name: 'p',
        name: 'money',
        path: 'macros/money.sql',
        original_file_path: 'macros/money.sql',
        macro_sql: '{{ cents() }}',
        depends_on: { macros: ['macro.p.cents'] },
        description: '',
        arguments: [],
      },
    });
    const now = fixture();
    const before = fixture();
    now.macros = macros('x / 100');
    before.macros = macros('x / 100.0');
    now.nodes['model.p.fct_sessions']!.depends_on.macros = ['macro.p.money'];
    before.nodes['model.p.fct_sessions']!.depends_on.macros = ['macro.p.money'];
    const pick = (select: string) =>
      sel({ select: [select], stateManifest: before, resourceTypes: ['model'] }, now);
    expect(pick('state:modified.macros')).toEqual(['fct_sessions']);
    expect(pick('state:modified')).toEqual(['fct_sessions']);
    expect(pick('state:modified.body')).toEqual([]);
  });

  it('needs --state', () => {
    let error: unknown;
    try {
      sel({ select: ['state:modified'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QdbtError);
    expect((error as QdbtError).kind).toBe('usage');
    expect((error as QdbtError).message).toContain('needs --state');
  });

  it('rejects unknown state selectors', () => {
    expect(() => sel({ select: ['state:changed'] })).toThrow(
      `Invalid selector "state:changed": 'changed' is not a valid state selector`,
    );
  });
});
