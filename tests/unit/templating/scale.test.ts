import { describe, expect, test } from 'vitest';
import { staticParse, staticRender } from '../../../src/templating/staticParser.js';
import { engineWith, nodeContext } from './helpers.js';

const N = 10_000;

function model(i: number): string {
  return (
    `{{ config(materialized='table', tags=['t${i % 7}']) }}\n` +
    `select o.id, o.amount_${i}, c.name\n` +
    `from {{ ref('orders_${i}') }} o\n` +
    `join {{ ref('customers_${i % 100}') }} c on o.customer_id = c.id\n` +
    `{% if is_incremental() %}where o.updated_at > (select max(updated_at) from {{ this }}){% endif %}\n`
  );
}

describe('scale', () => {
  const macros: Record<string, string> = {};
  for (let i = 0; i < 200; i++) {
    macros[`macros/m${i}.sql`] =
      `{% macro m${i}(col, scale=2) -%}\n  ({{ col }} / 100)::decimal(16, {{ scale }})\n{%- endmacro %}\n`;
  }

  test(`creates an engine with 200 macro files, renders ${N} models`, () => {
    let t = performance.now();
    const engine = engineWith(macros);
    const createMs = performance.now() - t;

    const sources = Array.from({ length: N }, (_, i) => model(i));
    const ctx = nodeContext();
    t = performance.now();
    for (let i = 0; i < N; i++) engine.render(`models/m${i}.sql`, sources[i]!, ctx);
    const coldMs = performance.now() - t;

    t = performance.now();
    for (let i = 0; i < N; i++) engine.render(`models/m${i}.sql`, sources[i]!, ctx);
    const warmMs = performance.now() - t;

    const plain = sources.map((s) => s.replace(/\{% if.*\n/, ''));
    t = performance.now();
    let staticCount = 0;
    for (const s of plain) {
      const calls = staticParse(s);
      if (calls) {
        staticRender(s, calls, (c) => `\`analytics\`.\`${c.args[0]}\``);
        staticCount++;
      }
    }
    const staticMs = performance.now() - t;

    console.log(
      `engine creation (200 macro files): ${createMs.toFixed(1)} ms; ` +
        `${N} models compiled+rendered: ${coldMs.toFixed(0)} ms; cached renders: ${warmMs.toFixed(0)} ms; ` +
        `static path: ${staticMs.toFixed(0)} ms`,
    );
    // Speed is a benchmark's business (bench/); this test keeps the fast path taking every simple model.
    expect(staticCount).toBe(N);
  });
});
