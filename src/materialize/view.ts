/** `view` (CREATE OR REPLACE VIEW; a table in the way is dropped first) and `ephemeral` (nothing). */
import type { ColumnDef } from '../adapters/types.js';
import { buildSettings } from './settings.js';
import { createView, dropTable } from './sql.js';
import { targetOf, type NodeSession } from './session.js';
import type { NodeOutcome } from './types.js';

export async function materializeView(session: NodeSession): Promise<NodeOutcome> {
  const { node } = session;
  const target = targetOf(node);
  const settings = buildSettings(node);
  const sql = node.compiled_code ?? '';
  const relations = await session.ctx.adapter.listRelations(target.schema);
  const existing = relations.get(target.name) ?? relations.get(target.name.toLowerCase()) ?? null;
  if (existing && existing.kind !== 'view') {
    await session.run(dropTable(target));
    session.invalidate(target);
  }
  await session.run(createView(target, sql, { replace: true, comment: settings.viewComment }));
  session.invalidate(target);

  // Column comments on a view need its column list: read it, then replace the view with it.
  const comments = settings.layout.columnComments;
  if (settings.persistColumns && Object.keys(comments).length > 0) {
    const info = await session.describe(target);
    const columns: ColumnDef[] = (info?.columns ?? []).map((c) => ({
      name: c.name,
      type: c.type,
      comment: comments[c.name.toLowerCase()] ?? null,
    }));
    if (columns.length > 0) {
      await session.run(createView(target, sql, { replace: true, comment: settings.viewComment, columns }));
      session.invalidate(target);
    }
  }
  return session.outcome('success', 'OK created view', null, 'CREATE VIEW');
}

export function materializeEphemeral(session: NodeSession): NodeOutcome {
  return session.outcome('success', 'OK ephemeral (inlined where used)', null, 'EPHEMERAL');
}
