/**
 * Pattern matching as dbt does it: Python's `fnmatch` for names and tags, and a `pathlib`-style
 * glob (segments split on `/`, `**` for any depth) for `path:`. Pure: paths are strings.
 */

const fnmatchCache = new Map<string, RegExp>();

export function hasWildcard(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

/** Python `fnmatch.fnmatch` (case-sensitive, as on POSIX): `*`, `?`, `[seq]`, `[!seq]`. */
export function fnmatch(name: string, pattern: string): boolean {
  if (!hasWildcard(pattern)) return name === pattern;
  let re = fnmatchCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${translate(pattern, true)}$`, 's');
    fnmatchCache.set(pattern, re);
  }
  return re.test(name);
}

/** Pattern to regular expression source; `crossSlash` false keeps `*` and `?` inside one path segment. */
function translate(pattern: string, crossSlash: boolean): string {
  const any = crossSlash ? '.' : '[^/]';
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      out += `${any}*`;
    } else if (c === '?') {
      out += any;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('!');
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (m) => `\\${m}`);
      out += `[${negate ? '^' : ''}${body}]`;
      i = close;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`);
    }
  }
  return out;
}

/** `./models/staging/` → `models/staging`. */
export function normalizeRelPath(path: string): string {
  let p = path.replace(/\\/g, '/').replace(/\/+/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export type PathMatcher = (path: string) => boolean;

/**
 * Whether `path` (a file or folder relative to the project root) is one that `Path.glob(pattern)`
 * would yield: each segment matched alone, `**` standing for any number of folders (also none).
 */
export function pathGlobMatcher(pattern: string): PathMatcher {
  const norm = normalizeRelPath(pattern);
  if (!hasWildcard(norm)) return (path) => path === norm;
  const segments = norm
    .split('/')
    .map((s) => (s === '**' ? null : new RegExp(`^${translate(s, false)}$`, 's')));
  return (path) => matchSegments(segments, 0, path.split('/'), 0);
}

function matchSegments(pattern: Array<RegExp | null>, pi: number, parts: string[], si: number): boolean {
  if (pi === pattern.length) return si === parts.length;
  const seg = pattern[pi];
  if (seg === null || seg === undefined) {
    for (let k = si; k <= parts.length; k++) if (matchSegments(pattern, pi + 1, parts, k)) return true;
    return false;
  }
  if (si >= parts.length) return false;
  return seg.test(parts[si]!) && matchSegments(pattern, pi + 1, parts, si + 1);
}
