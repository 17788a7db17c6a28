/**
 * Recursive-descent parser for Rego v1. Operator precedence follows OPA:
 * `in` < relations (== != < <= > >=) < `|` < `&` < `+ -` < `* / %`.
 */
import type { Body, ElseClause, Expr, Import, Module, Rule, Term, TermOf, WithModifier } from './ast.ts';
import { WILDCARD_PREFIX } from './ast.ts';
import { RegoFailure, type Location } from './errors.ts';
import { type Comment, lex, type LexToken } from './lexer.ts';
import { metadataBlocks, parseAnnotation } from './annotations.ts';
import { negate, parseNumberText } from './decimal.ts';

const RELATIONS: Record<string, string> = { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const ADD: Record<string, string> = { '+': 'plus', '-': 'minus' };
const MUL: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };

/** Names that cannot be variables or rule names. */
const RESERVED = new Set(['not', 'with', 'some', 'in', 'if', 'contains', 'every', 'else', 'as', 'default', 'import', 'package']);

class Parser {
  private pos = 0;
  private wildcards = 0;
  /** Inside a comprehension head, `|` ends the head instead of meaning union. */
  private noBar = false;
  private readonly toks: LexToken[];
  private readonly comments: Comment[] = [];

  constructor(
    source: string,
    private readonly file: string,
  ) {
    this.toks = lex(source, file, this.comments);
  }

  // ---- token helpers

  private get tok(): LexToken {
    return this.toks[this.pos]!;
  }
  private peekAt(k: number): LexToken {
    return this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
  }
  private next(): LexToken {
    const t = this.tok;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }
  private isOp(text: string, t = this.tok): boolean {
    return t.kind === 'op' && t.text === text;
  }
  private isKw(text: string, t = this.tok): boolean {
    return t.kind === 'ident' && t.text === text;
  }
  private fail(text: string, loc: Location = this.tok.loc): never {
    throw new RegoFailure('rego_parse_error', text, loc);
  }
  private unexpected(): never {
    const t = this.tok;
    this.fail(t.kind === 'eof' ? 'unexpected eof token' : `unexpected ${t.kind === 'op' ? t.text : t.kind} token${t.kind === 'ident' ? ` '${t.text}'` : ''}`);
  }
  private expectOp(text: string): LexToken {
    if (!this.isOp(text)) this.fail(`expected '${text}' but got ${this.tok.kind === 'eof' ? 'eof' : `'${this.tok.text}'`}`);
    return this.next();
  }
  private wildcard(loc: Location): TermOf<'var'> {
    return { type: 'var', name: `${WILDCARD_PREFIX}${this.wildcards++}`, loc };
  }

  // ---- module

  parseModule(): Module {
    while (this.tok.kind !== 'eof' && !this.isKw('package')) this.fail('package expected');
    const pkgTok = this.next();
    const pkgRef = this.parseTerm();
    const packagePath = refToPath(pkgRef, (loc) => this.fail('package must be a reference of strings', loc));
    if (packagePath[0] === 'data') packagePath.shift();
    const mod: Module = { file: this.file, packagePath, packageLoc: pkgTok.loc, imports: [], rules: [], packageAnnotations: [] };
    while (this.isKw('import')) mod.imports.push(this.parseImport());
    while (this.tok.kind !== 'eof') {
      if (this.isKw('import')) this.fail('imports must come before rules');
      if (this.isKw('package')) this.fail('unexpected package keyword');
      if (this.tok.kind === 'op' && this.isOp(';')) {
        this.next();
        continue;
      }
      mod.rules.push(this.parseRule());
    }
    this.attachAnnotations(mod);
    return mod;
  }

