/** nunjucks passes keyword arguments as a trailing object marked `__keywords`: split them. */
export function splitArgs(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  if (isKeywords(last)) {
    const keywords: Record<string, unknown> = {};
    for (const key of Object.keys(last)) if (key !== '__keywords') keywords[key] = last[key];
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: args.slice(), keywords: {} };
}

export function isKeywords(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, '__keywords')
  );
}

/** Builds the trailing keyword object nunjucks-compiled code expects (for calling macros from JS). */
export function makeKeywords(keywords: Record<string, unknown>): Record<string, unknown> {
  return { ...keywords, __keywords: true };
}

/**
 * Python-style argument binding for helper functions: `bind(args, ['sep', 'maxsplit'], {maxsplit: -1})`
 * takes positional arguments in order, then keywords by name, then defaults.
 */
export function bindArgs(
  args: unknown[],
  names: string[],
  defaults: Record<string, unknown> = {},
): Record<string, unknown> {
  const { positional, keywords } = splitArgs(args);
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if (i < positional.length) out[name] = positional[i];
    else if (name in keywords) out[name] = keywords[name];
    else out[name] = defaults[name];
  });
  return out;
}
