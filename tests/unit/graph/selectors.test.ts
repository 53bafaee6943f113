import { describe, expect, it } from 'vitest';
import { QdbtError } from '../../../src/errors.js';
import { parseSelectorsFile } from '../../../src/graph/selectors.js';
import { run, sel } from './fixture.js';

const FILE = `selectors:
  - name: staging_tables
    description: Staging models built as tables
    definition:
      intersection:
        - tag:staging
        - config.materialized:table
  - name: nightly
    description: What runs at night
    default: true
    definition:
      union:
        - method: tag
          value: daily
          children: true
        - method: fqn
          value: dim_users
        - exclude:
            - rpt_daily
  - name: upstream_of_report
    definition:
      method: fqn
      value: rpt_daily
      parents: true
      parents_depth: 1
  - name: marts_no_dim
    definition:
      method: path
      value: models/marts
      exclude:
        - dim_users
  - name: string_form
    definition: +stg_users
  - name: referencing
    definition:
      union:
        - method: selector
          value: staging_tables
        - selector: string_form
  - name: cautious_marts
    definition:
      method: fqn
      value: marts
      indirect_selection: cautious
  - name: one_key
    definition:
      config.materialized: incremental
  - name: at_form
    definition:
      method: fqn
      value: stg_events
      childrens_parents: true
`;

const selectors = parseSelectorsFile(FILE, 'selectors.yml');

