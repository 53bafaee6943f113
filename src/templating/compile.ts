/* eslint-disable @typescript-eslint/no-explicit-any -- the nunjucks parser and compiler are untyped */
/**
 * Template source to a render function, through nunjucks' own lexer, parser and code generator,
 * subclassed where Jinja (as dbt projects write it) differs from nunjucks:
 *
 * - new tags: `{% do %}`, `{% test %}` (a macro named `test_<name>`), `{% break %}`, `{% continue %}`;
 * - Python semantics: truth values (`[]` is false), `==` by value, `+` on lists, `*` on strings,
 *   `%` formatting, `~` printing None, tuples `(a, b)`, `{% set a, b = ... %}`, `{% set ns.x = ... %}`;
 * - `obj.name` and `obj['name']` resolve through `runtime.attr` / `runtime.item` (Python methods on
 *   strings, lists and dicts);
 * - undefined names raise (naming the variable and its line) except under `is defined` and `default`;
 * - macros restore the caller's frame when they raise (which `return()` does) and record where a
 *   raised error happened.
 *
 * The generated code calls our runtime (runtime.ts) through the `runtime` parameter that every render
 * passes in, so nothing global in nunjucks is patched.
 */
import { Script } from 'node:vm';
import { nj } from './nj.js';

const { nodes, lexer } = nj;
const TemplateError = nj.lib.TemplateError;

const Do = nodes.Node.extend('Do', { fields: ['expr'] });
const Break = nodes.Node.extend('Break', { fields: [] });
const Continue = nodes.Node.extend('Continue', { fields: [] });
const Truthy = nodes.Node.extend('Truthy', { fields: ['expr'] });
const PyIter = nodes.Node.extend('PyIter', { fields: ['expr'] });
/** Jinja's `x[start:stop:step]` (nunjucks has no slices); absent parts are null. */
const Slice = nodes.Node.extend('Slice', { fields: ['target', 'start', 'stop', 'step'] });
const OUR_EXPRESSIONS = [Truthy, PyIter];

const UNSUPPORTED = new Set(['extends', 'include', 'import', 'from', 'block']);

export interface ParsedMacro {
  name: string;
  /** 1-based. */
  line: number;
  args: string[];
  /** Offsets of the whole `{% macro %}...{% endmacro %}` in the source. */
  start: number;
  end: number;
  isTest: boolean;
}

