import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createTemplateEngine } from '../../../src/templating/engine.js';
import { GOLDEN_DIR, Relation, baseContext, goldenMacroFiles, nodeContext } from './helpers.js';

const inputs = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.sql') && !f.endsWith('.rendered.sql'))
  .sort();

describe('golden renders', () => {
  const logs: string[] = [];
  const engine = createTemplateEngine({ macroFiles: goldenMacroFiles(), baseContext: baseContext(logs) });

  test('there are golden inputs', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(9);
  });

  test.each(inputs)('%s', async (file) => {
    const source = readFileSync(join(GOLDEN_DIR, file), 'utf8');
    const { sql } = engine.render(`models/${file}`, source, nodeContext());
    await expect(sql + '\n').toMatchFileSnapshot(join(GOLDEN_DIR, file.replace(/\.sql$/, '.rendered.sql')));
  });

  test('generic test block', async () => {
    const sql = engine.renderGenericTest(
      'is_positive',
      { model: new Relation('analytics', 'orders'), column_name: 'amount', allow_zero: true },
      nodeContext(),
    );
    await expect(sql + '\n').toMatchFileSnapshot(join(GOLDEN_DIR, 'generic_test_is_positive.rendered.sql'));
  });

  test('log() and exceptions.warn() reach the logger', () => {
    engine.render('models/globals.sql', readFileSync(join(GOLDEN_DIR, 'globals.sql'), 'utf8'), nodeContext());
    expect(logs).toContain('info: hello from the template');
    expect(logs).toContain('info: Warning: careful');
  });
});
