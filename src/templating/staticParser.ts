/**
 * The fast path (like dbt's static parser): most models only call `ref`, `source` and `config` with
 * literal arguments. Those need no template engine at all: find the calls, let the caller compute
 * each one's text, splice it in. Anything else Jinja (`{% %}`, comments, other expressions, filters,
 * whitespace control, escapes in strings, Windows line endings) makes `staticParse` return null, and
 * the caller renders with the engine; so the fast path never renders differently from the engine.
 */

export interface StaticCall {
  kind: 'ref' | 'source' | 'config';
  args: string[];
  kwargs: Record<string, unknown>;
  /** 1-based line of the `{{`. */
  line: number;
  /** Offsets of the whole `{{ ... }}` in the source. */
  start: number;
  end: number;
}

/** The template is outside the fast path's subset: the engine renders it. */
export class Reject extends Error {}

/** Reads literals and names of a template's code; throws `Reject` at anything it does not know. */
export class Scanner {
  constructor(
    readonly src: string,
    public pos: number,
  ) {}

  ws(): void {
    while (this.pos < this.src.length && ' \t\n'.includes(this.src[this.pos]!)) this.pos++;
  }

  eat(text: string): boolean {
    this.ws();
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    return false;
  }

  expect(text: string): void {
    if (!this.eat(text)) throw new Reject();
  }

  name(): string | undefined {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos, this.pos + 64));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  string(): string | undefined {
    this.ws();
    const q = this.src[this.pos];
    if (q !== "'" && q !== '"') return undefined;
    const end = this.src.indexOf(q, this.pos + 1);
    if (end === -1) throw new Reject();
    const text = this.src.slice(this.pos + 1, end);
    // Escapes, and anything that could open a tag inside a string, go to the engine.
    if (/[\\\n]|\{\{|\{%|\{#|%\}|\}\}|#\}/.test(text)) throw new Reject();
    this.pos = end + 1;
    return text;
  }

  literal(depth = 0): unknown {
    if (depth > 8) throw new Reject();
    const s = this.string();
    if (s !== undefined) return s;
    this.ws();
    const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(this.src.slice(this.pos, this.pos + 40));
    if (num) {
      this.pos += num[0].length;
      return num[1] ? parseFloat(num[0]) : parseInt(num[0], 10);
    }
    if (this.eat('[')) {
      const list: unknown[] = [];
      if (this.eat(']')) return list;
      do {
        if (this.eat(']')) return list;
        list.push(this.literal(depth + 1));
      } while (this.eat(','));
      this.expect(']');
      return list;
    }
    if (this.eat('{')) {
      const dict: Record<string, unknown> = {};
      if (this.eat('}')) return dict;
      do {
        if (this.eat('}')) return dict;
        const key = this.string();
        if (key === undefined || key === '__keywords' || key === '__proto__') throw new Reject();
        this.expect(':');
        dict[key] = this.literal(depth + 1);
      } while (this.eat(','));
      this.expect('}');
      return dict;
    }
    const word = this.name();
    switch (word) {
      case 'true':
      case 'True':
        return true;
      case 'false':
      case 'False':
        return false;
      case 'none':
      case 'None':
      case 'null':
        return null;
      default:
        throw new Reject();
    }
  }
}

const KINDS = new Set(['ref', 'source', 'config']);

function parseCall(src: string, start: number): StaticCall & { end: number } {
  const s = new Scanner(src, start + 2);
  if (src[s.pos] === '-') throw new Reject();
  const kind = s.name();
  if (!kind || !KINDS.has(kind)) throw new Reject();
  s.expect('(');
  const args: string[] = [];
  const kwargs: Record<string, unknown> = {};
  if (!s.eat(')')) {
    do {
      s.ws();
      const save = s.pos;
      const name = s.name();
      if (name !== undefined && s.eat('=') && src[s.pos] !== '=') {
        if (name === '__keywords' || name in kwargs) throw new Reject();
        kwargs[name] = s.literal();
      } else {
        s.pos = save;
        if (Object.keys(kwargs).length) throw new Reject();
        const value = s.string();
        if (value === undefined) throw new Reject();
        args.push(value);
      }
    } while (s.eat(','));
    s.expect(')');
  }
  s.ws();
  if (!src.startsWith('}}', s.pos)) throw new Reject();
  // nunjucks ends a tag at the first `}}` even inside brackets (`{'a': {'b': 1}}`).
  if (src.slice(start + 2, s.pos).includes('}}')) throw new Reject();
  const end = s.pos + 2;
  if (kind === 'config' && args.length) throw new Reject();
  if (kind === 'source' && args.length !== 2) throw new Reject();
  if (kind === 'ref' && (args.length < 1 || args.length > 2)) throw new Reject();
  return { kind: kind as StaticCall['kind'], args, kwargs, line: 0, start, end };
}

/** The ref/source/config calls of a template made of nothing else, or null. */
export function staticParse(source: string): StaticCall[] | null {
  if (source.includes('\r') || source.includes('{%') || source.includes('{#')) return null;
  const calls: StaticCall[] = [];
  let line = 1;
  let lineFrom = 0;
  let pos = source.indexOf('{{');
  while (pos !== -1) {
    for (let i = source.indexOf('\n', lineFrom); i !== -1 && i < pos; i = source.indexOf('\n', i + 1)) line++;
    lineFrom = pos;
    let call;
    try {
      call = parseCall(source, pos);
    } catch (err) {
      if (err instanceof Reject) return null;
      throw err;
    }
    call.line = line;
    calls.push(call);
    for (let i = source.indexOf('\n', pos); i !== -1 && i < call.end; i = source.indexOf('\n', i + 1)) line++;
    lineFrom = call.end;
    pos = source.indexOf('{{', call.end);
  }
  // A stray closing tag is plain text for nunjucks too, but keep to the unambiguous case.
  let rest = '';
  let from = 0;
  for (const call of calls) {
    rest += source.slice(from, call.start);
    from = call.end;
  }
  rest += source.slice(from);
  if (rest.includes('}}') || rest.includes('%}') || rest.includes('#}')) return null;
  return calls;
}

/** The template's output with each call replaced by `replace(call)` (config calls render as ''). */
export function staticRender(
  source: string,
  calls: StaticCall[],
  replace: (call: StaticCall) => string,
): string {
  let out = '';
  let from = 0;
  for (const call of calls) {
    out += source.slice(from, call.start);
    out += call.kind === 'config' ? '' : replace(call);
    from = call.end;
  }
  out += source.slice(from);
  // As the engine (Jinja's keep_trailing_newline=False): one trailing newline is dropped.
  return source.endsWith('\n') ? out.slice(0, -1) : out;
}