function lineStarts(src: string): number[] {
  const starts = [0];
  for (let i = src.indexOf('\n'); i !== -1; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);

function startsArgument(tok: any): boolean {
  switch (tok.type) {
    case lexer.TOKEN_STRING:
    case lexer.TOKEN_INT:
    case lexer.TOKEN_FLOAT:
    case lexer.TOKEN_BOOLEAN:
    case lexer.TOKEN_NONE:
    case lexer.TOKEN_LEFT_BRACKET:
    case lexer.TOKEN_LEFT_CURLY:
      return true;
    case lexer.TOKEN_SYMBOL:
      return !KEYWORDS.has(tok.value);
    default:
      return false;
  }
}

class QdbtParser extends (nj.parser.Parser as any) {
  declare tokens: any;
  declare peeked: any;
  macrosFound: ParsedMacro[] = [];
  constructor(...args: any[]) {
    super(...args);
  }
  src = '';
  starts: number[] = [];

  parseStatement(): any {
    const tok = this.peekToken();
    if (tok && tok.type === lexer.TOKEN_SYMBOL) {
      switch (tok.value) {
        case 'do': {
          this.nextToken();
          const node = new Do(tok.lineno, tok.colno, this.parseExpression());
          this.advanceAfterBlockEnd(tok.value);
          return node;
        }
        case 'break':
        case 'continue': {
          this.nextToken();
          this.advanceAfterBlockEnd(tok.value);
          return tok.value === 'break'
            ? new Break(tok.lineno, tok.colno)
            : new Continue(tok.lineno, tok.colno);
        }
        case 'macro':
        case 'test':
          return this.parseMacroOrTest(tok.value === 'test');
        default:
          if (UNSUPPORTED.has(tok.value)) {
            this.fail(
              `{% ${tok.value} %} is not supported: macros from macros/ are available in every model without importing`,
              tok.lineno,
              tok.colno,
            );
          }
      }
    }
    return super.parseStatement();
  }

  parseMacroOrTest(isTest: boolean): any {
    const tok = this.peekToken();
    const depth = this.breakOnBlocks;
    this.nextToken();
    const name = this.parsePrimary(true);
    if (!(name instanceof nodes.Symbol)) this.fail('expected a macro name', tok.lineno, tok.colno);
    if (isTest) name.value = `test_${name.value}`;
    const args = this.parseSignature();
    const node = new nodes.Macro(tok.lineno, tok.colno, name, args);
    node.isTest = isTest;
    this.advanceAfterBlockEnd(tok.value);
    const endTag = isTest ? 'endtest' : 'endmacro';
    node.body = this.parseUntilBlocks(endTag);
    this.advanceAfterBlockEnd();
    if (depth === null) {
      const at = this.starts[tok.lineno]! + tok.colno;
      const start = this.src.lastIndexOf('{%', at);
      const argNames: string[] = [];
      for (const arg of args.children) {
        if (arg instanceof nodes.Symbol) argNames.push(arg.value);
        else if (arg instanceof nodes.KeywordArgs || arg instanceof nodes.Dict) {
          for (const pair of arg.children) argNames.push(pair.key.value);
        }
      }
      this.macrosFound.push({
        name: name.value,
        line: tok.lineno + 1,
        args: argNames,
        start: start === -1 ? at : start,
        end: this.tokens.index,
        isTest,
      });
    }
    return node;
  }

  /** As nunjucks, plus Jinja tuple values: `{% set a, b = 1, 2 %}` (unpacked by the compiler). */
  parseSet(): any {
    const tag = this.peekToken();
    this.nextToken();
    const node = new nodes.Set(tag.lineno, tag.colno, []);
    let target;
    while ((target = this.parsePrimary())) {
      node.targets.push(target);
      if (!this.skip(lexer.TOKEN_COMMA)) break;
    }
    if (!this.skipValue(lexer.TOKEN_OPERATOR, '=')) {
      const end = this.nextToken();
      if (!end || end.type !== lexer.TOKEN_BLOCK_END) {
        this.fail('expected = or block end in set tag', tag.lineno, tag.colno);
      }
      // nunjucks forgets `{% set x -%}`'s whitespace control here.
      if (end.value.charAt(0) === '-') this.dropLeadingWhitespace = true;
      node.body = new nodes.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
      node.value = null;
      this.advanceAfterBlockEnd();
      return node;
    }
    const first = this.parseExpression();
    if (this.peekToken()?.type === lexer.TOKEN_COMMA) {
      const tuple = new nodes.Array(first.lineno, first.colno, [first]);
      while (this.skip(lexer.TOKEN_COMMA)) tuple.addChild(this.parseExpression());
      node.value = tuple;
    } else node.value = first;
    this.advanceAfterBlockEnd(tag.value);
    return node;
  }

  /** As nunjucks, plus Jinja's one-argument tests without parentheses: `x is sameas true`, `x is in [..]`. */
  parseIs(): any {
    let node = this.parseCompare();
    if (this.skipSymbol('is')) {
      const not = this.skipSymbol('not');
      let test = this.parsePrimary(true);
      const tok = this.peekToken();
      if (tok?.type === lexer.TOKEN_LEFT_PAREN) {
        test = new nodes.FunCall(tok.lineno, tok.colno, test, this.parseSignature());
      } else if (tok && startsArgument(tok)) {
        test = new nodes.FunCall(
          tok.lineno,
          tok.colno,
          test,
          new nodes.NodeList(tok.lineno, tok.colno, [this.parsePrimary()]),
        );
      }
      node = new nodes.Is(node.lineno, node.colno, node, test);
      if (not) node = new nodes.Not(node.lineno, node.colno, node);
    }
    return node;
  }

  /** `x[i]`, or a slice `x[a:b]`, `x[:b]`, `x[::-1]` as in Jinja (nunjucks only knows `x[i]`). */
  parseSubscript(target: any, open: any): any {
    this.nextToken();
    const parts: any[] = [null];
    for (;;) {
      const tok = this.peekToken();
      if (!tok) this.fail('expected ] to end the subscript', open.lineno, open.colno);
      if (tok.type === lexer.TOKEN_RIGHT_BRACKET) {
        this.nextToken();
        break;
      }
      if (tok.type === lexer.TOKEN_COLON) {
        this.nextToken();
        if (parts.length === 3)
          this.fail('a slice has at most three parts: [start:stop:step]', tok.lineno, tok.colno);
        parts.push(null);
        continue;
      }
      if (parts[parts.length - 1] !== null)
        this.fail('expected : or ] in the subscript', tok.lineno, tok.colno);
      parts[parts.length - 1] = this.parseExpression();
    }
    if (parts.length === 1) {
      if (parts[0] === null) this.fail('expected an index between [ and ]', open.lineno, open.colno);
      return new nodes.LookupVal(open.lineno, open.colno, target, parts[0]);
    }
    return new Slice(open.lineno, open.colno, target, parts[0], parts[1], parts[2] ?? null);
  }

  /** As nunjucks, but marks `a.b` (attribute) apart from `a['b']` (item): Jinja resolves them differently. */
  parsePostfix(node: any): any {
    let tok = this.peekToken();
    while (tok) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        node = new nodes.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        node = this.parseSubscript(node, tok);
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val = this.nextToken();
        if (val.type !== lexer.TOKEN_SYMBOL && val.type !== lexer.TOKEN_INT) {
          this.fail('expected name as lookup value, got ' + val.value, val.lineno, val.colno);
        }
        node = new nodes.LookupVal(
          tok.lineno,
          tok.colno,
          node,
          new nodes.Literal(val.lineno, val.colno, val.value),
        );
        node.isAttr = true;
      } else {
        break;
      }
      tok = this.peekToken();
    }
    return node;
  }
}