  /** Each `# METADATA` block belongs to the package or rule that starts right after it. */
  private attachAnnotations(mod: Module): void {
    for (const block of metadataBlocks(this.comments)) {
      if (mod.packageLoc.row > block.lastRow) {
        mod.packageAnnotations.push(parseAnnotation(block, this.file, 'package'));
        continue;
      }
      const rule = mod.rules.find((r) => r.loc.row > block.lastRow);
      if (!rule) continue;
      const a = parseAnnotation(block, this.file, 'rule');
      rule.annotations ??= [];
      if (rule.annotations.some((x) => x.scope === a.scope)) this.fail(`a rule has one METADATA block of scope ${a.scope}`, a.loc);
      rule.annotations.push(a);
    }
  }

  private parseImport(): Import {
    const loc = this.next().loc;
    const path = this.parseTerm();
    if (path.type !== 'var' && path.type !== 'ref') this.fail('import path must be a reference', path.loc);
    let alias: string | null = null;
    if (this.isKw('as')) {
      this.next();
      const t = this.next();
      if (t.kind !== 'ident') this.fail('import alias must be a variable', t.loc);
      alias = t.text;
    }
    return { path, alias, loc };
  }

  private parseRule(): Rule {
    const start = this.tok;
    let isDefault = false;
    if (this.isKw('default')) {
      this.next();
      isDefault = true;
    }
    if (this.tok.kind !== 'ident' || RESERVED.has(this.tok.text)) this.unexpected();
    const head = this.parseRef(this.parsePrimary());
    const loc = start.loc;
    let ref: Term[];
    let args: Term[] = [];
    let kind: Rule['kind'];
    if (head.type === 'call') {
      kind = 'function';
      ref = head.op.map((s) => ({ type: 'scalar' as const, value: s, loc: head.loc }));
      args = head.args;
    } else if (head.type === 'var') {
      ref = [{ type: 'scalar', value: head.name, loc: head.loc }];
      kind = 'complete';
    } else if (head.type === 'ref' && head.head.type === 'var') {
      ref = [{ type: 'scalar', value: head.head.name, loc: head.head.loc }, ...head.path];
      kind = 'complete';
    } else return this.fail('rule head must be a reference', head.loc);
    if (ref[0]!.type === 'scalar' && ref[0]!.value === 'data' && ref.length === 1) this.fail('rule name conflicts with data', loc);

    let value: Term | null = null;
    let key: Term | null = null;
    let assign = false;
    if (this.isKw('contains')) {
      if (kind === 'function') this.fail('function rules cannot use contains');
      this.next();
      key = this.parseTerm();
      kind = 'multi';
      assign = true;
    } else if (this.isOp(':=') || this.isOp('=')) {
      this.next();
      value = this.parseTerm();
      assign = true;
    }
    if (kind === 'complete' && ref.length > 1 && ref.slice(1).some((t) => !isGroundTerm(t))) kind = 'partial';
    if (isDefault) {
      if (kind === 'multi' || kind === 'partial') this.fail('default rules must not have variables in their reference', loc);
      if (!value) this.fail('default rule must have a value', loc);
    }
    let body: Body = [];
    if (this.isKw('if')) {
      this.next();
      body = this.parseRuleBody();
    } else if (this.isOp('{') && !this.tok.nlBefore) {
      this.fail('`if` keyword is required before rule body');
    } else if (!assign && !isDefault) {
      if (kind === 'complete' && ref.length === 1 && head.type === 'var') this.fail(`var cannot be used for rule name`, loc);
    }
    if (isDefault && body.length > 0) this.fail('default rules must not have a body', loc);
    const elses: ElseClause[] = [];
    while (this.isKw('else')) {
      const eloc = this.next().loc;
      if (kind === 'multi' || kind === 'partial') this.fail('else keyword cannot be used on multi-value rules', eloc);
      let evalue: Term | null = null;
      if (this.isOp(':=') || this.isOp('=')) {
        this.next();
        evalue = this.parseTerm();
      }
      let ebody: Body = [];
      if (this.isKw('if')) {
        this.next();
        ebody = this.parseRuleBody();
      } else if (this.isOp('{')) this.fail('`if` keyword is required before rule body');
      elses.push({ value: evalue ?? { type: 'scalar', value: true, loc: eloc }, body: ebody, loc: eloc });
    }
    if (!this.tok.nlBefore && !this.atEnd() && !this.isOp(';')) this.unexpected();
    return {
      loc,
      ref,
      kind,
      args,
      key,
      value: value ?? { type: 'scalar', value: true, loc },
      body,
      isDefault,
      elses,
      assign,
    };
  }

