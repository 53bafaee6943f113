/**
 * Data test entries of property YAML, in every form dbt accepts:
 * `- unique`, `- accepted_values: {values: [...], config: {...}}`, `- dbt_utils.x: {...}`,
 * dbt 1.10's `arguments:`, an explicit `name:`, and `test_name:` with the arguments beside it.
 */
import { checkConfig, normalizeConfigKey, TEST_CONFIGS } from './nodeConfig.js';
import { closestNames } from '../errors.js';
import type { Reader } from './reader.js';
import type { TestDefinition } from './types.js';
import { describeKind, setKey, toJS, type YKey, type YMap, type YNode, type YPos } from './yaml/ast.js';

const TEST_NAME = /^(?:([A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)$/;

/** Arguments of the built-in generic tests; `required` ones must be present. */
const BUILTIN_ARGS: Record<string, { allowed: string[]; required: string[] }> = {
  unique: { allowed: ['column_name'], required: [] },
  not_null: { allowed: ['column_name'], required: [] },
  accepted_values: { allowed: ['values', 'quote', 'column_name'], required: ['values'] },
  relationships: { allowed: ['to', 'field', 'column_name'], required: ['to', 'field'] },
};

/** Reads a `tests:` / `data_tests:` list. */
export function readTests(r: Reader, node: YNode, what: string): TestDefinition[] {
  if (node.kind === 'scalar' && node.value === null) return [];
  if (node.kind !== 'seq') {
    r.error(
      node,
      `tests of ${what} must be a list, not ${describeKind(node)}`,
      'e.g. tests: [unique, not_null]',
    );
    return [];
  }
  const out: TestDefinition[] = [];
  for (const item of node.items) {
    const test = readTest(r, item, what);
    if (test) out.push(test);
  }
  return out;
}

function readTest(r: Reader, node: YNode, what: string): TestDefinition | null {
  if (node.kind === 'scalar' && typeof node.value === 'string') {
    const test = newTest(r, node.value, node, node);
    if (test) checkBuiltin(r, test, node);
    return test;
  }
  if (node.kind !== 'map') {
    r.error(
      node,
      `a test of ${what} must be a test name or a mapping, not ${describeKind(node)}`,
      'e.g. - unique, or - accepted_values: {values: [a, b]}',
    );
    return null;
  }
  let ti = -1;
  for (let i = 0; i < node.keys.length; i++) if (node.keys[i]!.name === 'test_name') ti = i;
  if (ti >= 0) {
    // `- test_name: unique` with the arguments beside it.
    const nameNode = node.values[ti]!;
    const testName = nameNode.kind === 'scalar' && typeof nameNode.value === 'string' ? nameNode.value : null;
    if (testName === null) {
      r.error(nameNode, `test_name must be a string, not ${describeKind(nameNode)}`);
      return null;
    }
    const test = newTest(r, testName, nameNode, node.keys[ti]!);
    return test ? readBody(r, node, test, 'test_name') : null;
  }
  if (node.keys.length !== 1) {
    r.error(
      node.keys[1] ?? node,
      `a test entry holds one key, the test name; found ${node.keys.map((k) => `'${k.name}'`).join(', ')}`,
      'indent the arguments under the test name: - accepted_values:\\n    values: [a, b]',
    );
    return null;
  }
  const key = node.keys[0]!;
  const body = node.values[0]!;
  if (body.kind !== 'map' && !(body.kind === 'scalar' && body.value === null)) {
    r.error(body, `arguments of test '${key.name}' must be a mapping, not ${describeKind(body)}`);
    return null;
  }
  const test = newTest(r, key.name, key, key);
  if (!test) return null;
  if (body.kind === 'scalar') {
    checkBuiltin(r, test, key);
    return test;
  }
  return readBody(r, body, test, null);
}

/** A test with no arguments yet, or null (and an error) when `text` is not a test name. */
function newTest(r: Reader, text: string, nameAt: YPos, at: YPos): TestDefinition | null {
  const m = TEST_NAME.exec(text);
  if (!m) {
    r.error(
      nameAt,
      `'${text}' is not a test name`,
      'a test name is an identifier, optionally with a package: unique, dbt_utils.expression_is_true',
    );
    return null;
  }
  return {
    testName: m[2]!,
    namespace: m[1] ?? null,
    kwargs: {},
    config: {},
    name: null,
    location: r.located(at),
  };
}

/** The mapping under the test name: arguments, `config:`, `name:`, `arguments:`. */
function readBody(r: Reader, body: YMap, test: TestDefinition, skip: string | null): TestDefinition {
  const what = `test '${test.namespace ? `${test.namespace}.` : ''}${test.testName}'`;
  const at = { line: test.location.line, col: test.location.column };
  let args: YMap | null = null;
  for (let i = 0; i < body.keys.length; i++) {
    const key = body.keys[i]!;
    const v = body.values[i]!;
    if (key.name === skip) continue;
    switch (key.name) {
      case 'name': {
        const name = r.str(v, `'name' of ${what}`);
        if (name !== undefined) test.name = name;
        break;
      }
      case 'description':
        r.optStr(v, `'description' of ${what}`);
        break;
      case 'config':
        readTestConfig(r, v, what, test.config);
        break;
      case 'arguments':
        args = r.optMap(v, `'arguments' of ${what}`);
        if (args)
          for (let k = 0; k < args.keys.length; k++)
            setKey(test.kwargs, args.keys[k]!.name, toJS(args.values[k]!));
        break;
      default:
        if (TEST_CONFIGS.includes(normalizeConfigKey(key.name))) {
          // Configs written beside the arguments, as older dbt projects do.
          addTestConfig(r, key, v, test.config);
        } else {
          setKey(test.kwargs, key.name, toJS(v));
        }
    }
  }
  checkBuiltin(r, test, at, body);
  return test;
}

function readTestConfig(r: Reader, node: YNode, what: string, into: Record<string, unknown>): void {
  const m = r.optMap(node, `'config' of ${what}`);
  if (!m) return;
  for (let i = 0; i < m.keys.length; i++) addTestConfig(r, m.keys[i]!, m.values[i]!, into);
}

function addTestConfig(r: Reader, key: YKey, node: YNode, into: Record<string, unknown>): void {
  const value = toJS(node);
  const problem = checkConfig(key.name, value);
  if (problem) {
    r.error(problem.at === 'key' ? key : node, problem.message, problem.hint);
    return;
  }
  let v = value;
  if (normalizeConfigKey(key.name) === 'severity' && typeof v === 'string') v = v.toLowerCase();
  setKey(into, normalizeConfigKey(key.name), v);
}

/** Checks the arguments of unique, not_null, accepted_values and relationships. */
function checkBuiltin(r: Reader, test: TestDefinition, at: YPos, body?: YMap): void {
  if (test.namespace !== null) return;
  const spec = BUILTIN_ARGS[test.testName];
  if (!spec) return;
  for (const arg of Object.keys(test.kwargs)) {
    if (spec.allowed.includes(arg)) continue;
    const keyPos = findKey(body, arg) ?? at;
    const args = spec.allowed.filter((a) => a !== 'column_name');
    const close = closestNames(arg, [...args, ...TEST_CONFIGS, 'config', 'name'], 1);
    r.error(
      keyPos,
      `unknown argument '${arg}' of test '${test.testName}'`,
      `${close.length > 0 ? `did you mean '${close[0]}'? ` : ''}allowed: ${[...args, 'config', 'name'].join(', ')}, and test configs (${TEST_CONFIGS.join(', ')})`,
    );
  }
  for (const req of spec.required) {
    if (!(req in test.kwargs)) {
      r.error(at, `test '${test.testName}' needs '${req}'`, EXAMPLES[test.testName]);
    }
  }
  if (test.testName === 'accepted_values' && 'values' in test.kwargs && !Array.isArray(test.kwargs.values)) {
    r.error(
      findValue(body, 'values') ?? at,
      `'values' of test 'accepted_values' must be a list`,
      EXAMPLES.accepted_values,
    );
  }
  if (test.testName === 'relationships') {
    for (const k of ['to', 'field']) {
      if (k in test.kwargs && typeof test.kwargs[k] !== 'string') {
        r.error(
          findValue(body, k) ?? at,
          `'${k}' of test 'relationships' must be a string`,
          EXAMPLES.relationships,
        );
      }
    }
  }
}

const EXAMPLES: Record<string, string> = {
  accepted_values: "e.g. - accepted_values: {values: ['placed', 'shipped']}",
  relationships: "e.g. - relationships: {to: ref('customers'), field: id}",
};

/** Position of an argument key, looking inside `arguments:` too. */
function findKey(body: YMap | undefined, name: string): YPos | undefined {
  if (!body) return undefined;
  const i = body.keys.findIndex((k) => k.name === name);
  if (i >= 0) return body.keys[i];
  const a = body.keys.findIndex((k) => k.name === 'arguments');
  const args = a >= 0 ? body.values[a] : undefined;
  return args?.kind === 'map' ? findKey(args, name) : undefined;
}

function findValue(body: YMap | undefined, name: string): YPos | undefined {
  if (!body) return undefined;
  const i = body.keys.findIndex((k) => k.name === name);
  if (i >= 0) return body.values[i];
  const a = body.keys.findIndex((k) => k.name === 'arguments');
  const args = a >= 0 ? body.values[a] : undefined;
  return args?.kind === 'map' ? findValue(args, name) : undefined;
}