const STATEMENTS = new Set(['Output', 'If', 'For', 'Set', 'Do', 'Switch']);
const SOFT_FILTERS = new Set(['default', 'd']);
const SOFT_TESTS = new Set(['defined', 'undefined']);

class QdbtCompiler extends (nj.compiler.Compiler as any) {
  declare _emit: (code: string) => void;
  declare _emitLine: (code: string) => void;
  declare _emitLines: (...lines: string[]) => void;
  declare _tmpid: () => string;
  declare _pushBuffer: () => string;
  declare _popBuffer: () => void;
  declare _withScopedSyntax: (fn: () => void) => void;
  declare _compileExpression: (node: any, frame: any) => void;
  declare _compileAggregate: (node: any, frame: any, start?: string, end?: string) => void;
  declare _getNodeName: (node: any) => string;
  declare fail: (msg: string, lineno?: number, colno?: number) => never;
  soft = 0;
  loops = 0;
  constructor(...args: any[]) {
    super(...args);
  }

  // The root and block functions are in parentheses, which makes V8 compile them eagerly: the code
  // cache made where the template is translated then holds their bytecode too.
  _emitFuncBegin(node: any, name: string): void {
    (this as any).buffer = 'output';
    (this as any)._scopeClosers = '';
    this._emitLine(`var ${name} = (function ${name}(env, context, frame, runtime, cb) {`);
    this._emitLine(`var lineno = ${node.lineno};`);
    this._emitLine(`var colno = ${node.colno};`);
    this._emitLine('var output = "";');
    this._emitLine('try {');
  }