  /** After `if`: a braced body or a single expression (`p if x > 1`). */
  private parseRuleBody(): Body {
    if (this.isOp('{')) {
      const save = this.pos;
      const saveWildcards = this.wildcards;
      try {
        this.next();
        const body = this.parseBody('}');
        this.expectOp('}');
        if (body.length === 0) this.fail('found empty body');
        return body;
      } catch (e) {
        // `if {x: i | ...}`: a term, not a body.
        this.pos = save;
        this.wildcards = saveWildcards;
        try {
          return [this.parseExpr()];
        } catch {
          throw e;
        }
      }
    }
    return [this.parseExpr()];
  }

  // ---- bodies and expressions

  /** Expressions separated by `;` or line breaks, up to (not including) the closing token. */
  parseBody(close: '}' | ']' | 'eof'): Body {
    const body: Body = [];
    const atClose = () => (close === 'eof' ? this.tok.kind === 'eof' : this.isOp(close));
    while (!atClose()) {
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      body.push(this.parseExpr());
      if (atClose()) break;
      if (this.isOp(';')) {
        this.next();
        continue;
      }
      if (!this.tok.nlBefore) this.unexpected();
    }
    return body;
  }

  parseExpr(): Expr {
    const loc = this.tok.loc;
    let negated = false;
    if (this.isKw('not')) {
      this.next();
      negated = true;
    }
    let expr: Expr;
    if (this.isKw('some')) expr = this.parseSome(loc);
    else if (this.isKw('every')) expr = this.parseEvery(loc);
    else {
      const left = this.parseTermIn(true);
      if (this.isOp(':=') || this.isOp('=')) {
        const op = this.next().text;
        const right = this.parseTermIn(true);
        expr = { kind: op === ':=' ? 'assign' : 'unify', left, right, loc, negated: false, with: [] };
      } else expr = { kind: 'term', term: left, loc, negated: false, with: [] };
    }
    expr.negated = negated;
    while (this.isKw('with')) expr.with.push(this.parseWith());
    return expr;
  }

  private parseWith(): WithModifier {
    const loc = this.next().loc;
    const target = this.parseTerm();
    if (target.type !== 'var' && target.type !== 'ref') this.fail('with target must be a reference', target.loc);
    if (!this.isKw('as')) this.fail('expected as keyword');
    this.next();
    const value = this.parseTermIn(true);
    return { target, value, loc };
  }

  private parseSome(loc: Location): Expr {
    this.next();
    const first = this.parseTermRelation();
    if (this.isOp(',') || this.isKw('in')) {
      let key: Term | null = null;
      let value = first;
      if (this.isOp(',')) {
        this.next();
        const second = this.parseTermRelation();
        if (!this.isKw('in')) {
          // `some x, y`: declarations
          const vars = [first, second];
          while (this.isOp(',')) {
            this.next();
            vars.push(this.parseTermRelation());
          }
          return { kind: 'some', vars: vars.map((v) => this.someVar(v)), loc, negated: false, with: [] };
        }
        key = first;
        value = second;
      }
      this.next(); // in
      const domain = this.parseTermRelation();
      return { kind: 'somein', key, value, domain, loc, negated: false, with: [] };
    }
    return { kind: 'some', vars: [this.someVar(first)], loc, negated: false, with: [] };
  }

  private someVar(t: Term): TermOf<'var'> {
    if (t.type !== 'var') this.fail('expected var in some declaration', t.loc);
    return t;
  }

