/**
 * Pure parsers for the RFC 7644 §3.4.2.2 filter grammar and for PATCH `path` values (§3.5.2).
 * No schema knowledge here: attribute paths are kept as written and resolved by the evaluator.
 */
import { ScimError } from '../errors.ts';
import type { ScimErrorType } from '../errors.ts';

/** Longer input is refused before tokenising; real IdP filters are well under 200 characters. */
export const MAX_FILTER_LENGTH = 4096;
/** Nesting of `(`, `not (` and `[` allowed; keeps recursion shallow whatever the input. */
export const MAX_FILTER_DEPTH = 32;

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompareValue = string | number | boolean | null;

/** `[uri ":"] name ["." subAttr]`, spelled as the client wrote it. */
export interface AttrPath {
  readonly uri?: string;
  readonly name: string;
  readonly subAttr?: string;
}

export interface CompareFilter {
  readonly type: 'compare';
  readonly path: AttrPath;
  readonly op: CompareOperator;
  readonly value: CompareValue;
}

export interface PresentFilter {
  readonly type: 'present';
  readonly path: AttrPath;
}

/** n-ary so that long `a or b or c …` chains do not build deep trees. */
export interface LogicalFilter {
  readonly type: 'and' | 'or';
  readonly operands: readonly Filter[];
}

export interface NotFilter {
  readonly type: 'not';
  readonly operand: Filter;
}

/**
 * `emails[type eq "work"]`: some value of the multi-valued attribute matches `filter`, whose paths
 * are sub-attribute names. `emails[type eq "work"].value eq "x"` (outside the RFC grammar, but
 * what Entra ID sends) is parsed as `emails[type eq "work" and value eq "x"]`, which means the same.
 */
export interface ValuePathFilter {
  readonly type: 'valuePath';
  readonly path: AttrPath;
  readonly filter: Filter;
}

export type Filter = CompareFilter | PresentFilter | LogicalFilter | NotFilter | ValuePathFilter;

/** A PATCH target: `attrPath`, `attrPath[valFilter]` or `attrPath[valFilter].subAttr`. */
export interface PatchPath {
  readonly uri?: string;
  readonly name: string;
  /** From `name.subAttr`, or from the `.subAttr` after the brackets. */
  readonly subAttr?: string;
  readonly filter?: Filter;
}

const COMPARE_OPERATORS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
// `$` lets `$ref` through; the RFC ABNF forgets it although the schemas define `$ref` sub-attributes.
const ATTRNAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9:._$-]+$/;
const WORD_START = /[A-Za-z$]/;
const WORD_CHAR = /[A-Za-z0-9$_:.-]/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Splits an attribute path; undefined when it is not one. */
export function parseAttrPath(text: string): AttrPath | undefined {
  const colon = text.lastIndexOf(':');
  const uri = colon >= 0 ? text.slice(0, colon) : undefined;
  if (uri !== undefined && !URI.test(uri)) return undefined;
  const parts = text.slice(colon + 1).split('.');
  if (parts.length > 2 || !parts.every((part) => ATTRNAME.test(part))) return undefined;
  const [name, subAttr] = parts as [string, string | undefined];
  return { ...(uri === undefined ? {} : { uri }), name, ...(subAttr === undefined ? {} : { subAttr }) };
}

/** The operands of a conjunction, nested `and`s flattened; any other filter is its own single operand. */
export function conjuncts(filter: Filter): Filter[] {
  return filter.type === 'and' ? filter.operands.flatMap(conjuncts) : [filter];
}

export function formatAttrPath(path: AttrPath): string {
  return `${path.uri === undefined ? '' : `${path.uri}:`}${path.name}${path.subAttr === undefined ? '' : `.${path.subAttr}`}`;
}

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly pos: number }
  | { readonly kind: '(' | ')' | '[' | ']' | '.' | 'end'; readonly pos: number };

type Fail = (message: string, pos: number) => never;

function failWith(scimType: ScimErrorType, what: string): Fail {
  return (message, pos) => {
    throw new ScimError(400, scimType, `${what}: ${message} at position ${pos + 1}`);
  };
}