  _emitFuncEnd(noReturn?: boolean): void {
    if (!noReturn) this._emitLine('cb(null, output);');
    (this as any)._closeScopeLevels();
    this._emitLine('} catch (e) {');
    this._emitLine('  cb(runtime.handleError(e, lineno, colno));');
    this._emitLine('}');
    this._emitLine('});');
    (this as any).buffer = null;
  }

  compile(node: any, frame?: any): void {
    if (STATEMENTS.has(node.typename)) this._emitLine(`lineno = ${node.lineno}; colno = ${node.colno};`);
    super.compile(node, frame);
  }

  assertType(node: any, ...types: any[]): void {
    if (OUR_EXPRESSIONS.some((t) => node instanceof t)) return;
    super.assertType(node, ...types);
  }

  compileDo(node: any, frame: any): void {
    this._compileExpression(node.expr, frame);
    this._emitLine(';');
  }

  compileBreak(node: any): void {
    if (!this.loops) this.fail('{% break %} outside a for loop', node.lineno, node.colno);
    this._emitLine('break;');
  }

  compileContinue(node: any): void {
    if (!this.loops) this.fail('{% continue %} outside a for loop', node.lineno, node.colno);
    this._emitLine('continue;');
  }

  compileTruthy(node: any, frame: any): void {
    this._emit('runtime.truthy(');
    this.compile(node.expr, frame);
    this._emit(')');
  }

  compileSlice(node: any, frame: any): void {
    this._emit('runtime.slice(');
    this._compileExpression(node.target, frame);
    for (const part of [node.start, node.stop, node.step]) {
      this._emit(',');
      if (part === null) this._emit('null');
      else this._compileExpression(part, frame);
    }
    this._emit(`, ${node.lineno})`);
  }

  compilePyIter(node: any, frame: any): void {
    this._emit('runtime.iter(');
    this.compile(node.expr, frame);
    this._emit(')');
  }

  compileSymbol(node: any, frame: any): void {
    const name: string = node.value;
    const id = frame.lookup(name);
    if (id) return this._emit(id);
    if (name === 'True' || name === 'False') return this._emit(name === 'True' ? 'true' : 'false');
    if (name === 'None') return this._emit('null');
    if (this.soft) return this._emit(`runtime.softLookup(context, frame, ${JSON.stringify(name)})`);
    this._emit(`runtime.lookup(context, frame, ${JSON.stringify(name)}, ${node.lineno})`);
  }

  compileLookupVal(node: any, frame: any): void {
    this._emit(node.isAttr ? 'runtime.attr((' : 'runtime.item((');
    this._compileExpression(node.target, frame);
    this._emit('),');
    const soft = this.soft;
    this.soft = 0;
    this._compileExpression(node.val, frame);
    this.soft = soft;
    this._emit(')');
  }

  /** Compiles `node` with undefined names yielding undefined instead of raising. */
  compileSoft(node: any, frame: any): void {
    this.soft++;
    try {
      this.compile(node, frame);
    } finally {
      this.soft--;
    }
  }

  compileFunCall(node: any, frame: any): void {
    const soft = this.soft;
    this.soft = 0;
    try {
      super.compileFunCall(node, frame);
    } finally {
      this.soft = soft;
    }
  }

  compileIs(node: any, frame: any): void {
    const test: string = node.right.name ? node.right.name.value : node.right.value;
    this._emit(`env.getTest(${JSON.stringify(test)}).call(context, `);
    if (SOFT_TESTS.has(test)) this.compileSoft(node.left, frame);
    else this.compile(node.left, frame);
    if (node.right.args) {
      this._emit(',');
      this.compile(node.right.args, frame);
    }
    this._emit(') === true');
  }

