/**
 * A tiny, safe expression language for `--where`: numbers, `true`/`false`, quoted strings,
 * parameter names, `+ - * /`, `< <= > >= == != =`, `and or not` (or `&& || !`) and
 * parentheses. It is parsed by hand into a tree and evaluated by walking it; nothing is ever
 * handed to `eval` or `Function`, and a name must be one of the strategy's parameters, so
 * `process.exit()` is a syntax error, not a call.
 */
import { UsageError } from '../../core/errors.js';
import type { ParamValue } from '../../core/strategy.js';

/** A compiled `--where` filter: true when a parameter set should run. */
export type WherePredicate = (params: Readonly<Record<string, ParamValue>>) => boolean;

type Node =
  | { readonly kind: 'literal'; readonly value: ParamValue }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: Node }
  | { readonly kind: 'negate'; readonly operand: Node }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Node; readonly right: Node };

interface Token {
  readonly type: 'number' | 'string' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '=', '+', '-', '*', '/', '!', '(', ')'];
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const WORD_OPERATORS: Readonly<Record<string, string>> = { and: '&&', or: '||', not: '!' };

/**
 * Compiles a `--where` expression over the given parameter names. Throws a
 * {@link UsageError} saying what is wrong and where (character position) for bad syntax or
 * an unknown name; type errors (adding a boolean) are reported when the predicate runs.
 *
 * @example
 * const keep = compileWhere('fast < slow and slow - fast >= 10', ['fast', 'slow', 'short']);
 * keep({ fast: 5, slow: 20, short: false }); // true
 */
export function compileWhere(expression: string, names: readonly string[]): WherePredicate {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = (): Token => tokens[position] as Token;
  const fail = (token: Token, reason: string): never => {
    throw new UsageError(`--where "${expression}": ${reason} at character ${token.at + 1}`);
  };
  const take = (text: string): boolean => {
    const token = peek();
    if (token.type === 'op' && token.text === text) {
      position++;
      return true;
    }
    return false;
  };

  // Precedence, loosest first: or, and, not, comparison, + -, * /, unary minus, atoms.
  const parseOr = (): Node => {
    let left = parseAnd();
    while (take('||')) left = { kind: 'binary', op: '||', left, right: parseAnd() };
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseNot();
    while (take('&&')) left = { kind: 'binary', op: '&&', left, right: parseNot() };
    return left;
  };
  const parseNot = (): Node => (take('!') ? { kind: 'not', operand: parseNot() } : parseComparison());
  const parseComparison = (): Node => {
    const left = parseSum();
    const token = peek();
    if (token.type === 'op' && ['<', '<=', '>', '>=', '==', '!=', '='].includes(token.text)) {
      position++;
      const right = parseSum();
      const next = peek();
      if (next.type === 'op' && ['<', '<=', '>', '>=', '==', '!=', '='].includes(next.text)) {
        fail(next, 'comparisons cannot be chained; join them with "and"');
      }
      return { kind: 'binary', op: token.text === '=' ? '==' : token.text, left, right };
    }
    return left;
  };
  const parseSum = (): Node => {
    let left = parseProduct();
    for (;;) {
      const token = peek();
      if (token.type !== 'op' || (token.text !== '+' && token.text !== '-')) return left;
      position++;
      left = { kind: 'binary', op: token.text, left, right: parseProduct() };
    }
  };
  const parseProduct = (): Node => {
    let left = parseUnary();
    for (;;) {
      const token = peek();
      if (token.type !== 'op' || (token.text !== '*' && token.text !== '/')) return left;
      position++;
      left = { kind: 'binary', op: token.text, left, right: parseUnary() };
    }
  };
  const parseUnary = (): Node => (take('-') ? { kind: 'negate', operand: parseUnary() } : parseAtom());
  const parseAtom = (): Node => {
    const token = peek();
    position++;
    if (token.type === 'number') return { kind: 'literal', value: Number(token.text) };
    if (token.type === 'string') return { kind: 'literal', value: token.text };
    if (token.type === 'name') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (!names.includes(token.text)) {
        fail(token, `"${token.text}" is not a parameter; use one of ${names.join(', ')}`);
      }
      return { kind: 'name', name: token.text };
    }
    if (token.type === 'op' && token.text === '(') {
      const inner = parseOr();
      if (!take(')')) fail(peek(), 'expected ")"');
      return inner;
    }
    return fail(token, token.type === 'end' ? 'the expression ends too early' : `unexpected "${token.text}"`);
  };

  if (peek().type === 'end') fail(peek(), 'the expression is empty');
  const tree = parseOr();
  if (peek().type !== 'end') fail(peek(), `unexpected "${peek().text}"`);

  return (params) => {
    const value = evaluate(tree, params, expression);
    return typeof value === 'number' ? value !== 0 && !Number.isNaN(value) : value === true;
  };
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const rest = expression.slice(i);
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      i += space[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number !== null) {
      tokens.push({ type: 'number', text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name !== null) {
      const lower = name[0].toLowerCase();
      // hasOwn: a name like `constructor` must not find Object.prototype's members.
      const word = Object.hasOwn(WORD_OPERATORS, lower) ? WORD_OPERATORS[lower] : undefined;
      tokens.push(word === undefined ? { type: 'name', text: name[0], at: i } : { type: 'op', text: word, at: i });
      i += name[0].length;
      continue;
    }
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const close = rest.indexOf(quote, 1);
      if (close === -1) throw new UsageError(`--where "${expression}": unclosed string at character ${i + 1}`);
      tokens.push({ type: 'string', text: rest.slice(1, close), at: i });
      i += close + 1;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (op === undefined) {
      throw new UsageError(`--where "${expression}": unexpected character "${rest[0]}" at character ${i + 1}`);
    }
    tokens.push({ type: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ type: 'end', text: '', at: expression.length });
  return tokens;
}

function evaluate(node: Node, params: Readonly<Record<string, ParamValue>>, expression: string): ParamValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'name': {
      const value = Object.hasOwn(params, node.name) ? params[node.name] : undefined;
      if (value === undefined) throw new UsageError(`--where "${expression}": parameter "${node.name}" has no value`);
      return value;
    }
    case 'not':
      return !truthy(evaluate(node.operand, params, expression));
    case 'negate':
      return -numeric(evaluate(node.operand, params, expression), '-', expression);
    case 'binary': {
      const { op } = node;
      if (op === '&&')
        return truthy(evaluate(node.left, params, expression)) && truthy(evaluate(node.right, params, expression));
      if (op === '||')
        return truthy(evaluate(node.left, params, expression)) || truthy(evaluate(node.right, params, expression));
      const left = evaluate(node.left, params, expression);
      const right = evaluate(node.right, params, expression);
      if (op === '==') return left === right;
      if (op === '!=') return left !== right;
      const a = numeric(left, op, expression);
      const b = numeric(right, op, expression);
      switch (op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        default:
          return a >= b;
      }
    }
  }
}

function truthy(value: ParamValue): boolean {
  return typeof value === 'number'
    ? value !== 0 && !Number.isNaN(value)
    : typeof value === 'string'
      ? value !== ''
      : value;
}

function numeric(value: ParamValue, op: string, expression: string): number {
  if (typeof value !== 'number') {
    throw new UsageError(`--where "${expression}": "${op}" needs numbers, but one side is ${JSON.stringify(value)}`);
  }
  return value;
}