function tokenize(input: string, fail: Fail): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']' || c === '.') {
      tokens.push({ kind: c, pos: i });
      i++;
    } else if (c === '"') {
      const start = i;
      const [value, end] = readString(input, i, fail);
      tokens.push({ kind: 'string', value, pos: start });
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(input);
      const end = i + (match?.[0].length ?? 0);
      if (match === null || (end < input.length && WORD_CHAR.test(input[end] as string))) fail('malformed number', i);
      tokens.push({ kind: 'number', value: Number(match[0]), pos: i });
      i = end;
    } else if (WORD_START.test(c)) {
      const start = i;
      while (i < input.length && WORD_CHAR.test(input[i] as string)) i++;
      tokens.push({ kind: 'word', text: input.slice(start, i), pos: start });
    } else {
      fail(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  tokens.push({ kind: 'end', pos: input.length });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A JSON string (RFC 8259 §7) starting at the opening quote; returns the value and the index after it. */
function readString(input: string, start: number, fail: Fail): [string, number] {
  let out = '';
  let i = start + 1;
  for (;;) {
    if (i >= input.length) fail('unterminated string', start);
    const c = input[i] as string;
    if (c === '"') return [out, i + 1];
    if (c === '\\') {
      const e = input[i + 1];
      if (e === 'u') {
        const hex = input.slice(i + 2, i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail('invalid \\u escape', i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) fail('invalid escape in string', i);
        out += decoded;
        i += 2;
      }
    } else if (c.charCodeAt(0) < 0x20) {
      fail('control character in string', i);
    } else {
      out += c;
      i++;
    }
  }
}

class Parser {
  readonly tokens: readonly Token[];
  readonly fail: Fail;
  index = 0;
  depth = 0;
  inValueFilter = false;

  constructor(tokens: readonly Token[], fail: Fail) {
    this.tokens = tokens;
    this.fail = fail;
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  expect(kind: Token['kind'], what: string): Token {
    const token = this.next();
    if (token.kind !== kind) this.fail(`expected ${what}, found ${describe(token)}`, token.pos);
    return token;
  }

  isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  nested<T>(pos: number, parse: () => T): T {
    if (++this.depth > MAX_FILTER_DEPTH) this.fail(`nesting deeper than ${MAX_FILTER_DEPTH}`, pos);
    const result = parse();
    this.depth--;
    return result;
  }

  parseOr(): Filter {
    const operands = [this.parseAnd()];
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      operands.push(this.parseAnd());
    }
    return operands.length === 1 ? (operands[0] as Filter) : { type: 'or', operands };
  }

  parseAnd(): Filter {
    const operands = [this.parseUnary()];
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      operands.push(this.parseUnary());
    }
    return operands.length === 1 ? (operands[0] as Filter) : { type: 'and', operands };
  }

  parseUnary(): Filter {
    const token = this.peek();
    if (token.kind === '(') {
      this.next();
      return this.nested(token.pos, () => {
        const inner = this.parseOr();
        this.expect(')', '")"');
        return inner;
      });
    }
    // The ABNF writes `not(`; RFC examples write `not (`. Both tokenise the same.
    if (this.isKeyword(token, 'not') && this.peek(1).kind === '(') {
      this.next();
      this.next();
      return this.nested(token.pos, () => {
        const operand = this.parseOr();
        this.expect(')', '")"');
        return { type: 'not', operand } as const;
      });
    }
    if (token.kind === 'word') return this.parseAttrExpression();
    return this.fail(`expected an attribute path, "(" or "not (", found ${describe(token)}`, token.pos);
  }

  parseAttrPathToken(): AttrPath {
    const token = this.expect('word', 'an attribute path');
    const text = (token as { text: string }).text;
    const path = parseAttrPath(text);
    if (path === undefined) this.fail(`invalid attribute path ${JSON.stringify(text)}`, token.pos);
    return path;
  }

  parseSubAttrName(): string {
    const token = this.expect('word', 'a sub-attribute name');
    const text = (token as { text: string }).text;
    if (!ATTRNAME.test(text)) this.fail(`invalid sub-attribute name ${JSON.stringify(text)}`, token.pos);
    return text;
  }

  /** `[` valFilter `]`, with the opening bracket already peeked. */
  parseValueFilter(): Filter {
    const open = this.next();
    if (this.inValueFilter) this.fail('value filters cannot be nested', open.pos);
    return this.nested(open.pos, () => {
      this.inValueFilter = true;
      const filter = this.parseOr();
      this.expect(']', '"]"');
      this.inValueFilter = false;
      return filter;
    });
  }

  parseAttrExpression(): Filter {
    const start = this.peek().pos;
    const path = this.parseAttrPathToken();
    if (this.peek().kind === '[') {
      if (path.subAttr !== undefined) this.fail('a value filter must follow the attribute, not a sub-attribute', start);
      const filter = this.parseValueFilter();
      if (this.peek().kind !== '.') return { type: 'valuePath', path, filter };
      this.next();
      const subAttr = this.parseSubAttrName();
      const test = this.parseOperation({ name: subAttr });
      const operands = filter.type === 'and' ? [...filter.operands, test] : [filter, test];
      return { type: 'valuePath', path, filter: { type: 'and', operands } };
    }
    if (this.inValueFilter && (path.uri !== undefined || path.subAttr !== undefined)) {
      this.fail('inside a value filter, name sub-attributes only', start);
    }
    return this.parseOperation(path);
  }

  /** The operator (and comparison value) after an attribute path. */
  parseOperation(path: AttrPath): CompareFilter | PresentFilter {
    const token = this.expect('word', 'an operator');
    const op = (token as { text: string }).text.toLowerCase();
    if (op === 'pr') return { type: 'present', path };
    if (!COMPARE_OPERATORS.has(op)) this.fail(`unknown operator ${JSON.stringify((token as { text: string }).text)}`, token.pos);
    return { type: 'compare', path, op: op as CompareOperator, value: this.parseCompareValue() };
  }

  parseCompareValue(): CompareValue {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return token.value;
    if (token.kind === 'word') {
      // JSON literals are lower-case, but operators are case-insensitive and clients mix the two up.
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    return this.fail(`expected a comparison value (a JSON string, number, true, false or null), found ${describe(token)}`, token.pos);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'word':
      return JSON.stringify(token.text);
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'end':
      return 'the end';
    default:
      return `"${token.kind}"`;
  }
}

function checkInput(input: unknown, what: string, fail: Fail): string {
  if (typeof input !== 'string') fail('not a string', 0);
  if (input.length > MAX_FILTER_LENGTH) fail(`longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  if (input.trim() === '') fail(`empty ${what}`, 0);
  return input;
}

/** Parses a `filter` query parameter; throws ScimError 400 invalidFilter. */
export function parseFilter(input: string): Filter {
  const fail: Fail = failWith('invalidFilter', 'invalid filter');
  const parser = new Parser(tokenize(checkInput(input, 'filter', fail), fail), fail);
  const filter = parser.parseOr();
  const rest = parser.peek();
  if (rest.kind !== 'end') fail(`unexpected ${describe(rest)}`, rest.pos);
  return filter;
}

/** Parses a PATCH operation `path`; throws ScimError 400 invalidPath (also for a bad value filter). */
export function parsePatchPath(input: string): PatchPath {
  const fail: Fail = failWith('invalidPath', 'invalid path');
  const parser = new Parser(tokenize(checkInput(input, 'path', fail), fail), fail);
  const path = parser.parseAttrPathToken();
  let result: PatchPath = path;
  if (parser.peek().kind === '[') {
    if (path.subAttr !== undefined) fail('a value filter must follow the attribute, not a sub-attribute', 0);
    const filter = parser.parseValueFilter();
    let subAttr: string | undefined;
    if (parser.peek().kind === '.') {
      parser.next();
      subAttr = parser.parseSubAttrName();
    }
    result = { ...path, filter, ...(subAttr === undefined ? {} : { subAttr }) };
  }
  const rest = parser.peek();
  if (rest.kind !== 'end') fail(`unexpected ${describe(rest)}`, rest.pos);
  return result;
}
