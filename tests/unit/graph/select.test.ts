import { describe, expect, it } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import { buildGraph } from '../../../src/graph/graph.js';
import { selectNodes } from '../../../src/graph/select.js';
import { fixture, run, sel } from './fixture.js';
import { manifest, model, short, test } from './helpers.js';

const s = (...select: string[]) => sel({ select });
const models = (...select: string[]) => sel({ select, resourceTypes: ['model'] });

function usageError(fn: () => unknown): QdbtError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QdbtError);
    expect((e as QdbtError).kind).toBe('usage');
    return e as QdbtError;
  }
  throw new Error('expected a usage error');
}

const ALL = [
  'app.events',
  'app.users',
  'assert_positive',
  'country_codes',
  'crm.accounts',
  'dim_users',
  'fct_sessions',
  'not_null_stg_events_id',
  'relationships_fct_dim',
  'rpt_daily',
  'source_not_null_app_events_id',
  'stg_accounts',
  'stg_events',
  'stg_users',
  'unique_dim_users_id',
];

describe('no selection', () => {
  it('selects everything', () => {
    expect(sel({})).toEqual(ALL);
    expect(sel({ select: [] })).toEqual(ALL);
  });

  it('selects everything of the resource types asked', () => {
    expect(sel({ resourceTypes: ['model'] })).toEqual([
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_accounts',
      'stg_events',
      'stg_users',
    ]);
    expect(sel({ resourceTypes: ['seed', 'source'] })).toEqual([
      'app.events',
      'app.users',
      'country_codes',
      'crm.accounts',
    ]);
  });

  it('--exclude alone removes from everything, with the tests of what it removes', () => {
    expect(sel({ exclude: ['marts'] })).toEqual([
      'app.events',
      'app.users',
      'country_codes',
      'crm.accounts',
      'not_null_stg_events_id',
      'source_not_null_app_events_id',
      'stg_accounts',
      'stg_events',
      'stg_users',
    ]);
  });
});

describe('fqn (the default method)', () => {
  it('matches a node name, with the tests on it (eager)', () => {
    expect(s('stg_events')).toEqual(['not_null_stg_events_id', 'stg_events']);
    expect(models('stg_events')).toEqual(['stg_events']);
  });

  it('matches a folder, a folder path and globs', () => {
    expect(models('staging')).toEqual(['stg_accounts', 'stg_events', 'stg_users']);
    expect(models('marts.reporting')).toEqual(['rpt_daily']);
    expect(models('marts.*')).toEqual(['dim_users', 'fct_sessions', 'rpt_daily']);
    expect(models('staging.stg_users')).toEqual(['stg_users']);
    expect(models('p.staging.stg_u*')).toEqual(['stg_users']);
    // As in dbt, a glob matches the rest of the fqn from its part on: `stg_*` alone does not
    // reach into staging/, `*stg_*` (a `*` also crosses dots) does.
    expect(models('stg_*')).toEqual([]);
    expect(models('*stg_*')).toEqual(['stg_accounts', 'stg_events', 'stg_users']);
    expect(models('*.stg_e*')).toEqual(['stg_events']);
    expect(models('staging.stg_[ae]*')).toEqual(['stg_accounts', 'stg_events']);
    expect(models('fqn:*')).toEqual([
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_accounts',
      'stg_events',
      'stg_users',
    ]);
  });

  it('matches the package name, and never sources', () => {
    expect(models('p')).toHaveLength(6);
    expect(s('events')).toEqual([]);
  });

  it('a prefix must match whole parts', () => {
    expect(models('stag')).toEqual([]);
    expect(models('marts.report')).toEqual([]);
  });

  it('`x.sql` is the file method and `a/b` the path method', () => {
    expect(models('dim_users.sql')).toEqual(['dim_users']);
    expect(models('models/marts/reporting')).toEqual(['rpt_daily']);
  });
});

