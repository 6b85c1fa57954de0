/**
 * What a CEL expression refers to, read from its tokens (the lexis of the CEL spec,
 * github.com/google/cel-spec doc/langdef.md "Syntax"): the root variables it names (`object` in
 * `object.spec`, not `spec`), the members it selects on `variables`, and whether its strings
 * end and its brackets match. No full parse: validate reads hundreds of admission expressions and
 * a CEL parser costs about 1 ms per expression cold (plus 110 ms to load @bufbuild/cel);
 * test/analysis/cel-references.test.ts checks these answers against @bufbuild/cel's parse tree.
 *
 * Names that are not variables: members after `.`, functions called by name (`size(x)`,
 * `quantity("1Gi")`), the type names (`int`, `string`, `map`...), the literals, the `in`
 * operator, function namespaces (`optional.of`, `cel.bind`, `math.greatest`...), and the
 * variables a macro binds within its call (`c` in `list.all(c, c.x)`, `k` and `v` in
 * `map.all(k, v, ...)`, `x` in `cel.bind(x, init, body)`).
 */

export interface CelReferences {
  /** Root variables the expression reads, in order of first use. */
  readonly variables: string[];
  /** Names selected on the root variable `variables` (`variables.foo` -> foo), in order of first use. */
  readonly compositionNames: string[];
  /** Why the text cannot be a CEL expression (an unterminated string, unmatched brackets), or undefined. */
  readonly syntaxError?: string;
}

/** Identifiers that are never variables (cel-spec: literals, the in operator, the type denotations). */
const NOT_VARIABLES = new Set(['true', 'false', 'null', 'in', 'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);
/**
 * Namespaces of functions (`<namespace>.<function>(...)`) in the Kubernetes CEL environment
 * (cel-go's ext libraries and k8s.io/apiserver/pkg/cel/library) and proto type names (google.protobuf.*).
 */
const FUNCTION_NAMESPACES = new Set(['cel', 'optional', 'math', 'strings', 'sets', 'base64', 'lists', 'jsonpatch', 'google']);
/** Macros whose first one or two arguments name variables bound in the others (cel-go macros and ext.TwoVarComprehensions, ext.Lists sortBy). */
const BINDING_MACROS = new Set(['all', 'exists', 'exists_one', 'existsOne', 'map', 'filter', 'transformList', 'transformMap', 'transformMapEntry', 'sortBy', 'bind']);

type Token = { kind: 'ident' | 'punct' | 'literal'; text: string };

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
/** r, R, b, B: the letters a string or bytes literal may start with. */
const isQuotePrefix = (c: number) => c === 114 || c === 82 || c === 98 || c === 66;
const NUMBER = /0[xX][0-9a-fA-F]+[uU]?|[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+(?:[eE][+-]?[0-9]+|[uU])?/y;

/** The length of the string or bytes literal's prefix and opening quote at `i` (`r'`, `b"""`...), or 0. */
function quoteAt(text: string, i: number): number {
  let j = i;
  if (isQuotePrefix(text.charCodeAt(j))) {
    j++;
    const second = text.charCodeAt(j);
    // rb, br (in either case); not rr or bb.
    if (isQuotePrefix(second) && (second | 32) !== (text.charCodeAt(i) | 32)) j++;
  }
  const q = text[j];
  return q === '"' || q === "'" ? j - i + 1 : 0;
}

/** The tokens of `text`, or the reason it is no CEL (an unterminated string or byte literal). */
function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 10 || code === 13 || code === 12) { i++; continue; }
    if (code === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    const opening = quoteAt(text, i);
    if (opening > 0) {
      const raw = opening > 1 && (text.slice(i, i + opening - 1).toLowerCase().includes('r'));
      let j = i + opening - 1;
      const quote = text.startsWith(text[j].repeat(3), j) ? text[j].repeat(3) : text[j];
      j += quote.length;
      for (;;) {
        if (j >= text.length) return `a string starting at offset ${i} does not end (a missing ${quote})`;
        const c = text[j];
        if (!raw && c === '\\') { j += 2; continue; }
        if (quote.length === 1 && (c === '\n' || c === '\r')) return `a string starting at offset ${i} does not end on its line (a missing ${quote})`;
        if (c === quote[0] && (quote.length === 1 || text.startsWith(quote, j))) { j += quote.length; break; }
        j++;
      }
      tokens.push({ kind: 'literal', text: text.slice(i, j) });
      i = j;
      continue;
    }
    if (isIdentStart(code)) {
      let j = i + 1;
      while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j) });
      i = j;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    const afterOperand = previous !== undefined && (previous.kind !== 'punct' || previous.text === ')' || previous.text === ']' || previous.text === '}');
    if (isDigit(code) || (code === 46 && isDigit(text.charCodeAt(i + 1)) && !afterOperand)) {
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(text);
      const length = number ? number[0].length : 1;
      tokens.push({ kind: 'literal', text: text.slice(i, i + length) });
      i += length;
      continue;
    }
    tokens.push({ kind: 'punct', text: text[i] });
    i++;
  }
  return tokens;
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Answers by expression text: the environments of dist/ share their policies' expressions. Bounded: cleared when full. */
const MEMO = new Map<string, CelReferences>();
const MEMO_MAX = 5000;

