// A model's own {{ config(...) }} gets the checks project.yml and property YAML get, and
// templates' log() reaches the command's output.
import { afterEach, describe, expect, it } from 'vitest';
import { QdbtError, QdbtErrors } from '../../../src/errors.js';
import { loadProject } from '../../../src/project/loadProject.js';
import { compileSelected } from '../../../src/project/selectAndCompile.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fixture(files: Record<string, string>): string {
  const written = writeFixture(files);
  cleanups.push(written.cleanup);
  return written.dir;
}

function parseErrors(files: Record<string, string>): QdbtError[] {
  try {
    loadProject({ projectDir: fixture(files), env: {} });
  } catch (error) {
    if (error instanceof QdbtErrors) return error.errors;
    if (error instanceof QdbtError) return [error];
    throw error;
  }
  throw new Error('expected the project to be refused');
}

describe("a model's own config()", () => {
  it('refuses a misspelt materialization with the file, the line and the allowed values', () => {
    const [error, ...others] = parseErrors({
      'models/a.sql': `-- the first line\n{{ config(materialized='tabel') }}\nselect 1 as id`,
    });
    expect(others).toEqual([]);
    expect(error!.message).toBe(
      "config 'materialized' must be one of view, table, incremental, ephemeral, not 'tabel'",
    );
    expect(error!.location).toEqual({ file: 'models/a.sql', line: 2 });
    expect(error!.hint).toContain("'table'");
  });

  it('refuses wrong types in templates that need the full engine too, one error per bad key', () => {
    const errors = parseErrors({
      'models/b.sql': `{% set flag = 'no' %}\nselect 1 as id\n{{ config(enabled=flag, tags=5) }}`,
    });
    expect(errors.map((e) => [e.message, e.location?.file, e.location?.line])).toEqual([
      ["config 'enabled' must be true or false, not 'no'", 'models/b.sql', 3],
      ["config 'tags' must be a string or a list of strings, not 5", 'models/b.sql', 3],
    ]);
  });

  it('accepts the configs models commonly set, and adapter configs it does not know', () => {
    const dir = fixture({
      'models/c.sql': `{{ config(materialized='incremental', incremental_strategy='append', tags=['finance'], file_format='orc', partition_by=['dt'], partition={'dt': '2024-01-01'}, my_adapter_option=1) }}select 1 as id, '2024-01-01' as dt`,
    });
    const project = loadProject({ projectDir: dir, env: {} });
    const node = project.parsed.manifest.nodes['model.fixture.c']!;
    expect(node.config).toMatchObject({
      materialized: 'incremental',
      file_format: 'orc',
      my_adapter_option: 1,
    });
  });
});

describe('log() in templates', () => {
  it('writes info=True messages as info and the others as debug, while parsing and compiling', () => {
    const dir = fixture({
      'macros/say.sql': `{% macro say(what) %}{{ log('macro says ' ~ what, info=True) }}{% endmacro %}`,
      'models/d.sql': `{{ log('parsing or compiling d', info=True) }}{{ log('quiet detail') }}{% if execute %}{{ say('hi') }}{% endif %}select 1 as id`,
    });
    const lines: Array<[string, boolean]> = [];
    const project = loadProject({
      projectDir: dir,
      env: {},
      templateLog: (m, info) => lines.push([m, info]),
    });
    expect(lines).toEqual([
      ['parsing or compiling d', true],
      ['quiet detail', false],
    ]);
    lines.length = 0;
    compileSelected(project, ['model.fixture.d']);
    expect(lines).toEqual([
      ['parsing or compiling d', true],
      ['quiet detail', false],
      ['macro says hi', true],
    ]);
  });
});
