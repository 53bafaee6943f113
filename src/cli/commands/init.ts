import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QdbtError } from '../../errors.js';
import { contextFrom } from '../globalOptions.js';

export function registerInitCommand(program: Command): void {
  program
    .command('init <name>')
    .description('create a new qdbt project in the folder <name>')
    .option('--schema <schema>', 'the Hive database models are built in', 'analytics')
    .action((name: string, opts: { schema: string }, command: Command) => {
      const { reporter } = contextFrom(command);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new QdbtError(
          'usage',
          `project name '${name}' must be letters, digits and underscores, starting with a letter`,
        );
      }
      const dir = resolve(name);
      if (existsSync(join(dir, 'project.yml'))) {
        throw new QdbtError('usage', `${dir} already holds a project.yml`, {
          hint: 'Choose another name, or work in the existing project.',
        });
      }
      for (const [path, text] of Object.entries(skeleton(name, opts.schema))) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      for (const folder of ['macros', 'seeds', 'tests', 'analyses'])
        mkdirSync(join(dir, folder), { recursive: true });
      reporter.emit({
        name: 'init_done',
        level: 'info',
        message: `Created project '${name}' in ${dir}. Next: cd ${name} && qdbt compile`,
      });
    });
}

function skeleton(name: string, schema: string): Record<string, string> {
  return {
    'project.yml': `name: ${name}
version: '1.0.0'
config-version: 2
profile: ${name}

model-paths: ['models']
macro-paths: ['macros']
seed-paths: ['seeds']
test-paths: ['tests']
target-path: target
clean-targets: ['target', 'logs']

models:
  ${name}:
    +materialized: view
    +file_format: parquet
`,
    'profiles.yml': `${name}:
  target: local
  outputs:
    local:
      type: hive
      host: "{{ env_var('QDBT_HIVE_HOST', '127.0.0.1') }}"
      port: 10000
      auth: NONE
      schema: ${schema}
      threads: 4
      session:
        hive.exec.dynamic.partition.mode: nonstrict
`,
    '.gitignore': 'target/\nlogs/\n.qdbt/\n',
    'models/example/my_first_model.sql': `{{ config(materialized='table') }}

select 1 as id, 'hello' as greeting
`,
    'models/example/my_second_model.sql': `select id, upper(greeting) as greeting
from {{ ref('my_first_model') }}
`,
    'models/example/schema.yml': `version: 2

models:
  - name: my_first_model
    description: A starter model.
    columns:
      - name: id
        description: The primary key.
        data_tests:
          - unique
          - not_null
`,
  };
}