/** The root variables, `variables` members and bracket or string errors of a CEL expression. */
export function celReferences(expression: string): CelReferences {
  let refs = MEMO.get(expression);
  if (refs === undefined) {
    refs = readReferences(expression);
    if (MEMO.size >= MEMO_MAX) MEMO.clear();
    MEMO.set(expression, refs);
  }
  return { variables: [...refs.variables], compositionNames: [...refs.compositionNames], ...(refs.syntaxError === undefined ? {} : { syntaxError: refs.syntaxError }) };
}

function readReferences(expression: string): CelReferences {
  const tokens = tokenize(expression);
  if (typeof tokens === 'string') return { variables: [], compositionNames: [], syntaxError: tokens };
  const variables: string[] = [];
  const compositionNames: string[] = [];
  const add = (list: string[], name: string) => { if (!list.includes(name)) list.push(name); };
  /** Open brackets, each with the names the macro it opens binds; a `{` after a type name builds a message (`Type{field: ...}`). */
  const open: Array<{ bracket: string; binds: string[]; message: boolean }> = [];
  const bound = (name: string) => open.some(o => o.binds.includes(name));
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t];
    if (token.kind === 'punct') {
      if (token.text in CLOSING) {
        const binds: string[] = [];
        const macro = tokens[t - 1];
        if (token.text === '(' && macro?.kind === 'ident' && tokens[t - 2]?.text === '.' && BINDING_MACROS.has(macro.text)) {
          // Up to two leading `name ,` arguments are the macro's variables.
          for (let k = t + 1; binds.length < 2 && tokens[k]?.kind === 'ident' && tokens[k + 1]?.text === ','; k += 2) binds.push(tokens[k].text);
        }
        open.push({ bracket: token.text, binds, message: token.text === '{' && tokens[t - 1]?.kind === 'ident' });
      } else if (token.text === ')' || token.text === ']' || token.text === '}') {
        const top = open.pop();
        if (!top || CLOSING[top.bracket] !== token.text) return { variables, compositionNames, syntaxError: top ? `${top.bracket} is closed by ${token.text}` : `${token.text} closes nothing` };
      }
      continue;
    }
    if (token.kind !== 'ident') continue;
    const before = tokens[t - 1];
    const after = tokens[t + 1];
    // A member, `.name` or (optional syntax) `.?name`: `variables.<name>` on the root variable is a composition name.
    const dot = before?.text === '.' ? t - 1 : before?.text === '?' && tokens[t - 2]?.text === '.' ? t - 2 : -1;
    if (dot >= 0) {
      const root = tokens[dot - 1];
      if (root?.kind === 'ident' && root.text === 'variables' && tokens[dot - 2]?.text !== '.' && !bound('variables')) add(compositionNames, token.text);
      continue;
    }
    // A field of a message under construction: `Type{field: value}`.
    const innermost = open[open.length - 1];
    if (innermost?.message && (before?.text === '{' || before?.text === ',') && after?.text === ':') continue;
    if (after?.text === '(' || NOT_VARIABLES.has(token.text) || bound(token.text)) continue;
    if (after?.text === '.' && FUNCTION_NAMESPACES.has(token.text)) continue;
    add(variables, token.text);
  }
  if (open.length > 0) return { variables, compositionNames, syntaxError: `${open[open.length - 1].bracket} is never closed` };
  return { variables, compositionNames };
}

/** isCELIdentifier (pkg/apis/admissionregistration/validation): an identifier that is no reserved word of CEL. */
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
export function isCelIdentifier(name: string): boolean {
  return /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(name) && !CEL_RESERVED.has(name);
}
