/** Split SQL text into statements on `;` outside quotes and comments; blanks dropped, no trailing `;`. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      current += ch;
      if (ch === '\\' && i + 1 < sql.length) current += sql[++i]!;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      current += ch;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      current += sql.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (ch === ';') {
      if (current.trim() !== '') out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (stripComments(current).trim() !== '') out.push(current.trim());
  return out.filter((s) => stripComments(s).trim() !== '');
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}