describe('graph operators', () => {
  it('x+ and x+1', () => {
    expect(models('stg_users+')).toEqual(['dim_users', 'fct_sessions', 'rpt_daily', 'stg_users']);
    expect(models('stg_users+1')).toEqual(['dim_users', 'fct_sessions', 'stg_users']);
  });

  it('+x and 1+x, reaching sources and seeds', () => {
    // relationships_fct_dim comes with dim_users: eager takes a test if any parent is selected.
    expect(s('+dim_users')).toEqual([
      'app.users',
      'country_codes',
      'dim_users',
      'relationships_fct_dim',
      'stg_users',
      'unique_dim_users_id',
    ]);
    expect(sel({ select: ['1+rpt_daily'], resourceTypes: ['model'] })).toEqual([
      'dim_users',
      'fct_sessions',
      'rpt_daily',
    ]);
    expect(sel({ select: ['2+rpt_daily'], resourceTypes: ['model', 'seed'] })).toEqual([
      'country_codes',
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_events',
      'stg_users',
    ]);
  });

  it('+x+ and 1+x+1', () => {
    expect(models('+fct_sessions+')).toEqual(['fct_sessions', 'rpt_daily', 'stg_events', 'stg_users']);
    expect(models('1+dim_users+1')).toEqual(['dim_users', 'rpt_daily', 'stg_users']);
  });

  it('@x: the children and all their parents', () => {
    expect(sel({ select: ['@stg_events'], resourceTypes: ['model', 'seed', 'source'] })).toEqual([
      'app.events',
      'app.users',
      'country_codes',
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_events',
      'stg_users',
    ]);
  });

  it('x+ selects tests as children', () => {
    expect(s('fct_sessions+')).toEqual([
      'assert_positive',
      'fct_sessions',
      'relationships_fct_dim',
      'rpt_daily',
    ]);
  });

  it('@ with a + suffix is an error', () => {
    const e = usageError(() => s('@stg_users+'));
    expect(e.message).toBe(
      'Invalid selector "@stg_users+": the "@" prefix and the "+" suffix cannot be combined',
    );
  });
});

