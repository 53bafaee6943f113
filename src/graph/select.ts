/**
 * Node selection with dbt's syntax and semantics (`--select`, `--exclude`, `--selector`,
 * `state:`), including the indirect selection of tests. Pure: the manifest, the graph and the
 * earlier manifest for `state:` are passed in.
 */
import { QdbtError, closestNames } from '../errors.js';
import type { Manifest } from '../manifest/types.js';
import { adjacencyOf, type Adjacency, type ProjectGraph } from './graph.js';
import { SearchContext } from './methods.js';
import { compileSelector, type SelectorDefinition } from './selectors.js';
import { parseDifference, type Criteria, type IndirectSelection, type Spec } from './spec.js';

export type { IndirectSelection } from './spec.js';

export interface SelectionOptions {
  /** Each CLI word; dbt splits on spaces too (union), commas inside a word = intersection. */
  select?: string[];
  exclude?: string[];
  /** A named selector from selectors.yml. */
  selector?: string;
  selectors?: Record<string, SelectorDefinition>;
  /** For state:*; state:modified without it is a usage error ("needs --state"). */
  stateManifest?: Manifest | null;
  /** dbt's --indirect-selection; `eager` by default. */
  indirectSelection?: IndirectSelection;
  /** What the command works on (run: model; build: model, seed, test; ls: all). */
  resourceTypes?: Array<'model' | 'seed' | 'test' | 'source' | 'snapshot' | 'analysis'>;
}

export interface SelectionResult {
  selected: Set<string>;
  warnings: string[];
  /** Set when no --select/--exclude was given and a selector with `default: true` was used. */
  defaultSelector?: string;
}

export const NOTHING_TO_DO = 'Nothing to do. Try checking your model configs and model specification args';

export function selectNodes(manifest: Manifest, g: ProjectGraph, options: SelectionOptions): SelectionResult {
  const indirect = options.indirectSelection ?? 'eager';
  const selectors = options.selectors ?? {};
  const hasSelect = (options.select ?? []).some((s) => s.trim() !== '');
  const hasExclude = (options.exclude ?? []).some((s) => s.trim() !== '');
  let spec: Spec;
  let defaultSelector: string | undefined;
  if (options.selector) {
    if (hasSelect || hasExclude) {
      throw new QdbtError('usage', '--selector cannot be combined with --select or --exclude', {
        hint: 'Put the extra criteria into the selector definition in selectors.yml, or drop --selector.',
      });
    }
    if (!(options.selector in selectors)) {
      const close = closestNames(options.selector, Object.keys(selectors));
      const known = Object.keys(selectors);
      throw new QdbtError('usage', `Unknown selector '${options.selector}'`, {
        hint:
          close.length > 0
            ? `Did you mean ${close.map((c) => `'${c}'`).join(' or ')}?`
            : known.length > 0
              ? `Selectors in selectors.yml: ${known.join(', ')}.`
              : 'There is no selectors.yml, or it defines no selectors.',
      });
    }
    spec = compileSelector(options.selector, selectors, indirect);
  } else {
    defaultSelector =
      hasSelect || hasExclude ? undefined : Object.values(selectors).find((s) => s.default)?.name;
    spec = defaultSelector
      ? compileSelector(defaultSelector, selectors, indirect)
      : parseDifference(options.select, options.exclude, indirect);
  }

  const adj = adjacencyOf(g);
  const selector = new NodeSelector(manifest, adj, options.stateManifest);
  // No criteria at all: everything, without evaluating `fqn:* source:*` and the tests around them.
  const everything = !options.selector && !defaultSelector && !hasSelect && !hasExclude;
  const direct = everything ? adj.ids.keys() : selector.evaluate(spec).direct;

  const types = options.resourceTypes ? new Set<string>(options.resourceTypes) : null;
  const selected = new Set<string>();
  for (const i of direct) {
    const target = selector.ctx.targets[i];
    if (!target || target.config?.enabled === false) continue;
    if (types && !types.has(target.resource_type)) continue;
    selected.add(adj.ids[i]!);
  }
  const warnings = selector.warnings;
  if (selected.size === 0) warnings.push(NOTHING_TO_DO);
  return defaultSelector ? { selected, warnings, defaultSelector } : { selected, warnings };
}

interface Bundle {
  direct: Set<number>;
  indirect: Set<number>;
}

/** Evaluates specs as dbt's NodeSelector: direct nodes plus tests held back for cautious selection. */
class NodeSelector {
  readonly ctx: SearchContext;
  readonly warnings: string[] = [];

  constructor(
    private readonly manifest: Manifest,
    private readonly adj: Adjacency,
    stateManifest: Manifest | null | undefined,
  ) {
    this.ctx = new SearchContext(manifest, adj, stateManifest);
  }

