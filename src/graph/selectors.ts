/**
 * Named selectors (`selectors.yml`): read and checked here, with file:line:col errors; turned
 * into specs for select.ts by `compileSelector`.
 */
import type { Document, Node } from 'yaml';
import { yamlLibrary } from '../config/yaml/library.js';
import { QdbtError, closestNames } from '../errors.js';
import {
  DefinitionError,
  isRecord,
  parseDefinition,
  type IndirectSelection,
  type SelectorLookup,
  type Spec,
} from './spec.js';

export interface SelectorDefinition {
  name: string;
  description: string;
  default: boolean;
  definition: unknown;
}

const SELECTOR_KEYS = ['name', 'description', 'default', 'definition'];

export function parseSelectorsFile(text: string, relPath: string): Record<string, SelectorDefinition> {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fail = (message: string, path: Array<string | number>, hint?: string): QdbtError => {
    const node = nodeAt(doc, path);
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(offset);
    return new QdbtError('project', message, { location: { file: relPath, line, column: col }, hint });
  };
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    throw new QdbtError('project', `Invalid YAML: ${yamlError.message.split('\n')[0]}`, {
      location: { file: relPath, line, column: col },
    });
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return {};
  if (!isRecord(data)) throw fail('selectors.yml must be a mapping with a `selectors:` list', []);
  for (const key of Object.keys(data)) {
    if (key !== 'selectors') throw fail(`Unknown top-level key '${key}'; expected only 'selectors'`, [key]);
  }
  const list = data.selectors;
  if (list === null || list === undefined) return {};
  if (!Array.isArray(list)) throw fail('`selectors:` must be a list', ['selectors']);

  const result: Record<string, SelectorDefinition> = {};
  const paths: Record<string, Array<string | number>> = {};
  let defaultName: string | null = null;
  list.forEach((item: unknown, i) => {
    const path = ['selectors', i];
    if (!isRecord(item)) throw fail('Each selector must be a mapping with name and definition', path);
    for (const key of Object.keys(item)) {
      if (!SELECTOR_KEYS.includes(key)) {
        throw fail(`Unknown key '${key}' in a selector; allowed: ${SELECTOR_KEYS.join(', ')}`, [
          ...path,
          key,
        ]);
      }
    }
    const { name, description, definition } = item;
    if (typeof name !== 'string' || name === '') throw fail('A selector needs a `name:` (a string)', path);
    if (!('definition' in item) || definition === null) {
      throw fail(`Selector '${name}' needs a \`definition:\``, path);
    }
    if (description !== undefined && description !== null && typeof description !== 'string') {
      throw fail('`description:` must be a string', [...path, 'description']);
    }
    if (item.default !== undefined && typeof item.default !== 'boolean') {
      throw fail('`default:` must be true or false', [...path, 'default']);
    }
    if (name in result) throw fail(`Found duplicate selector name '${name}'`, [...path, 'name']);
    if (item.default === true) {
      if (defaultName !== null) {
        throw fail(`Found multiple selectors with \`default: true\`: '${defaultName}' and '${name}'`, [
          ...path,
          'default',
        ]);
      }
      defaultName = name;
    }
    result[name] = { name, description: description ?? '', default: item.default === true, definition };
    paths[name] = [...path, 'definition'];
  });
  // Check every definition now, so that mistakes point at their line.
  for (const name of Object.keys(result)) {
    try {
      compileDefinition(name, result, 'eager');
    } catch (e) {
      if (e instanceof SelectorDefinitionError) {
        throw fail(`Selector '${e.selector}': ${e.message}`, [...paths[e.selector]!, ...e.path], e.hint);
      }
      throw e;
    }
  }
  return result;
}

class SelectorDefinitionError extends Error {
  constructor(
    message: string,
    readonly selector: string,
    readonly path: Array<string | number>,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A named selector as a spec; references to other selectors are followed (cycles are errors). */
export function compileSelector(
  name: string,
  selectors: Record<string, SelectorDefinition>,
  indirect: IndirectSelection,
): Spec {
  try {
    return compileDefinition(name, selectors, indirect);
  } catch (e) {
    if (e instanceof SelectorDefinitionError) {
      throw new QdbtError('usage', `Selector '${e.selector}': ${e.message}`, { hint: e.hint });
    }
    throw e;
  }
}

function compileDefinition(
  name: string,
  selectors: Record<string, SelectorDefinition>,
  indirect: IndirectSelection,
): Spec {
  const resolving: string[] = [];
  const compile = (current: string): Spec => {
    if (resolving.includes(current)) {
      throw new SelectorDefinitionError(
        `selector references form a cycle: ${[...resolving, current].join(' -> ')}`,
        resolving[0]!,
        [],
      );
    }
    resolving.push(current);
    const lookup: SelectorLookup = (ref, path) => {
      if (!(ref in selectors)) {
        const close = closestNames(
          ref,
          Object.keys(selectors).filter((n) => n !== current),
        );
        throw new SelectorDefinitionError(
          `Existing selector definition for '${ref}' not found`,
          current,
          path,
          close.length > 0 ? `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : undefined,
        );
      }
      return compile(ref);
    };
    try {
      return parseDefinition(selectors[current]!.definition, indirect, lookup);
    } catch (e) {
      if (e instanceof DefinitionError) throw new SelectorDefinitionError(e.message, current, e.path, e.hint);
      throw e;
    } finally {
      resolving.pop();
    }
  };
  return compile(name);
}

function nodeAt(doc: Document, path: Array<string | number>): Node | undefined {
  const { isMap, isSeq } = yamlLibrary();
  let node: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isRecord(p.key) ? (p.key as { value?: unknown }).value : p.key) === key,
      );
      if (!pair) break;
      node = pair.value;
      last = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      last = node as Node;
    } else {
      break;
    }
  }
  return last;
}