describe('methods', () => {
  it('tag:', () => {
    expect(models('tag:daily')).toEqual(['fct_sessions', 'stg_events']);
    expect(models('tag:fin*')).toEqual(['fct_sessions']);
    expect(s('tag:raw')).toEqual(['app.events', 'source_not_null_app_events_id']);
  });

  it('path: files, folders, globs, ./ and trailing slashes', () => {
    expect(models('path:models/staging')).toEqual(['stg_accounts', 'stg_events', 'stg_users']);
    expect(models('path:./models/staging/')).toEqual(['stg_accounts', 'stg_events', 'stg_users']);
    expect(models('path:models/marts/dim_users.sql')).toEqual(['dim_users']);
    expect(models('path:models/*/reporting')).toEqual(['rpt_daily']);
    expect(models('path:models/marts/*.sql')).toEqual(['dim_users', 'fct_sessions']);
    expect(models('path:models/**/rpt_*.sql')).toEqual(['rpt_daily']);
    expect(models('path:models/sta')).toEqual([]);
    expect(sel({ select: ['path:seeds'] })).toEqual(['country_codes']);
    expect(sel({ select: ['path:tests'] })).toEqual(['assert_positive']);
    expect(sel({ select: ['path:models/sources.yml'], resourceTypes: ['source'] })).toEqual([
      'app.events',
      'app.users',
      'crm.accounts',
    ]);
  });

  it('file:', () => {
    expect(models('file:stg_events.sql')).toEqual(['stg_events']);
    expect(models('file:stg_events')).toEqual(['stg_events']);
    expect(models('file:stg_*.sql')).toEqual(['stg_accounts', 'stg_events', 'stg_users']);
  });

  it('config.<key>: values, lists by membership, nested keys, booleans', () => {
    expect(models('config.materialized:table')).toEqual(['dim_users', 'rpt_daily', 'stg_accounts']);
    expect(models('config.materialized:incremental')).toEqual(['fct_sessions']);
    expect(models('config.partition_by:hour')).toEqual(['fct_sessions']);
    expect(models('config.meta.owner:ana')).toEqual(['dim_users']);
    expect(models('config.full_refresh:false')).toEqual(['fct_sessions']);
    expect(models('config.full_refresh:FALSE')).toEqual(['fct_sessions']);
    expect(models('config.enabled:true')).toHaveLength(6);
    expect(models('config.materialized:tab*')).toEqual([]);
    expect(models('config.nope:x')).toEqual([]);
    expect(sel({ select: ['config.severity:WARN'] })).toEqual(['unique_dim_users_id']);
  });

  it('source: by source, by table, globs, and + for children', () => {
    expect(s('source:app')).toEqual(['app.events', 'app.users', 'source_not_null_app_events_id']);
    expect(s('source:app.users')).toEqual(['app.users']);
    expect(s('source:p.crm.*')).toEqual(['crm.accounts']);
    expect(s('source:*.accounts')).toEqual(['crm.accounts']);
    expect(sel({ select: ['source:app.users+'], resourceTypes: ['model'] })).toEqual([
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_users',
    ]);
    expect(usageError(() => s('source:a.b.c.d')).message).toContain('source_name.table_name');
  });

  it('resource_type:', () => {
    expect(s('resource_type:seed')).toEqual(['country_codes']);
    expect(s('resource_type:source')).toEqual([
      'app.events',
      'app.users',
      'crm.accounts',
      'source_not_null_app_events_id',
    ]);
    expect(s('resource_type:snapshot')).toEqual([]);
    const e = usageError(() => s('resource_type:table'));
    expect(e.message).toBe(`Invalid selector "resource_type:table": 'table' is not a valid resource_type`);
    expect(e.hint).toContain('model');
  });

  it('package: and package:this', () => {
    expect(models('package:p')).toHaveLength(6);
    expect(models('package:this')).toHaveLength(6);
    expect(models('package:other')).toEqual([]);
  });

  it('test_type: and test_name:', () => {
    expect(s('test_type:singular')).toEqual(['assert_positive']);
    expect(s('test_type:generic')).toEqual([
      'not_null_stg_events_id',
      'relationships_fct_dim',
      'source_not_null_app_events_id',
      'unique_dim_users_id',
    ]);
    expect(s('test_type:data')).toHaveLength(5);
    expect(s('test_name:unique')).toEqual(['unique_dim_users_id']);
    expect(s('test_name:not_*')).toEqual(['not_null_stg_events_id', 'source_not_null_app_events_id']);
    expect(usageError(() => s('test_type:weird')).hint).toBe(
      'Expected one of: generic, singular, schema, data, unit.',
    );
  });

  it('methods for resources qdbt has none of match nothing', () => {
    expect(s('exposure:x')).toEqual([]);
  });
});

describe('union, intersection, exclude', () => {
  it('space-separated words and separate words are a union', () => {
    expect(models('stg_events stg_users')).toEqual(['stg_events', 'stg_users']);
    expect(models('stg_events', 'tag:finance')).toEqual(['fct_sessions', 'stg_events']);
  });

  it('commas intersect, each part with its own operators', () => {
    expect(models('tag:staging,config.materialized:table')).toEqual(['stg_accounts']);
    expect(models('+rpt_daily,tag:staging')).toEqual(['stg_events', 'stg_users']);
    expect(models('stg_users+,marts.*,config.materialized:table')).toEqual(['dim_users', 'rpt_daily']);
  });

  it('--exclude removes nodes and, eagerly, the tests on them', () => {
    expect(sel({ select: ['marts'], exclude: ['dim_users'] })).toEqual([
      'assert_positive',
      'fct_sessions',
      'rpt_daily',
    ]);
    expect(
      sel({ select: ['staging'], exclude: ['tag:daily stg_accounts'], resourceTypes: ['model'] }),
    ).toEqual(['stg_users']);
    expect(
      sel({
        select: ['+rpt_daily'],
        exclude: ['source:*', 'resource_type:seed'],
        resourceTypes: ['model', 'seed', 'source'],
      }),
    ).toEqual(['dim_users', 'fct_sessions', 'rpt_daily', 'stg_events', 'stg_users']);
  });
});

