// vars in project.yml as dbt reads them: global ones, ones scoped to the project's name, --vars over
// both, and string values holding Jinja rendered when used.
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/project/loadProject.js';
import { compileSelected } from '../../../src/project/selectAndCompile.js';
import { writeFixture } from '../../helpers/fixtureProject.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function compiled(projectYml: string, vars?: string, env: Record<string, string> = {}): string {
  const fixture = writeFixture({
    'project.yml': projectYml,
    'models/m.sql': `select '{{ var("w", "nope") }}' as w, '{{ var("g") }}' as g, '{{ var("e", "-") }}' as e`,
  });
  cleanups.push(fixture.cleanup);
  const project = loadProject({ projectDir: fixture.dir, vars, env });
  const [node] = compileSelected(project, ['model.fixture.m']);
  return node!.compiled_code!;
}

const PROJECT = `name: fixture
version: '1.0'
profile: fixture
vars:
  g: global
  w: global w
  e: "{{ env_var('QDBT_V', 'fromdefault') }}"
  fixture:
    w: scoped w
  other_package:
    w: not ours
`;

describe('project vars', () => {
  it('vars scoped to the project name win over global ones; other scopes are ignored', () => {
    expect(compiled(PROJECT)).toBe(`select 'scoped w' as w, 'global' as g, 'fromdefault' as e`);
  });

  it('--vars win over both', () => {
    expect(compiled(PROJECT, '{w: from the command line, g: cli g}')).toBe(
      `select 'from the command line' as w, 'cli g' as g, 'fromdefault' as e`,
    );
  });

  it('a var holding Jinja is rendered with the environment', () => {
    expect(compiled(PROJECT, undefined, { QDBT_V: 'fromenv' })).toBe(
      `select 'scoped w' as w, 'global' as g, 'fromenv' as e`,
    );
  });
});
