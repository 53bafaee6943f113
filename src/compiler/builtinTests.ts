/**
 * dbt's four built-in generic tests rendered without the template engine: thousands of tests per
 * project make this the hot path of compiling. The text is exactly what the `{% test %}` blocks in
 * parser/builtinMacros.ts render (a unit test holds the two together); anything unusual in the
 * arguments returns null and goes through the engine.
 */
export function renderBuiltinTest(name: string, kwargs: Record<string, unknown>): string | null {
  const model = plain(kwargs.model, true);
  const column = plain(kwargs.column_name, false);
  if (model === null || column === null) return null;
  switch (name) {
    case 'not_null':
      if (!only(kwargs, ['model', 'column_name'])) return null;
      return `select ${column}\nfrom ${model}\nwhere ${column} is null`;
    case 'unique':
      if (!only(kwargs, ['model', 'column_name'])) return null;
      return `select ${column} as unique_field, count(*) as n_records\nfrom ${model}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1`;
    case 'accepted_values': {
      if (!only(kwargs, ['model', 'column_name', 'values', 'quote'])) return null;
      const quote = kwargs.quote === undefined ? true : kwargs.quote;
      if (typeof quote !== 'boolean' || !Array.isArray(kwargs.values) || kwargs.values.length === 0)
        return null;
      const values: string[] = [];
      for (const value of kwargs.values) {
        if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return null;
        values.push(quote ? `'${value}'` : String(value));
      }
      return `with all_values as (\n  select ${column} as value_field, count(*) as n_records\n  from ${model}\n  group by ${column}\n)\nselect * from all_values\nwhere value_field not in (${values.join(', ')})`;
    }
    case 'relationships': {
      if (!only(kwargs, ['model', 'column_name', 'to', 'field'])) return null;
      const to = plain(kwargs.to, true);
      const field = plain(kwargs.field, false);
      if (to === null || field === null) return null;
      return `with child as (\n  select ${column} as from_field\n  from ${model}\n  where ${column} is not null\n),\nparent as (\n  select ${field} as to_field\n  from ${to}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`;
    }
    default:
      return null;
  }
}

/** A string, or (for relations) an object that renders itself; anything else goes to the engine. */
function plain(value: unknown, relation: boolean): string | null {
  if (typeof value === 'string') return value;
  if (relation && typeof value === 'object' && value !== null && Object.hasOwn(value, 'toString') === false) {
    const text = String(value);
    return text === '[object Object]' ? null : text;
  }
  return null;
}

function only(kwargs: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(kwargs).every((key) => allowed.includes(key));
}