  private parseEvery(loc: Location): Expr {
    this.next();
    const first = this.parseTermRelation();
    let key: Term | null = null;
    let value = first;
    if (this.isOp(',')) {
      this.next();
      key = first;
      value = this.parseTermRelation();
    }
    if (!this.isKw('in')) this.fail('expected in keyword');
    this.next();
    const domain = this.parseTermRelation();
    this.expectOp('{');
    const body = this.parseBody('}');
    this.expectOp('}');
    return { kind: 'every', key, value, domain, body, loc, negated: false, with: [] };
  }

  // ---- terms

  parseTerm(): Term {
    return this.parseTermIn(false);
  }

  /** `x in xs`, `k, v in xs` (the comma form only where an expression starts). */
  private parseTermIn(allowPair: boolean): Term {
    let left = this.parseTermRelation();
    if (allowPair && this.isOp(',') && this.looksLikePairIn()) {
      this.next();
      const value = this.parseTermRelation();
      const inTok = this.next();
      const domain = this.parseTermRelation();
      left = { type: 'call', op: ['internal', 'member_3'], args: [left, value, domain], loc: inTok.loc };
    }
    while (this.isKw('in')) {
      this.next();
      const right = this.parseTermRelation();
      left = { type: 'call', op: ['internal', 'member_2'], args: [left, right], loc: left.loc };
    }
    return left;
  }

  /** After `k` at `,`: is this `k, v in xs`? Scan to the next `in` at depth 0 before a separator. */
  private looksLikePairIn(): boolean {
    let depth = 0;
    for (let k = 1; ; k++) {
      const t = this.peekAt(k);
      if (t.kind === 'eof') return false;
      if (depth === 0 && t.nlBefore && k > 1) return false;
      if (t.kind === 'op') {
        if ('([{'.includes(t.text)) depth++;
        else if (')]}'.includes(t.text)) {
          if (depth === 0) return false;
          depth--;
        } else if (depth === 0 && (t.text === ',' || t.text === ';' || t.text === ':=' || t.text === '=' || t.text === '|')) return false;
      } else if (depth === 0 && t.kind === 'ident' && t.text === 'in') return true;
    }
  }

  private parseTermRelation(): Term {
    let left = this.parseTermOr();
    while (this.tok.kind === 'op' && RELATIONS[this.tok.text]) {
      const op = this.next();
      const right = this.parseTermOr();
      left = { type: 'call', op: [RELATIONS[op.text]!], args: [left, right], loc: left.loc };
    }
    return left;
  }

  private parseTermOr(): Term {
    let left = this.parseTermAnd();
    while (!this.noBar && this.isOp('|')) {
      this.next();
      const right = this.parseTermAnd();
      left = { type: 'call', op: ['or'], args: [left, right], loc: left.loc };
    }
    return left;
  }

  private parseTermAnd(): Term {
    let left = this.parseTermArith();
    while (this.isOp('&')) {
      this.next();
      const right = this.parseTermArith();
      left = { type: 'call', op: ['and'], args: [left, right], loc: left.loc };
    }
    return left;
  }

  private parseTermArith(): Term {
    let left = this.parseTermFactor();
    while (this.tok.kind === 'op' && ADD[this.tok.text] && !(this.tok.text === '-' && this.tok.nlBefore)) {
      const op = this.next();
      const right = this.parseTermFactor();
      left = { type: 'call', op: [ADD[op.text]!], args: [left, right], loc: left.loc };
    }
    return left;
  }

  private parseTermFactor(): Term {
    let left = this.parseUnary();
    while (this.tok.kind === 'op' && MUL[this.tok.text]) {
      const op = this.next();
      const right = this.parseUnary();
      left = { type: 'call', op: [MUL[op.text]!], args: [left, right], loc: left.loc };
    }
    return left;
  }