  compileFilter(node: any, frame: any): void {
    const name = node.name.value as string;
    this._emit(`env.getFilter(${JSON.stringify(name)}).call(context, `);
    node.args.children.forEach((child: any, i: number) => {
      if (i > 0) this._emit(',');
      if (i === 0 && SOFT_FILTERS.has(name)) this.compileSoft(child, frame);
      else this.compile(child, frame);
    });
    this._emit(')');
  }

  compileOutput(node: any, frame: any): void {
    for (const child of node.children) {
      if (child instanceof nodes.TemplateData) {
        if (child.value) {
          this._emit(`${this.buffer} += `);
          this.compileLiteral(child, frame);
          this._emitLine(';');
        }
      } else {
        this._emit(`${this.buffer} += runtime.out(`);
        this.compile(child, frame);
        const desc = this.describe(child);
        let first = child;
        while (first.typename === 'LookupVal' || first.typename === 'FunCall')
          first = first.target ?? first.name;
        this._emit(`, ${child.lineno}, ${first.colno}, ${JSON.stringify(desc)});\n`);
      }
    }
  }

  /** `a.b.c` for messages such as "'a.b.c' is undefined". */
  describe(node: any): string {
    switch (node.typename) {
      case 'Symbol':
        return node.value;
      case 'Literal':
        return String(node.value);
      case 'LookupVal':
        return node.isAttr
          ? `${this.describe(node.target)}.${this.describe(node.val)}`
          : `${this.describe(node.target)}[${JSON.stringify(node.val.value ?? this.describe(node.val))}]`;
      case 'FunCall':
        return `${this.describe(node.name)}(...)`;
      default:
        return 'expression';
    }
  }

  declare buffer: string;
  declare compileLiteral: (node: any, frame: any) => void;

  compileIf(node: any, frame: any, async?: boolean): void {
    const cond = node.cond;
    node.cond = new Truthy(cond.lineno, cond.colno, cond);
    try {
      super.compileIf(node, frame, async);
    } finally {
      node.cond = cond;
    }
  }

  compileInlineIf(node: any, frame: any): void {
    this._emit('(runtime.truthy(');
    this.compile(node.cond, frame);
    this._emit(') ? ');
    this.compile(node.body, frame);
    this._emit(' : ');
    if (node.else_ !== null) this.compile(node.else_, frame);
    else this._emit('""');
    this._emit(')');
  }

  compileNot(node: any, frame: any): void {
    this._emit('!runtime.truthy(');
    this.compile(node.target, frame);
    this._emit(')');
  }

  private lazyBinary(fn: string, node: any, frame: any): void {
    this._emit(`runtime.${fn}(`);
    this.compile(node.left, frame);
    this._emit(', function() { return ');
    this.compile(node.right, frame);
    this._emit('; })');
  }

  compileOr(node: any, frame: any): void {
    this.lazyBinary('or', node, frame);
  }

  compileAnd(node: any, frame: any): void {
    this.lazyBinary('and', node, frame);
  }

  private binary(fn: string, node: any, frame: any): void {
    this._emit(`runtime.${fn}(`);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  }

  compileAdd(node: any, frame: any): void {
    this.binary('add', node, frame);
  }
  compileSub(node: any, frame: any): void {
    this.binary('sub', node, frame);
  }
  compileMul(node: any, frame: any): void {
    this.binary('mul', node, frame);
  }
  compileMod(node: any, frame: any): void {
    this.binary('mod', node, frame);
  }
  compileConcat(node: any, frame: any): void {
    this.binary('concat', node, frame);
  }
  compileDiv(node: any, frame: any): void {
    this.binary('div', node, frame);
  }
  compileFloorDiv(node: any, frame: any): void {
    this.binary('floordiv', node, frame);
  }

  compileCompare(node: any, frame: any): void {
    this._emit('runtime.compare(');
    this.compile(node.expr, frame);
    for (const op of node.ops) {
      this._emit(`, ${JSON.stringify(op.type)}, `);
      this.compile(op.expr, frame);
    }
    this._emit(')');
  }

