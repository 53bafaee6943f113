/** `--vars`: a YAML or JSON mapping given on the command line. */
import { QdbtError, QdbtErrors } from '../errors.js';
import { describeKind, toJS } from './yaml/ast.js';
import { parseYaml } from './yaml/parse.js';

const EXAMPLE = `e.g. --vars '{"run_date": "2024-01-01"}' or --vars 'run_date: 2024-01-01'`;

export function parseVarsFlag(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let root;
  try {
    root = parseYaml(text, '--vars', { kind: 'usage' });
  } catch (e) {
    const first = e instanceof QdbtErrors ? e.errors[0] : e instanceof QdbtError ? e : undefined;
    if (!first) throw e;
    const where =
      first.location?.line !== undefined
        ? ` (line ${first.location.line}, column ${first.location.column})`
        : '';
    throw new QdbtError(
      'usage',
      `--vars is not valid YAML or JSON: ${first.message.replace(/^invalid YAML: /, '')}${where}`,
      {
        hint: EXAMPLE,
      },
    );
  }
  if (root === null) return {};
  if (root.kind !== 'map') {
    throw new QdbtError('usage', `--vars must be a mapping of names to values, not ${describeKind(root)}`, {
      hint: EXAMPLE,
    });
  }
  return toJS(root) as Record<string, unknown>;
}

/** Text Jinja would render: `{{ }}`, `{% %}` or `{# #}` (dbt's `_HAS_RENDER_CHARS_PAT`). */
const HAS_JINJA = /\{[{%#]/;

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface VarScopeOptions {
  /** project.yml's vars with --vars over them: global vars, and maps scoped under a project's name. */
  vars: Record<string, unknown>;
  /** The project whose templates call var(): the vars under its name (`vars: {my_project: {...}}`) apply. */
  projectName?: string;
  /** --vars alone (they are in `vars` too): put back over the project-scoped vars, as dbt does. */
  cliVars?: Record<string, unknown>;
  /** Renders a var's string value that holds Jinja (with a context whose var() is this scope's). */
  render: (text: string, name: string) => unknown;
}

/**
 * What var() reads, as dbt's `Var`: global vars, then the vars scoped under the project's name, then
 * --vars. A string value holding Jinja is rendered when first read (dbt's `get_rendered_var`) and
 * kept: var() is called for every node, the rendering context is the same every time.
 */
export class VarScope {
  private readonly values: Record<string, unknown>;
  private readonly rendered = new Map<string, unknown>();
  /** Vars being rendered, outermost first: a var reaching itself is a cycle. */
  private readonly rendering: string[] = [];

  constructor(private readonly options: VarScopeOptions) {
    const { vars, projectName, cliVars } = options;
    const scoped =
      projectName !== undefined && Object.hasOwn(vars, projectName) ? vars[projectName] : undefined;
    this.values =
      isMapping(scoped) || cliVars ? { ...vars, ...(isMapping(scoped) ? scoped : {}), ...cliVars } : vars;
  }

  /** Whether the var is set (`var.has_var`), whatever its value. */
  has(name: string): boolean {
    return Object.hasOwn(this.values, name);
  }

  /** The var's value, rendered; undefined when it is not set. */
  get(name: string): unknown {
    if (!Object.hasOwn(this.values, name)) return undefined;
    const raw = this.values[name];
    if (typeof raw !== 'string' || !HAS_JINJA.test(raw)) return raw;
    if (this.rendered.has(name)) return this.rendered.get(name);
    if (this.rendering.includes(name)) {
      const chain = [...this.rendering.slice(this.rendering.indexOf(name)), name].join("' -> '");
      throw new QdbtError('template', `var '${name}' refers to itself: '${chain}'`, {
        hint: 'A var whose value calls var() must not lead back to itself.',
      });
    }
    this.rendering.push(name);
    let value: unknown;
    try {
      value = this.options.render(raw, name);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof QdbtError && /^var '[^']*' refers to itself/.test(message)) throw e;
      throw new QdbtError('template', `in var '${name}': ${message}`, {
        hint: e instanceof QdbtError ? e.hint : undefined,
        cause: e,
      });
    } finally {
      this.rendering.pop();
    }
    this.rendered.set(name, value);
    return value;
  }
}
