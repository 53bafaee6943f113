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
