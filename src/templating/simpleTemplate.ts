/**
 * The second fast path: templates made only of text, calls with literal arguments
 * (`{{ cents('amount', scale=2) }}`), bare names (`{{ this }}`), `{% if %}`/`{% elif %}`/`{% else %}`
 * on such calls (optionally negated with `not`), comments and whitespace control. Most dbt models are
 * written in that subset. They are interpreted here with the same runtime calls the code nunjucks
 * generates would make, so they cost no translating, no JavaScript compiling and no worker thread.
 * Anything else, and any error while rendering, goes to the nunjucks-compiled template, which stays
 * the reference for what a template renders and for where an error is reported.
 */
import { compileTemplate, normalizeSource, type CompiledTemplate } from './compile.js';
import { Reject, Scanner } from './staticParser.js';

/** A call or a name, as `{{ }}` outputs it or `{% if %}` tests it. */
interface Expression {
  name: string;
  /** Null for a bare name; otherwise positional literals, then keyword literals if any. */
  args: unknown[] | null;
  kwargs: Record<string, unknown> | null;
  negations: number;
  line: number;
}

type Piece =
  | { kind: 'text'; text: string }
  | { kind: 'output'; expression: Expression }
  | { kind: 'if'; branches: Array<{ test: Expression | null; body: Piece[] }> };

interface Token {
  kind: 'text' | 'output' | 'if' | 'elif' | 'else' | 'endif' | 'comment';
  text?: string;
  expression?: Expression;
  trimBefore: boolean;
  trimAfter: boolean;
}

interface Runtime {
  lookup(context: unknown, frame: unknown, name: string, lineno: number): unknown;
  callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown;
  makeKeywordArgs(values: Record<string, unknown>): unknown;
  out(value: unknown, lineno: number, colno: number, desc: string): string;
  truthy(value: unknown): boolean;
}

/** Words that are literals or operators in a template's code, never names to look up. */
const RESERVED = new Set([
  'not',
  'and',
  'or',
  'in',
  'is',
  'if',
  'else',
  'elif',
  'endif',
  'true',
  'false',
  'none',
  'null',
  'True',
  'False',
  'None',
]);

/** The template as an interpreted one, or null when it needs nunjucks. */
export function simpleTemplate(source: string, name: string): CompiledTemplate | null {
  let pieces: Piece[];
  try {
    pieces = parsePieces(tokenize(normalizeSource(source)));
  } catch (error) {
    if (error instanceof Reject) return null;
    throw error;
  }
  let compiled: CompiledTemplate | null = null;
  return {
    macros: [],
    root(env, context, frame, runtime, cb) {
      let output: string;
      try {
        output = renderPieces(pieces, context, frame, runtime as Runtime);
      } catch {
        // The compiled template says what went wrong, and where, exactly as it always does.
        compiled ??= compileTemplate(source, name);
        compiled.root(env, context, frame, runtime, cb);
        return;
      }
      cb(null, output);
    },
  };
}

function renderPieces(pieces: Piece[], context: unknown, frame: unknown, runtime: Runtime): string {
  let output = '';
  for (const piece of pieces) {
    if (piece.kind === 'text') output += piece.text;
    else if (piece.kind === 'output') {
      const e = piece.expression;
      output += runtime.out(evaluate(e, context, frame, runtime), e.line, 0, e.name);
    } else {
      for (const branch of piece.branches) {
        if (branch.test === null || runtime.truthy(evaluate(branch.test, context, frame, runtime))) {
          output += renderPieces(branch.body, context, frame, runtime);
          break;
        }
      }
    }
  }
  return output;
}

function evaluate(e: Expression, context: unknown, frame: unknown, runtime: Runtime): unknown {
  const target = runtime.lookup(context, frame, e.name, e.line);
  let value = target;
  if (e.args) {
    // Fresh literals on every call, as the compiled code makes them: a callee may keep or change them.
    const args = e.args.map(fresh);
    if (e.kwargs) args.push(runtime.makeKeywordArgs(fresh(e.kwargs) as Record<string, unknown>));
    value = runtime.callWrap(target, e.name, context, args);
  }
  for (let i = 0; i < e.negations; i++) value = !runtime.truthy(value);
  return value;
}

function fresh(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fresh);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = fresh(item);
    return copy;
  }
  return value;
}

