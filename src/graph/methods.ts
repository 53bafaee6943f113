/**
 * Selector methods (`tag:`, `path:`, `config.x:`...): which graph nodes one criterion matches
 * before graph operators, following dbt's `graph/selector_methods.py`. Node sets are sets of
 * adjacency indexes; indexes of names and tags are built at most once per selection.
 */
import { QdbtError } from '../errors.js';
import type { GraphNode, Manifest, SourceDefinition, TestNode } from '../manifest/types.js';
import { fnmatch, hasWildcard, normalizeRelPath, pathGlobMatcher } from './glob.js';
import type { Adjacency } from './graph.js';
import type { Criteria } from './spec.js';
import { stateComparator, type StateCheck } from './state.js';

export type Target = GraphNode | SourceDefinition;

export class SearchContext {
  readonly targets: Array<Target | undefined>;
  private fqnIdx?: FqnIndex;
  private tagIndex?: Map<string, number[]>;
  private stateCheck?: (id: string, check: StateCheck) => boolean;

  constructor(
    readonly manifest: Manifest,
    readonly adj: Adjacency,
    readonly stateManifest: Manifest | null | undefined,
  ) {
    this.targets = adj.ids.map((id) => manifest.nodes[id] ?? manifest.sources[id]);
  }

  search(c: Criteria): Set<number> {
    const value = String(c.value);
    switch (c.method) {
      case 'fqn':
        return this.fqn(value);
      case 'tag':
        return this.tag(value);
      case 'path':
        return this.path(value);
      case 'file':
        return this.filter((t) => fnmatch(baseName(t.original_file_path), value) || fnmatch(stem(t), value));
      case 'source':
        return this.source(value);
      case 'resource_type':
        return this.filter((t) => t.resource_type === value);
      case 'package': {
        const pkg = value === 'this' ? (this.manifest.metadata?.project_name ?? value) : value;
        return this.filter((t) => fnmatch(t.package_name, pkg));
      }
      case 'config':
        return this.config(c.args, c.value);
      case 'test_name':
        return this.filter(
          (t) => isTest(t) && t.test_metadata !== undefined && fnmatch(t.test_metadata.name, value),
        );
      case 'test_type':
        return this.testType(value);
      case 'state':
        return this.state(value as StateCheck);
      case 'group':
        return this.filter(
          (t) =>
            t.resource_type !== 'source' &&
            typeof t.config.group === 'string' &&
            fnmatch(t.config.group, value),
        );
      case 'access':
        return this.filter(
          (t) =>
            t.resource_type === 'model' && ((t.config.access as string | undefined) ?? 'protected') === value,
        );
      case 'exposure':
      case 'metric':
      case 'semantic_model':
      case 'saved_query':
      case 'unit_test':
      case 'version':
        return new Set();
    }
  }

