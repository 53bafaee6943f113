/**
 * `{{ env_var('NAME') }}` and `{{ env_var('NAME', 'default') }}` in string values of
 * profiles.yml and project.yml, with the filters dbt users write after them. Other `{{ ... }}`
 * blocks are left as written for the template stage.
 */
export type Env = Record<string, string | undefined>;

const BLOCK = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const CALL =
  /^env_var\(\s*(?:'([^']*)'|"([^"]*)")\s*(?:,\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|(true|false|True|False|none|None))\s*)?\)\s*((?:\|\s*\w+\s*(?:\(\s*\))?\s*)*)$/;

export const ENV_VAR_FILTERS = [
  'int',
  'as_number',
  'as_bool',
  'as_text',
  'string',
  'trim',
  'lower',
  'upper',
] as const;

export interface EnvVarProblem {
  message: string;
  hint: string;
}

/**
 * Renders the env_var() blocks of `text`. When the whole value is one block ending in
 * `| int`, `| as_number` or `| as_bool`, the result is a number or boolean; otherwise a string.
 */
export function renderEnvVars(text: string, env: Env, report: (problem: EnvVarProblem) => void): unknown {
  if (text.indexOf('env_var') < 0) return text;
  let typed: unknown = undefined;
  let whole = false;
  const out = text.replace(BLOCK, (block: string, inner: string, offset: number) => {
    if (!/^env_var\s*\(/.test(inner)) return block;
    const m = CALL.exec(inner);
    if (!m) {
      report({
        message: `cannot read '${block}'`,
        hint: `write {{ env_var('NAME') }} or {{ env_var('NAME', 'default') }}, optionally followed by | ${ENV_VAR_FILTERS.join(', | ')}`,
      });
      return block;
    }
    const name = (m[1] ?? m[2])!;
    let value: unknown = env[name];
    if (value === undefined) {
      const dflt = m[3] ?? m[4] ?? m[5] ?? m[6];
      if (dflt === undefined) {
        report({
          message: `environment variable '${name}' is not set, and env_var('${name}') has no default`,
          hint: `set ${name}, or give a default: {{ env_var('${name}', '...') }}`,
        });
        return block;
      }
      value = dflt === 'none' || dflt === 'None' ? '' : dflt;
    }
    const filters = (m[7] ?? '')
      .split('|')
      .map((f) => f.replace(/\(\s*\)/, '').trim())
      .filter((f) => f !== '');
    for (const filter of filters) value = applyFilter(filter, value, name, report);
    if (offset === 0 && block.length === text.length) {
      whole = true;
      typed = value;
    }
    return String(value);
  });
  return whole ? typed : out;
}

function applyFilter(
  filter: string,
  value: unknown,
  name: string,
  report: (p: EnvVarProblem) => void,
): unknown {
  const text = String(value);
  switch (filter) {
    case 'int': {
      const n = Number.parseInt(text, 10);
      if (Number.isNaN(n))
        report({
          message: `environment variable '${name}' is '${text}', not a whole number`,
          hint: `set ${name} to a number`,
        });
      return Number.isNaN(n) ? text : n;
    }
    case 'as_number': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n))
        report({
          message: `environment variable '${name}' is '${text}', not a number`,
          hint: `set ${name} to a number`,
        });
      return Number.isNaN(n) ? text : n;
    }
    case 'as_bool': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1' || t === 'yes') return true;
      if (t === 'false' || t === '0' || t === 'no' || t === '') return false;
      report({
        message: `environment variable '${name}' is '${text}', not true or false`,
        hint: `set ${name} to true or false`,
      });
      return text;
    }
    case 'as_text':
    case 'string':
      return text;
    case 'trim':
      return text.trim();
    case 'lower':
      return text.toLowerCase();
    case 'upper':
      return text.toUpperCase();
    default:
      report({
        message: `unknown filter '${filter}' after env_var('${name}')`,
        hint: `allowed: ${ENV_VAR_FILTERS.join(', ')}`,
      });
      return value;
  }
}
