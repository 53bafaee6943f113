/**
 * A small YAML syntax tree with 1-based positions, shared by the fast parser and the `yaml`
 * package fallback. Validators walk it once and build their typed results directly.
 */

export interface YPos {
  line: number;
  col: number;
}

export type YScalarValue = string | number | boolean | null;

export interface YScalar extends YPos {
  kind: 'scalar';
  value: YScalarValue;
}

export interface YKey extends YPos {
  name: string;
}

export interface YMap extends YPos {
  kind: 'map';
  keys: YKey[];
  values: YNode[];
}

export interface YSeq extends YPos {
  kind: 'seq';
  items: YNode[];
}

export type YNode = YScalar | YMap | YSeq;

/** Map keys as the `yaml` package turns them into object keys. */
export function keyName(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Plain JS value of a node (for free-form blocks: meta, vars, adapter configs). */
export function toJS(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq': {
      const out: unknown[] = new Array(node.items.length);
      for (let i = 0; i < node.items.length; i++) out[i] = toJS(node.items[i]!);
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < node.keys.length; i++) setKey(out, node.keys[i]!.name, toJS(node.values[i]!));
      return out;
    }
  }
}

/** Assign without tripping over `__proto__` written as a key. */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function describeKind(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'nothing (null)';
  if (typeof v === 'string') return `the string '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  return `${typeof v === 'number' ? 'the number' : 'the boolean'} ${String(v)}`;
}