// ---- parsing ---------------------------------------------------------------------------------------

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 0;
  const advanceLines = (from: number, to: number) => {
    for (let i = src.indexOf('\n', from); i !== -1 && i < to; i = src.indexOf('\n', i + 1)) line++;
  };
  while (pos < src.length) {
    const open = nextOpen(src, pos);
    if (open === -1) {
      tokens.push(textToken(src.slice(pos)));
      break;
    }
    if (open > pos) tokens.push(textToken(src.slice(pos, open)));
    advanceLines(pos, open);
    const kind = src[open + 1];
    const trimBefore = src[open + 2] === '-';
    let end: number;
    let token: Token;
    if (kind === '#') {
      end = src.indexOf('#}', open + 2);
      if (end === -1) throw new Reject();
      token = { kind: 'comment', trimBefore, trimAfter: src[end - 1] === '-' && end - 1 > open + 1 };
      end += 2;
    } else {
      const scanner = new Scanner(src, open + (trimBefore ? 3 : 2));
      if (kind === '{') {
        token = { kind: 'output', expression: expression(scanner, line), trimBefore, trimAfter: false };
      } else {
        const word = scanner.name();
        if (word === 'if' || word === 'elif') {
          token = { kind: word, expression: expression(scanner, line), trimBefore, trimAfter: false };
        } else if (word === 'else' || word === 'endif') {
          token = { kind: word, trimBefore, trimAfter: false };
        } else throw new Reject();
      }
      scanner.ws();
      const close = kind === '{' ? '}}' : '%}';
      if (src[scanner.pos] === '-' && src.startsWith(close, scanner.pos + 1)) {
        token.trimAfter = true;
        scanner.pos++;
      }
      if (!src.startsWith(close, scanner.pos)) throw new Reject();
      // nunjucks ends a tag at the first `}}` or `%}` even inside brackets (`{'a': {'b': 1}}`).
      if (closesEarly(src, open + 2, scanner.pos)) throw new Reject();
      end = scanner.pos + 2;
    }
    advanceLines(open, end);
    tokens.push(token);
    pos = end;
  }
  // nunjucks' whitespace control: a `-` at a tag's end strips the whitespace of the text that
  // follows, a `-` at a tag's start that of the text before.
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'text') continue;
    if (tokens[i - 1]?.trimAfter) token.text = token.text!.replace(/^\s*/, '');
    if (tokens[i + 1]?.trimBefore) token.text = token.text!.replace(/\s*$/, '');
  }
  return tokens;
}

function closesEarly(src: string, from: number, to: number): boolean {
  const code = src.slice(from, to);
  return code.includes('}}') || code.includes('%}');
}

/** Where the next `{{`, `{%` or `{#` opens. */
function nextOpen(src: string, from: number): number {
  for (let i = src.indexOf('{', from); i !== -1; i = src.indexOf('{', i + 1)) {
    const next = src[i + 1];
    if (next === '{' || next === '%' || next === '#') return i;
  }
  return -1;
}

function textToken(text: string): Token {
  // A stray closing tag is text to nunjucks as well; keep to the unambiguous case.
  if (text.includes('}}') || text.includes('%}') || text.includes('#}')) throw new Reject();
  return { kind: 'text', text, trimBefore: false, trimAfter: false };
}

/** `not`* then a name, or a call of a name with literal arguments. */
function expression(s: Scanner, line: number): Expression {
  let negations = 0;
  let name = s.name();
  while (name === 'not') {
    negations++;
    name = s.name();
  }
  if (name === undefined || RESERVED.has(name)) throw new Reject();
  if (!s.eat('(')) return { name, args: null, kwargs: null, negations, line };
  const args: unknown[] = [];
  let kwargs: Record<string, unknown> | null = null;
  if (!s.eat(')')) {
    do {
      s.ws();
      const save = s.pos;
      const key = s.name();
      if (key !== undefined && s.eat('=') && s.src[s.pos] !== '=') {
        kwargs ??= {};
        if (key === '__keywords' || key in kwargs) throw new Reject();
        kwargs[key] = s.literal();
      } else {
        s.pos = save;
        if (kwargs) throw new Reject();
        args.push(s.literal());
      }
    } while (s.eat(','));
    s.expect(')');
  }
  return { name, args, kwargs, negations, line };
}

function parsePieces(tokens: Token[]): Piece[] {
  let at = 0;
  const body = (ends: Set<string>): Piece[] => {
    const pieces: Piece[] = [];
    while (at < tokens.length) {
      const token = tokens[at]!;
      if (ends.has(token.kind)) return pieces;
      at++;
      if (token.kind === 'text') {
        if (token.text) pieces.push({ kind: 'text', text: token.text });
      } else if (token.kind === 'output') pieces.push({ kind: 'output', expression: token.expression! });
      else if (token.kind === 'if') {
        const branches: Array<{ test: Expression | null; body: Piece[] }> = [];
        let test: Expression | null = token.expression!;
        for (;;) {
          branches.push({ test, body: body(BRANCH_ENDS) });
          const end = tokens[at++];
          if (!end) throw new Reject();
          if (end.kind === 'endif') break;
          if (test === null) throw new Reject(); // a branch after {% else %}
          test = end.kind === 'elif' ? end.expression! : null;
        }
        pieces.push({ kind: 'if', branches });
      } else if (token.kind !== 'comment') throw new Reject(); // elif/else/endif out of place
    }
    if (ends.size) throw new Reject();
    return pieces;
  };
  return body(new Set());
}

const BRANCH_ENDS = new Set(['elif', 'else', 'endif']);