  private parseUnary(): Term {
    if (this.isOp('-')) {
      const minus = this.next();
      const t = this.tok;
      if (t.kind === 'number' && !t.wsBefore) {
        this.next();
        return this.parseRef({ type: 'scalar', value: negate(parseNumber(t.text, () => this.fail('invalid number', t.loc))), loc: minus.loc });
      }
      const operand = this.parseUnary();
      return { type: 'call', op: ['minus'], args: [{ type: 'scalar', value: 0, loc: minus.loc }, operand], loc: minus.loc };
    }
    return this.parseRef(this.parsePrimary());
  }

  /** Dots, brackets and calls directly after a term (no whitespace before `[` or `(`). */
  private parseRef(head: Term): Term {
    let term = head;
    for (;;) {
      const t = this.tok;
      if (this.isOp('.') && !t.wsBefore) {
        this.next();
        const name = this.next();
        if (name.kind !== 'ident' || name.wsBefore) this.fail('expected identifier after .', name.loc);
        term = this.appendRef(term, { type: 'scalar', value: name.text, loc: name.loc });
      } else if (this.isOp('[') && !t.wsBefore) {
        this.next();
        const key = this.parseTerm();
        this.expectOp(']');
        term = this.appendRef(term, key);
      } else if (this.isOp('(') && !t.wsBefore && (term.type === 'var' || term.type === 'ref')) {
        const op = callName(term);
        if (!op) this.fail('invalid function name', term.loc);
        this.next();
        const args: Term[] = [];
        while (!this.isOp(')')) {
          args.push(this.parseTerm());
          if (this.isOp(',')) this.next();
          else if (!this.isOp(')')) this.unexpected();
        }
        this.next();
        term = { type: 'call', op: op!, args, loc: term.loc };
      } else return term;
    }
  }

  private appendRef(term: Term, key: Term): Term {
    if (term.type === 'ref') return { ...term, path: [...term.path, key] };
    return { type: 'ref', head: term, path: [key], loc: term.loc };
  }