describe('indirect selection of tests', () => {
  it('eager takes a test when any parent is selected', () => {
    expect(sel({ select: ['fct_sessions'], resourceTypes: ['test'] })).toEqual([
      'assert_positive',
      'relationships_fct_dim',
    ]);
  });

  it('cautious takes a test only when all its parents are selected', () => {
    const cautious = (...select: string[]) =>
      sel({ select, indirectSelection: 'cautious', resourceTypes: ['test'] });
    expect(cautious('fct_sessions')).toEqual(['assert_positive']);
    expect(cautious('fct_sessions', 'dim_users')).toEqual([
      'assert_positive',
      'relationships_fct_dim',
      'unique_dim_users_id',
    ]);
    expect(cautious('marts')).toEqual(['assert_positive', 'relationships_fct_dim', 'unique_dim_users_id']);
  });

  it('buildable also takes tests whose other parents are upstream of the selection', () => {
    const m = manifest([
      model('a'),
      model('b', { deps: ['model.p.a'] }),
      test('rel_b_a', ['model.p.b', 'model.p.a']),
    ]);
    const g = buildGraph(m);
    const pick = (mode: 'cautious' | 'buildable') =>
      short(selectNodes(m, g, { select: ['b'], indirectSelection: mode }).selected);
    expect(pick('cautious')).toEqual(['b']);
    expect(pick('buildable')).toEqual(['b', 'rel_b_a']);
  });

  it('tests selected directly stay selected', () => {
    expect(sel({ select: ['relationships_fct_dim'], indirectSelection: 'cautious' })).toEqual([
      'relationships_fct_dim',
    ]);
  });
});

describe('warnings and errors', () => {
  it('warns for each word that matches nothing, and when nothing is left', () => {
    const r = run({ select: ['stg_events', 'nope'] });
    expect(short(r.selected)).toEqual(['not_null_stg_events_id', 'stg_events']);
    expect(r.warnings).toEqual(["The selection criterion 'nope' does not match any enabled nodes"]);
    const none = run({ select: ['nope'] });
    expect(none.selected.size).toBe(0);
    expect(none.warnings).toEqual([
      "The selection criterion 'nope' does not match any enabled nodes",
      'Nothing to do. Try checking your model configs and model specification args',
    ]);
  });

  it('no warnings when everything matches', () => {
    expect(run({ select: ['stg_events'] }).warnings).toEqual([]);
  });

  it('rejects unknown methods, naming what is allowed', () => {
    const e = usageError(() => s('colour:red'));
    expect(e.message).toBe(`Invalid selector "colour:red": 'colour' is not a valid method name`);
    expect(e.hint).toContain('tag, path');
    expect(e.hint).toContain('`2+x`');
  });

  it('rejects empty values and empty comma parts', () => {
    expect(usageError(() => s('tag:')).message).toBe('Invalid selector "tag:": no value to select on');
    expect(usageError(() => s('+')).message).toBe('Invalid selector "+": no value to select on');
    expect(usageError(() => s('a,,b')).message).toBe('Invalid selector "a,,b": empty part around a comma');
    expect(usageError(() => s('config:table')).message).toContain('config needs a key');
  });

  it('does not select disabled nodes', () => {
    const m = fixture();
    m.nodes['model.p.stg_users']!.config.enabled = false;
    expect(sel({ select: ['staging'], resourceTypes: ['model'] }, m)).toEqual(['stg_accounts', 'stg_events']);
  });
});