  private filter(pred: (t: Target) => boolean, nodesOnly = false): Set<number> {
    const out = new Set<number>();
    const targets = this.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i];
      if (t === undefined || (nodesOnly && t.resource_type === 'source')) continue;
      if (pred(t)) out.add(i);
    }
    return out;
  }

  /** dbt's qualified-name match: node name, or fqn prefix with or without the package, `*` globs. */
  private fqn(selector: string): Set<number> {
    if (selector === '*') return this.filter(() => true, true);
    const index = this.fqnIndex();
    const parts = selector.split('.');
    if (parts.length === 1 && !hasWildcard(selector)) {
      // A bare name: the node's name, the package (first part) or the first folder.
      const out = new Set<number>();
      for (const map of [index.leaf, index.first, index.unscopedFirst]) {
        const hit = map.get(selector);
        if (typeof hit === 'number') out.add(hit);
        else if (hit) for (const i of hit) out.add(i);
      }
      return out;
    }
    const wildcardAt = parts.findIndex(hasWildcard);
    const prefix = (wildcardAt < 0 ? parts : parts.slice(0, wildcardAt)).join('.');
    const rest = wildcardAt < 0 ? null : parts.slice(wildcardAt).join('.');
    const matches = (joined: string): boolean => {
      if (rest === null) return joined === prefix || joined.startsWith(`${prefix}.`);
      let tail = joined;
      if (prefix !== '') {
        if (!joined.startsWith(`${prefix}.`)) return false;
        tail = joined.slice(prefix.length + 1);
      }
      return countParts(tail) >= parts.length - wildcardAt && fnmatch(tail, rest);
    };
    return this.filter((t) => {
      const fqn = t.fqn;
      return fqn[fqn.length - 1] === selector || matches(fqn.join('.')) || matches(fqn.slice(1).join('.'));
    }, true);
  }

  private tag(selector: string): Set<number> {
    if (hasWildcard(selector))
      return this.filter((t) => (t.tags ?? []).some((tag) => fnmatch(tag, selector)));
    if (!this.tagIndex) {
      this.tagIndex = new Map();
      this.targets.forEach((t, i) => {
        for (const tag of new Set(t?.tags ?? [])) push(this.tagIndex!, tag, i);
      });
    }
    return new Set(this.tagIndex.get(selector) ?? []);
  }

  /** As `Path.glob(selector)` from the project root: the node's file, a folder above it, or its YAML. */
  private path(selector: string): Set<number> {
    const norm = normalizeRelPath(selector);
    if (norm === '.' || norm === '') return this.filter(() => true);
    const match = pathGlobMatcher(norm);
    const literal = !hasWildcard(norm);
    return this.filter((t) => {
      const file = normalizeRelPath(t.original_file_path);
      const patch = t.patch_path ? normalizeRelPath(t.patch_path.split('://').pop()!) : null;
      if (literal) return file === norm || file.startsWith(`${norm}/`) || patch === norm;
      if (match(file) || (patch !== null && match(patch))) return true;
      for (let cut = file.lastIndexOf('/'); cut > 0; cut = file.lastIndexOf('/', cut - 1)) {
        if (match(file.slice(0, cut))) return true;
      }
      return false;
    });
  }

  private source(selector: string): Set<number> {
    const parts = selector.split('.');
    const [pkg, src, table] =
      parts.length === 1 ? ['*', parts[0]!, '*'] : parts.length === 2 ? ['*', parts[0]!, parts[1]!] : parts;
    return this.filter(
      (t) =>
        t.resource_type === 'source' &&
        fnmatch(t.package_name, pkg!) &&
        fnmatch(t.source_name, src!) &&
        fnmatch(t.name, table!),
    );
  }

  /** `config.a.b:value`: equality (lists: membership); `true`/`false` match booleans in any case. */
  private config(keys: string[], selector: Criteria['value']): Set<number> {
    const text = String(selector);
    const lower = text.toLowerCase();
    const severity = keys.length === 1 && keys[0] === 'severity';
    const equals = (v: unknown): boolean =>
      v === selector ||
      (severity && typeof v === 'string' && v.toLowerCase() === lower) ||
      (lower === 'true' && v === true) ||
      (lower === 'false' && v === false);
    return this.filter((t) => {
      let value: unknown = t.config;
      for (const key of keys) {
        if (typeof value !== 'object' || value === null || !(key in value)) return false;
        value = (value as Record<string, unknown>)[key];
      }
      return Array.isArray(value) ? value.some(equals) : equals(value);
    });
  }

  private testType(selector: string): Set<number> {
    const generic = selector === 'generic' || selector === 'schema' || selector === 'data';
    const singular = selector === 'singular' || selector === 'data';
    return this.filter((t) => isTest(t) && (t.test_metadata !== undefined ? generic : singular));
  }

  private state(check: StateCheck): Set<number> {
    if (!this.stateManifest) {
      throw new QdbtError(
        'usage',
        `The selector "state:${check}" needs --state DIR: a manifest.json from an earlier run to compare against`,
        {
          hint: 'Pass --state with the target/ folder of a previous run (e.g. --state prod-artifacts/).',
        },
      );
    }
    this.stateCheck ??= stateComparator(this.manifest, this.stateManifest);
    const ids = this.adj.ids;
    const out = new Set<number>();
    for (let i = 0; i < ids.length; i++) if (this.targets[i] && this.stateCheck(ids[i]!, check)) out.add(i);
    return out;
  }

  /**
   * Names of non-source nodes for bare-name lookups: leaf (`fqn[-1]`), and the first part of the
   * flattened fqn with and without the package (a dot inside a part splits it, as in dbt).
   */
  private fqnIndex(): FqnIndex {
    if (this.fqnIdx) return this.fqnIdx;
    const index: FqnIndex = { leaf: new Map(), first: new Map(), unscopedFirst: new Map() };
    this.targets.forEach((t, i) => {
      if (!t || t.resource_type === 'source' || t.fqn.length === 0) return;
      const fqn = t.fqn;
      addHit(index.leaf, fqn[fqn.length - 1]!, i);
      addHit(index.first, firstPart(fqn[0]!), i);
      if (fqn.length > 1) addHit(index.unscopedFirst, firstPart(fqn[1]!), i);
    });
    this.fqnIdx = index;
    return index;
  }
}

/** One index, or several: most names belong to one node. */
type Hits = Map<string, number | number[]>;

interface FqnIndex {
  leaf: Hits;
  first: Hits;
  unscopedFirst: Hits;
}

function firstPart(part: string): string {
  const dot = part.indexOf('.');
  return dot < 0 ? part : part.slice(0, dot);
}

function countParts(joined: string): number {
  let n = 1;
  for (let i = joined.indexOf('.'); i >= 0; i = joined.indexOf('.', i + 1)) n++;
  return n;
}

function isTest(t: Target): t is TestNode {
  return t.resource_type === 'test';
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function stem(t: Target): string {
  const base = baseName(t.original_file_path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function addHit(map: Hits, key: string, i: number): void {
  const hit = map.get(key);
  if (hit === undefined) map.set(key, i);
  else if (typeof hit === 'number') map.set(key, [hit, i]);
  else hit.push(i);
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}