  private parsePrimary(): Term {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.next();
        return { type: 'scalar', value: parseNumber(t.text, () => this.fail('invalid number', t.loc)), loc: t.loc };
      case 'string':
      case 'rawstring':
        this.next();
        return { type: 'scalar', value: t.text, loc: t.loc };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { type: 'scalar', value: t.text === 'true', loc: t.loc };
        }
        if (t.text === 'null') {
          this.next();
          return { type: 'scalar', value: null, loc: t.loc };
        }
        if (t.text === 'set' && this.isOp('(', this.peekAt(1)) && this.isOp(')', this.peekAt(2))) {
          this.pos += 3;
          return { type: 'set', items: [], loc: t.loc };
        }
        const callable = t.text === 'contains' && this.isOp('(', this.peekAt(1)) && !this.peekAt(1).wsBefore;
        if (RESERVED.has(t.text) && !callable) this.unexpected();
        this.next();
        if (t.text === '_') return this.wildcard(t.loc);
        return { type: 'var', name: t.text, loc: t.loc };
      }
      case 'op':
        if (t.text === '(') {
          this.next();
          const outerNoBar = this.noBar;
          this.noBar = false;
          const inner = this.parseTermIn(true);
          this.noBar = outerNoBar;
          this.expectOp(')');
          return inner;
        }
        if (t.text === '[') return this.parseArray();
        if (t.text === '{') return this.parseBrace();
        return this.unexpected();
      default:
        return this.unexpected();
    }
  }

  private parseArray(): Term {
    const loc = this.next().loc;
    return this.withBarsAllowed(() => this.parseCollectionArray(loc));
  }

  /** Inside brackets and braces `|` is an operator again, whatever the enclosing comprehension head said. */
  private withBarsAllowed(parse: () => Term): Term {
    const outerNoBar = this.noBar;
    this.noBar = false;
    try {
      return parse();
    } finally {
      this.noBar = outerNoBar;
    }
  }

  /**
   * The first term of a collection, and the body when `first | body close`
   * is a comprehension. When the body does not parse, `|` was a set union
   * inside a literal (`[a | b, c]`): the first term is parsed again whole.
   */
  private headAndComprehension(close: ']' | '}'): { first: Term; body?: Body } {
    const start = this.pos;
    const startWildcards = this.wildcards;
    const first = this.parseTermOrNoBar();
    if (!this.isOp('|')) return { first };
    const afterHead = this.pos;
    try {
      this.next();
      const body = this.parseBody(close);
      this.expectOp(close);
      return { first, body };
    } catch (e) {
      this.pos = start;
      this.wildcards = startWildcards;
      const whole = this.parseTerm();
      if (this.pos === afterHead) throw e;
      return { first: whole };
    }
  }

  private parseCollectionArray(loc: Location): Term {
    if (this.isOp(']')) {
      this.next();
      return { type: 'array', items: [], loc };
    }
    const { first, body } = this.headAndComprehension(']');
    if (body) return { type: 'arraycompr', term: first, body, loc };
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(']')) break;
      items.push(this.parseTerm());
    }
    this.expectOp(']');
    return { type: 'array', items, loc };
  }

  /** A term up to a comprehension bar: `|` there separates head and body. */
  private parseTermOrNoBar(): Term {
    const prev = this.noBar;
    this.noBar = true;
    try {
      return this.parseTermIn(false);
    } finally {
      this.noBar = prev;
    }
  }

  private parseBrace(): Term {
    const loc = this.next().loc;
    return this.withBarsAllowed(() => this.parseCollectionBrace(loc));
  }

  private parseCollectionBrace(loc: Location): Term {
    if (this.isOp('}')) {
      this.next();
      return { type: 'object', entries: [], loc };
    }
    const { first, body } = this.headAndComprehension('}');
    if (body) return { type: 'setcompr', term: first, body, loc };
    if (this.isOp(':')) {
      this.next();
      const firstValue = this.parseTermOrNoBar();
      if (this.isOp('|')) {
        this.next();
        const body = this.parseBody('}');
        this.expectOp('}');
        return { type: 'objectcompr', key: first, value: firstValue, body, loc };
      }
      const entries: Array<[Term, Term]> = [[first, firstValue]];
      while (this.isOp(',')) {
        this.next();
        if (this.isOp('}')) break;
        const k = this.parseTerm();
        this.expectOp(':');
        entries.push([k, this.parseTerm()]);
      }
      this.expectOp('}');
      return { type: 'object', entries, loc };
    }
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp('}')) break;
      items.push(this.parseTerm());
    }
    this.expectOp('}');
    return { type: 'set', items, loc };
  }

  atEnd(): boolean {
    return this.tok.kind === 'eof';
  }
  expectEnd(): void {
    if (!this.atEnd()) this.unexpected();
  }
}

function parseNumber(text: string, fail: () => never): number | bigint {
  return parseNumberText(text) ?? fail();
}

function callName(t: Term): string[] | null {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return null;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return null;
    out.push(p.value);
  }
  return out;
}

export function isGroundTerm(t: Term): boolean {
  switch (t.type) {
    case 'scalar':
      return true;
    case 'array':
    case 'set':
      return t.items.every(isGroundTerm);
    case 'object':
      return t.entries.every(([k, v]) => isGroundTerm(k) && isGroundTerm(v));
    default:
      return false;
  }
}

function refToPath(t: Term, fail: (loc: Location) => never): Array<string> {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return fail(t.loc);
  return [t.head.name, ...t.path.map((p) => (p.type === 'scalar' && typeof p.value === 'string' ? p.value : fail(p.loc)))];
}

export function parseModule(source: string, file: string): Module {
  return new Parser(source, file).parseModule();
}

/** A query: a body at the top level. */
export function parseQuery(source: string, file = 'query'): Body {
  const p = new Parser(source, file);
  const body = p.parseBody('eof');
  p.expectEnd();
  return body;
}

/** A single term (e.g. the `input_term` of a test case). */
export function parseTermText(source: string, file = 'term'): Term {
  const p = new Parser(source, file);
  const t = p.parseTerm();
  p.expectEnd();
  return t;
}