function projectError(text: string): QdbtError {
  try {
    parseSelectorsFile(text, 'selectors.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(QdbtError);
    expect((e as QdbtError).kind).toBe('project');
    return e as QdbtError;
  }
  throw new Error('expected a project error');
}

const named = (selector: string, resourceTypes: Array<'model' | 'seed' | 'test' | 'source'> = ['model']) =>
  sel({ selector, selectors, resourceTypes });

describe('parseSelectorsFile', () => {
  it('reads name, description, default and the definition as written', () => {
    expect(Object.keys(selectors)).toEqual([
      'staging_tables',
      'nightly',
      'upstream_of_report',
      'marts_no_dim',
      'string_form',
      'referencing',
      'cautious_marts',
      'one_key',
      'at_form',
    ]);
    expect(selectors.staging_tables).toEqual({
      name: 'staging_tables',
      description: 'Staging models built as tables',
      default: false,
      definition: { intersection: ['tag:staging', 'config.materialized:table'] },
    });
    expect(selectors.nightly!.default).toBe(true);
    expect(selectors.string_form!.description).toBe('');
  });

  it('returns nothing for an empty file', () => {
    expect(parseSelectorsFile('', 'selectors.yml')).toEqual({});
    expect(parseSelectorsFile('selectors:\n', 'selectors.yml')).toEqual({});
  });

  it('reports YAML syntax errors with file:line:col', () => {
    const e = projectError('selectors:\n  - name: a\n    definition: [unclosed\n');
    expect(e.location?.file).toBe('selectors.yml');
    expect(e.location?.line).toBe(4);
    expect(e.message).toMatch(/^Invalid YAML: /);
  });

  it('reports unknown methods at their line', () => {
    const e = projectError(
      'selectors:\n  - name: a\n    definition:\n      method: colour\n      value: red\n',
    );
    expect(e.message).toBe(
      `Selector 'a': Invalid selector "colour:red": 'colour' is not a valid method name`,
    );
    expect(e.hint).toContain('graph operators');
    expect(e.location).toEqual({ file: 'selectors.yml', line: 4, column: 7 });
  });

  it('reports bad selector strings inside a union at their line', () => {
    const e = projectError(
      'selectors:\n  - name: a\n    definition:\n      union:\n        - tag:x\n        - "@x+"\n',
    );
    expect(e.message).toContain('the "@" prefix and the "+" suffix cannot be combined');
    expect(e.location).toEqual({ file: 'selectors.yml', line: 6, column: 11 });
  });

  it('reports duplicate names, two defaults, missing definitions and unknown keys', () => {
    const dup = projectError('selectors:\n  - name: a\n    definition: x\n  - name: a\n    definition: y\n');
    expect(dup.message).toBe("Found duplicate selector name 'a'");
    expect(dup.location).toEqual({ file: 'selectors.yml', line: 4, column: 11 });
    expect(
      projectError(
        'selectors:\n  - name: a\n    default: true\n    definition: x\n  - name: b\n    default: true\n    definition: y\n',
      ).message,
    ).toBe("Found multiple selectors with `default: true`: 'a' and 'b'");
    expect(projectError('selectors:\n  - name: a\n').message).toBe("Selector 'a' needs a `definition:`");
    const unknown = projectError('selectors:\n  - name: a\n    definiton: x\n');
    expect(unknown.message).toBe(
      "Unknown key 'definiton' in a selector; allowed: name, description, default, definition",
    );
    expect(unknown.location?.line).toBe(3);
    expect(projectError('selector:\n  - name: a\n').message).toBe(
      "Unknown top-level key 'selector'; expected only 'selectors'",
    );
  });

  it('reports references to unknown selectors, with a suggestion, and reference cycles', () => {
    const e = projectError(
      'selectors:\n  - name: a\n    definition:\n      method: selector\n      value: bb\n  - name: b\n    definition: x\n',
    );
    expect(e.message).toBe("Selector 'a': Existing selector definition for 'bb' not found");
    expect(e.hint).toBe("Did you mean 'b'?");
    expect(e.location?.line).toBe(5);
    const cycle = projectError(
      'selectors:\n  - name: a\n    definition:\n      selector: b\n  - name: b\n    definition:\n      selector: a\n',
    );
    expect(cycle.message).toBe("Selector 'a': selector references form a cycle: a -> b -> a");
  });

  it('rejects more than one key next to a root union', () => {
    const e = projectError('selectors:\n  - name: a\n    definition:\n      union: [x]\n      method: tag\n');
    expect(e.message).toContain("Only a single 'union' or 'intersection' key is allowed");
  });

  it('rejects two excludes in one union', () => {
    const e = projectError(
      'selectors:\n  - name: a\n    definition:\n      union:\n        - x\n        - exclude: [y]\n        - exclude: [z]\n',
    );
    expect(e.message).toContain('You cannot provide multiple exclude arguments');
  });
});

describe('named selectors in selection', () => {
  it('intersection', () => {
    expect(named('staging_tables')).toEqual(['stg_accounts']);
  });

  it('union with children and an exclude', () => {
    expect(named('nightly')).toEqual(['dim_users', 'fct_sessions', 'stg_events']);
  });

  it('parents with a depth', () => {
    expect(named('upstream_of_report')).toEqual(['dim_users', 'fct_sessions', 'rpt_daily']);
  });

  it('method/value with exclude', () => {
    expect(named('marts_no_dim')).toEqual(['fct_sessions', 'rpt_daily']);
  });

  it('a string definition keeps its graph operators', () => {
    expect(named('string_form', ['model', 'source'])).toEqual(['app.users', 'stg_users']);
  });

  it('references to other selectors', () => {
    expect(named('referencing', ['model', 'source'])).toEqual(['app.users', 'stg_accounts', 'stg_users']);
  });

  it('one-key form and childrens_parents', () => {
    expect(named('one_key')).toEqual(['fct_sessions']);
    expect(named('at_form', ['model', 'seed'])).toEqual([
      'country_codes',
      'dim_users',
      'fct_sessions',
      'rpt_daily',
      'stg_events',
      'stg_users',
    ]);
  });

  it('indirect_selection in a definition overrides the flag', () => {
    expect(sel({ selector: 'cautious_marts', selectors, resourceTypes: ['test'] })).toEqual([
      'assert_positive',
      'relationships_fct_dim',
      'unique_dim_users_id',
    ]);
    const m = parseSelectorsFile(
      'selectors:\n  - name: f\n    definition:\n      method: fqn\n      value: fct_sessions\n      indirect_selection: cautious\n',
      's.yml',
    );
    expect(sel({ selector: 'f', selectors: m, resourceTypes: ['test'] })).toEqual(['assert_positive']);
  });

  it('the default selector applies without --select or --exclude', () => {
    const r = run({ selectors, resourceTypes: ['model'] });
    expect(r.defaultSelector).toBe('nightly');
    expect([...r.selected].sort()).toEqual([
      'model.p.dim_users',
      'model.p.fct_sessions',
      'model.p.stg_events',
    ]);
    expect(sel({ selectors, select: ['staging'], resourceTypes: ['model'] })).toEqual([
      'stg_accounts',
      'stg_events',
      'stg_users',
    ]);
    expect(
      run({ selectors, exclude: ['staging'], resourceTypes: ['model'] }).defaultSelector,
    ).toBeUndefined();
  });

  it('unknown selector names and --selector with --select are usage errors', () => {
    let error: unknown;
    try {
      run({ selector: 'nighty', selectors });
    } catch (e) {
      error = e;
    }
    expect((error as QdbtError).kind).toBe('usage');
    expect((error as QdbtError).message).toBe("Unknown selector 'nighty'");
    expect((error as QdbtError).hint).toBe("Did you mean 'nightly'?");
    expect(() => run({ selector: 'nightly', selectors, select: ['x'] })).toThrow(
      '--selector cannot be combined with --select or --exclude',
    );
  });
});
