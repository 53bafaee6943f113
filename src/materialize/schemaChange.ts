/** on_schema_change: compare the new rows' columns with the table's, decide what to alter. Pure. */
import type { ColumnDef } from '../adapters/types.js';
import type { SchemaChangeMode } from './settings.js';

export interface SchemaDiff {
  added: ColumnDef[];
  removed: ColumnDef[];
  changed: Array<{ name: string; from: string; to: string }>;
}

export function normalizeType(type: string): string {
  return type.toLowerCase().replace(/\s+/g, '');
}

/** Data columns only: partition columns are compared separately (they cannot change in place). */
export function diffColumns(table: ColumnDef[], source: ColumnDef[]): SchemaDiff {
  const tableByName = new Map(table.map((c) => [c.name.toLowerCase(), c]));
  const sourceByName = new Map(source.map((c) => [c.name.toLowerCase(), c]));
  const added = source.filter((c) => !tableByName.has(c.name.toLowerCase()));
  const removed = table.filter((c) => !sourceByName.has(c.name.toLowerCase()));
  const changed: SchemaDiff['changed'] = [];
  for (const c of table) {
    const s = sourceByName.get(c.name.toLowerCase());
    if (s && normalizeType(s.type) !== normalizeType(c.type))
      changed.push({ name: c.name, from: c.type, to: s.type });
  }
  return { added, removed, changed };
}

export function isEmptyDiff(diff: SchemaDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

export function describeDiff(diff: SchemaDiff): string {
  const parts: string[] = [];
  if (diff.added.length) parts.push(`new columns ${diff.added.map((c) => `${c.name} ${c.type}`).join(', ')}`);
  if (diff.removed.length) parts.push(`missing columns ${diff.removed.map((c) => c.name).join(', ')}`);
  if (diff.changed.length)
    parts.push(`type changes ${diff.changed.map((c) => `${c.name} ${c.from} -> ${c.to}`).join(', ')}`);
  return parts.join('; ');
}

export interface SchemaPlan {
  /** ALTER TABLE ... ADD COLUMNS with these. */
  add: ColumnDef[];
  /**
   * Drops or type changes: the table is rebuilt by copy with `columns` (Hive refuses REPLACE
   * COLUMNS that drops Parquet columns; Spark refuses REPLACE COLUMNS on Hive tables at all).
   */
  rebuild: boolean;
  /** The table's data columns after the change, in table order. */
  columns: ColumnDef[];
}

/** What to alter for a mode (`fail` is handled by the caller before this). */
export function planSchemaChange(mode: SchemaChangeMode, table: ColumnDef[], diff: SchemaDiff): SchemaPlan {
  if (mode === 'ignore' || mode === 'fail' || isEmptyDiff(diff))
    return { add: [], rebuild: false, columns: table };
  if (mode === 'append_new_columns')
    return { add: diff.added, rebuild: false, columns: [...table, ...diff.added] };
  // sync_all_columns: keep the table's order (ORC reads by position), drop what is gone, retype, append new.
  const removed = new Set(diff.removed.map((c) => c.name.toLowerCase()));
  const retyped = new Map(diff.changed.map((c) => [c.name.toLowerCase(), c.to]));
  const kept = table
    .filter((c) => !removed.has(c.name.toLowerCase()))
    .map((c) => ({ ...c, type: retyped.get(c.name.toLowerCase()) ?? c.type }));
  const columns = [...kept, ...diff.added];
  if (diff.removed.length === 0 && diff.changed.length === 0)
    return { add: diff.added, rebuild: false, columns };
  return { add: [], rebuild: true, columns };
}