  /** `(a, b)` is a tuple (a JS array), not JS's comma operator. */
  compileGroup(node: any, frame: any): void {
    if (node.children.length > 1) this._compileAggregate(node, frame, '[', ']');
    else this._compileAggregate(node, frame, '(', ')');
  }

  compileFor(node: any, frame: any): void {
    const arr = node.arr;
    if (!(node.name instanceof nodes.Array)) node.arr = new PyIter(arr.lineno, arr.colno, arr);
    this.loops++;
    try {
      super.compileFor(node, frame);
    } finally {
      this.loops--;
      node.arr = arr;
    }
  }

  compileCapture(node: any, frame: any): void {
    const loops = this.loops;
    this.loops = 0;
    try {
      super.compileCapture(node, frame);
    } finally {
      this.loops = loops;
    }
  }

  compileSet(node: any, frame: any): void {
    const targets: any[] = node.targets;
    if (targets.length === 1 && targets[0] instanceof nodes.LookupVal) {
      const target = targets[0];
      this._emit('runtime.setAttr(');
      this._compileExpression(target.target, frame);
      this._emit(', ');
      this._compileExpression(target.val, frame);
      this._emit(', ');
      if (node.value) this._compileExpression(node.value, frame);
      else this.compile(node.body, frame);
      this._emitLine(`, ${target.lineno});`);
      return;
    }
    for (const target of targets) {
      if (!(target instanceof nodes.Symbol)) {
        this.fail('can only assign to names or attributes', target.lineno, target.colno);
      }
    }
    if (targets.length === 1 || !node.value) return super.compileSet(node, frame);
    // Tuple unpacking: {% set a, b = x %}.
    const tmp = this._tmpid();
    this._emit(`var ${tmp} = runtime.unpack(`);
    this._compileExpression(node.value, frame);
    this._emitLine(`, ${targets.length}, ${node.lineno});`);
    targets.forEach((target, i) => {
      const name: string = target.value;
      let id = frame.lookup(name);
      if (id === null || id === undefined) {
        id = this._tmpid();
        this._emitLine(`var ${id};`);
      }
      this._emitLine(`${id} = ${tmp}[${i}];`);
      this._emitLine(`frame.set("${name}", ${id}, true);`);
      this._emitLine(`if(frame.topLevel) { context.setVariable("${name}", ${id}); }`);
      if (name.charAt(0) !== '_')
        this._emitLine(`if(frame.topLevel) { context.addExport("${name}", ${id}); }`);
    });
  }

  _compileMacro(node: any, frame: any): string {
    const args: any[] = [];
    let kwargs: any = null;
    const funcId = 'macro_' + this._tmpid();
    const keepFrame = frame !== undefined;
    node.args.children.forEach((arg: any, i: number) => {
      if (i === node.args.children.length - 1 && arg instanceof nodes.Dict) kwargs = arg;
      else {
        this.assertType(arg, nodes.Symbol);
        args.push(arg);
      }
    });
    const realNames = [...args.map((n) => `l_${n.value}`), 'kwargs'];
    const argNames = args.map((n) => `"${n.value}"`);
    const kwargNames = ((kwargs && kwargs.children) || []).map((n: any) => `"${n.key.value}"`);
    const currFrame = keepFrame ? frame.push(true) : new nj.runtime.Frame();
    const name = keepFrame ? 'caller' : (node.name.value as string);
    this._emitLines(
      `var ${funcId} = runtime.makeMacro(`,
      `[${argNames.join(', ')}], `,
      `[${kwargNames.join(', ')}], `,
      `function (${realNames.join(', ')}) {`,
      'var callerFrame = frame;',
      'frame = ' + (keepFrame ? 'frame.push(true);' : 'new runtime.Frame();'),
      'try {',
      'kwargs = kwargs || {};',
      'if (Object.prototype.hasOwnProperty.call(kwargs, "caller")) {',
      'frame.set("caller", kwargs.caller); }',
    );
    for (const arg of args) {
      this._emitLine(`frame.set("${arg.value}", l_${arg.value});`);
      currFrame.set(arg.value, `l_${arg.value}`);
    }
    if (kwargs) {
      for (const pair of kwargs.children) {
        const kw = pair.key.value;
        this._emit(`frame.set("${kw}", `);
        this._emit(`Object.prototype.hasOwnProperty.call(kwargs, "${kw}")`);
        this._emit(` ? kwargs["${kw}"] : `);
        this._compileExpression(pair.value, currFrame);
        this._emit(');');
      }
    }
    const loops = this.loops;
    this.loops = 0;
    const bufferId = this._pushBuffer();
    this._withScopedSyntax(() => {
      this.compile(node.body, currFrame);
    });
    this.loops = loops;
    this._emitLine(`return new runtime.SafeString(${bufferId});`);
    this._emitLine(`} catch (e) { throw runtime.inMacro(e, ${JSON.stringify(name)}, context, lineno); }`);
    this._emitLine('finally { frame = callerFrame; }');
    this._emitLine(`}, ${keepFrame ? 'true' : 'false'});`);
    this._popBuffer();
    return funcId;
  }
}