  evaluate(spec: Spec): Bundle {
    if (spec.kind === 'criteria') return this.criteria(spec);
    const bundles = spec.components.map((c) => this.evaluate(c));
    const initial = combine(
      spec.kind,
      bundles.map((b) => b.direct),
    );
    const indirect = combine(
      spec.kind,
      bundles.map((b) => union([b.direct, b.indirect])),
    );
    const direct = this.incorporateIndirect(initial, indirect, spec.indirect);
    if (spec.expectExists && direct.size === 0) {
      this.warnings.push(`The selection criterion '${spec.raw}' does not match any enabled nodes`);
    }
    return { direct, indirect };
  }

  private criteria(spec: Criteria): Bundle {
    const collected = this.ctx.search(spec);
    const selected = new Set(collected);
    if (spec.childrensParents) {
      const down = this.walk(collected, this.adj.children, null);
      for (const i of collected) down.add(i);
      for (const i of down) selected.add(i);
      for (const i of this.walk(down, this.adj.parents, null)) selected.add(i);
    }
    if (spec.parents)
      for (const i of this.walk(collected, this.adj.parents, spec.parentsDepth)) selected.add(i);
    if (spec.children)
      for (const i of this.walk(collected, this.adj.children, spec.childrenDepth)) selected.add(i);
    if (spec.indirect === 'empty') return { direct: selected, indirect: new Set() };
    return this.expand(selected, spec.indirect);
  }

  /** Nodes reachable from `start` in at most `depth` steps (any depth when null); not `start` itself unless reached. */
  private walk(start: Iterable<number>, next: number[][], depth: number | null): Set<number> {
    const reached = new Set<number>();
    let frontier = [...start];
    for (let d = 0; frontier.length > 0 && (depth === null || d < depth); d++) {
      const following: number[] = [];
      for (const v of frontier) {
        for (const w of next[v]!) {
          if (!reached.has(w)) {
            reached.add(w);
            following.push(w);
          }
        }
      }
      frontier = following;
    }
    return reached;
  }

  /** Tests next to the selection: eager takes a test if any parent is selected, cautious only if all are. */
  private expand(selected: Set<number>, mode: IndirectSelection): Bundle {
    const added: number[] = [];
    const indirect = new Set<number>();
    let selectedAndParents: Set<number> | null = null;
    for (const v of selected) {
      for (const w of this.adj.children[v]!) {
        if (selected.has(w) || this.ctx.targets[w]?.resource_type !== 'test') continue;
        const parents = this.adj.parents[w]!;
        if (mode === 'eager' || parents.every((p) => selected.has(p))) {
          added.push(w);
        } else if (mode === 'buildable') {
          selectedAndParents ??= this.selectedAndParents(selected);
          if (parents.every((p) => selectedAndParents!.has(p))) added.push(w);
          else indirect.add(w);
        } else {
          indirect.add(w);
        }
      }
    }
    // `selected` is this criterion's own set: grow it in place.
    for (const w of added) selected.add(w);
    return { direct: selected, indirect };
  }

  private selectedAndParents(selected: Set<number>): Set<number> {
    const out = new Set(selected);
    for (const i of this.walk(selected, this.adj.parents, null)) out.add(i);
    this.ctx.targets.forEach((t, i) => {
      if (t?.resource_type === 'source') out.add(i);
    });
    return out;
  }

  /** Tests held back earlier come in once all their parents are in (cautious, buildable). */
  private incorporateIndirect(
    direct: Set<number>,
    indirect: Set<number>,
    mode: IndirectSelection,
  ): Set<number> {
    if (mode !== 'cautious' && mode !== 'buildable') return direct;
    if (indirect.size === direct.size && [...indirect].every((i) => direct.has(i))) return direct;
    const selected = new Set(direct);
    const base = mode === 'buildable' ? this.selectedAndParents(direct) : direct;
    for (const i of indirect) {
      if (this.adj.parents[i]!.every((p) => base.has(p))) selected.add(i);
    }
    return selected;
  }
}

/** Sets are never changed once made, so one set can stand for a combination of itself. */
function combine(kind: 'union' | 'intersection' | 'difference', sets: Array<Set<number>>): Set<number> {
  if (kind === 'union') return union(sets);
  if (sets.length === 0) return new Set();
  if (sets.length === 1 || (kind === 'difference' && sets.slice(1).every((s) => s.size === 0)))
    return sets[0]!;
  if (kind === 'intersection') {
    const [smallest, ...rest] = [...sets].sort((a, b) => a.size - b.size);
    const out = new Set<number>();
    for (const i of smallest!) if (rest.every((s) => s.has(i))) out.add(i);
    return out;
  }
  const [first, ...rest] = sets;
  const out = new Set<number>();
  for (const i of first!) if (!rest.some((s) => s.has(i))) out.add(i);
  return out;
}

function union(sets: Array<Set<number>>): Set<number> {
  const nonEmpty = sets.filter((s) => s.size > 0);
  if (nonEmpty.length === 0) return new Set();
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const out = new Set<number>();
  for (const s of nonEmpty) for (const i of s) out.add(i);
  return out;
}
