/**
 * Put ephemeral models in front of a query as CTEs. A query that already starts with WITH gets
 * the new CTEs first in its own WITH list (Hive does not accept two WITH clauses in a row).
 */
export function injectCtes(sql: string, ctes: Array<{ sql: string }>): string {
  if (ctes.length === 0) return sql;
  const list = ctes.map((c) => c.sql).join(',\n');
  const withStart = leadingWith(sql);
  if (withStart !== null)
    return `${sql.slice(0, withStart.start)}with ${list},\n${sql.slice(withStart.end).replace(/^\s+/, '')}`;
  const lead = leadingTrivia(sql);
  return `${sql.slice(0, lead)}with ${list}\n${sql.slice(lead)}`;
}

/** Offset after leading whitespace and SQL comments. */
function leadingTrivia(sql: string): number {
  let i = 0;
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else return i;
  }
}

function leadingWith(sql: string): { start: number; end: number } | null {
  const start = leadingTrivia(sql);
  const match = /^with\b/i.exec(sql.slice(start, start + 5));
  return match ? { start, end: start + 4 } : null;
}