export type RootRenderFunc = (
  env: unknown,
  context: unknown,
  frame: unknown,
  runtime: unknown,
  cb: (err: unknown, res?: string) => void,
) => void;

export interface CompiledTemplate {
  root: RootRenderFunc;
  macros: ParsedMacro[];
}

/** Jinja's lexer normalizes newlines to \n and drops one trailing newline (keep_trailing_newline=False). */
export function normalizeSource(source: string): string {
  let s = source.includes('\r') ? source.replace(/\r\n?/g, '\n') : source;
  if (s.endsWith('\n')) s = s.slice(0, -1);
  return s;
}

/** A syntax error in a template: a nunjucks TemplateError with 1-based lineno/colno. */
export interface SyntaxErrorInfo {
  message: string;
  line?: number;
  column?: number;
}

/** A template translated to JavaScript source: plain data, so another thread can make it. */
export interface TranslatedTemplate {
  code: string;
  macros: ParsedMacro[];
  /** V8's code cache of `code`, when another thread compiled it: compiling is then skipped. */
  codeCache?: Uint8Array;
}

export function compileTemplate(source: string, name: string): CompiledTemplate {
  return instantiateTemplate(translateTemplate(source, name));
}

/** Lex, parse and generate code: the costly part of compiling, and free of any state. */
export function translateTemplate(source: string, name: string): TranslatedTemplate {
  const src = normalizeSource(source);
  const parser = new QdbtParser(lexer.lex(src, {}));
  parser.src = src;
  parser.starts = lineStarts(src);
  const ast = parser.parseAsRoot();
  const compiler = new QdbtCompiler(name, true);
  compiler.compile(ast);
  return { code: compiler.getCode() as string, macros: parser.macrosFound };
}

/** The translation with V8's code cache added: bytecode that any thread of this process can load. */
export function withCodeCache(translated: TranslatedTemplate): TranslatedTemplate {
  return { ...translated, codeCache: new Script(wrapped(translated.code)).createCachedData() };
}

export function instantiateTemplate(translated: TranslatedTemplate): CompiledTemplate {
  // A rejected cache (another V8 version or flags) only means compiling here after all.
  const script = new Script(wrapped(translated.code), { cachedData: translated.codeCache });
  const props = (script.runInThisContext() as () => { root: RootRenderFunc })();
  return { root: props.root, macros: translated.macros };
}

function wrapped(code: string): string {
  return `(function () {\n${code}\n})`;
}

export function syntaxErrorInfo(err: unknown): SyntaxErrorInfo {
  if (err instanceof TemplateError || (err instanceof Error && 'lineno' in err)) {
    const e = err as Error & { lineno?: number; colno?: number };
    return { message: e.message, line: e.lineno || undefined, column: e.colno || undefined };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}
