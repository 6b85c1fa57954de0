import { parse } from '@bufbuild/cel';
import * as fc from 'fast-check';
import * as path from 'path';
import { celReferences, isCelIdentifier } from '../../src/analysis/cel-references';
import { loadManifests } from '../../src/analysis/objects';

// src/analysis/cel-references.ts reads admission expressions from their tokens. Requirement: it
// names the same root variables and `variables` members as a walk of a real CEL parse tree
// (@bufbuild/cel), and reports a syntax error only for text a CEL parser refuses.

/** @bufbuild/cel has no optional syntax (`.?f`, `[?k]`, `{?k: v}`, `[?e]`), which Kubernetes enables: read as its plain form. */
function withoutOptionalSyntax(expression: string): string {
  let out = '';
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '"' || c === "'") {
      const quote = expression.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < expression.length && !expression.startsWith(quote, j)) j += expression[j] === '\\' ? 2 : 1;
      out += expression.slice(i, j + quote.length);
      i = j + quote.length - 1;
      continue;
    }
    if (c === '?' && /[.[{,]\s*$/.test(out)) continue;
    out += c;
  }
  return out;
}

const NOT_VARIABLES = new Set(['true', 'false', 'null', 'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);
const NAMESPACES = new Set(['cel', 'optional', 'math', 'strings', 'sets', 'base64', 'lists', 'jsonpatch', 'google']);
const MACROS = new Set(['all', 'exists', 'exists_one', 'existsOne', 'map', 'filter', 'transformList', 'transformMap', 'transformMapEntry', 'sortBy', 'bind']);

/** The root variables and `variables` members of a parse tree, binders of comprehensions and macros in scope. */
function treeReferences(expression: string): { variables: string[]; compositionNames: string[] } {
  const variables = new Set<string>();
  const compositionNames = new Set<string>();
  const walk = (e: any, scope: ReadonlySet<string>): void => {
    if (!e?.exprKind) return;
    const { case: kind, value } = e.exprKind;
    if (kind === 'identExpr') {
      if (!scope.has(value.name) && !NOT_VARIABLES.has(value.name)) variables.add(value.name);
    } else if (kind === 'selectExpr') {
      const operand = value.operand;
      if (operand?.exprKind?.case === 'identExpr' && operand.exprKind.value.name === 'variables' && !scope.has('variables')) compositionNames.add(value.field);
      if (!(operand?.exprKind?.case === 'identExpr' && NAMESPACES.has(operand.exprKind.value.name))) walk(operand, scope);
    } else if (kind === 'callExpr') {
      const target = value.target;
      const namespaced = target?.exprKind?.case === 'identExpr' && NAMESPACES.has(target.exprKind.value.name);
      if (target && !namespaced) walk(target, scope);
      const binders: string[] = [];
      if (target && MACROS.has(value.function)) {
        for (let k = 0; binders.length < 2 && k < value.args.length - 1 && value.args[k].exprKind.case === 'identExpr'; k++) binders.push(value.args[k].exprKind.value.name);
      }
      const inner = new Set([...scope, ...binders]);
      value.args.forEach((a: any, k: number) => { if (k >= binders.length) walk(a, inner); });
    } else if (kind === 'comprehensionExpr') {
      walk(value.iterRange, scope);
      walk(value.accuInit, scope);
      const inner = new Set([...scope, value.iterVar, value.iterVar2, value.accuVar].filter(Boolean));
      for (const part of [value.loopCondition, value.loopStep, value.result]) walk(part, inner);
    } else if (kind === 'listExpr') {
      for (const element of value.elements) walk(element, scope);
    } else if (kind === 'structExpr') {
      for (const entry of value.entries) {
        if (value.messageName === '' && entry.keyKind.case === 'mapKey') walk(entry.keyKind.value, scope);
        walk(entry.value, scope);
      }
    }
  };
  walk(parse(withoutOptionalSyntax(expression)).expr, new Set());
  return { variables: [...variables].sort(), compositionNames: [...compositionNames].sort() };
}

const sorted = (r: { variables: string[]; compositionNames: string[] }) => ({ variables: [...r.variables].sort(), compositionNames: [...r.compositionNames].sort() });

/** CEL expressions from a grammar: variables, members, calls, macros, literals with tricky strings, optional syntax, messages. */
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>(tie => ({
  e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('object', 'oldObject', 'params', 'request', 'authorizer', 'objet', 'c', 'k', 'x', 'variables.alpha', 'variables.beta', 'int', 'null', 'true'),
    fc.constantFrom('"a.b(c"', "'variables.gamma'", '"x\\"y"', 'r"\\d+"', '"""multi "quoted" line"""', 'b"bytes"', '1.5e3', '.5', '0x1F', '42u'),
    tie('e').map(e => `${e}.spec`),
    tie('e').map(e => `${e}.?status`),
    tie('e').map(e => `size(${e})`),
    tie('e').map(e => `has(${e}.metadata)`),
    tie('e').map(e => `${e}.matches("^a")`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}.all(c, c.x == ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}.map(k, ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a}.all(k, v, v > ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `cel.bind(x, ${a}, x + ${b})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([a, b, d]) => `(${a} ? ${b} : ${d})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a} && !${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `[${a}, ${b}]`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `{${a}: ${b}}`),
    tie('e').map(e => `optional.of(${e}).orValue(1)`),
    tie('e').map(e => `google.protobuf.Duration{seconds: ${e}}`),
    tie('e').map(e => `${e}[?"key"]`)),
})).e;

describe('celReferences against a CEL parse tree (@bufbuild/cel)', () => {
  it('property: the same root variables and variables members, and no syntax error, on generated expressions', () => {
    fc.assert(fc.property(expression, e => {
      const ours = celReferences(e);
      expect({ e, syntaxError: ours.syntaxError }).toEqual({ e, syntaxError: undefined });
      expect({ e, ...sorted(ours) }).toEqual({ e, ...treeReferences(e) });
    }), { numRuns: 1500 });
  });

  it('property: a syntax error is reported only where a CEL parser refuses the text (a bracket or a quote taken away)', () => {
    fc.assert(fc.property(expression, fc.nat(), (e, at) => {
      const positions = [...e].flatMap((ch, i) => ('()[]{}"\''.includes(ch) ? [i] : []));
      if (positions.length === 0) return;
      const cut = positions[at % positions.length];
      const broken = e.slice(0, cut) + e.slice(cut + 1);
      if (celReferences(broken).syntaxError === undefined) return;
      expect(() => parse(withoutOptionalSyntax(broken))).toThrow();
    }), { numRuns: 1500 });
  });

  it('every admission expression of dist/ reads as the parse tree reads it', () => {
    const root = path.join(__dirname, '..', '..', 'dist');
    const expressions = new Set<string>();
    const collect = (v: unknown, key = ''): void => {
      if (Array.isArray(v)) v.forEach(x => collect(x));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) collect(x, k);
      else if (typeof v === 'string' && ['expression', 'messageExpression', 'valueExpression'].includes(key)) expressions.add(v);
    };
    for (const env of ['dev', 'staging', 'prod']) for (const o of loadManifests([path.join(root, env)])) if (o.apiVersion.startsWith('admissionregistration.k8s.io/')) collect(o);
    expect(expressions.size).toBeGreaterThan(30);
    for (const e of expressions) expect({ e, ...sorted(celReferences(e)) }).toEqual({ e, ...treeReferences(e) });
  });

  it('comments, escapes and every string form; unterminated strings and unmatched brackets are named', () => {
    expect(celReferences('object.a // variables.hidden and "quote\n&& oldObject.b')).toEqual({ variables: ['object', 'oldObject'], compositionNames: [] });
    expect(celReferences("'it\\'s' + R'raw\\' + BR\"x\" + rb'y' + params.a")).toEqual({ variables: ['params'], compositionNames: [] });
    expect(celReferences('"abc').syntaxError).toBe('a string starting at offset 0 does not end (a missing ")');
    expect(celReferences("'a\nb'").syntaxError).toBe("a string starting at offset 0 does not end on its line (a missing ')");
    expect(celReferences('size(object.spec').syntaxError).toBe('( is never closed');
    expect(celReferences('object.spec)').syntaxError).toBe(') closes nothing');
    expect(celReferences('[object}').syntaxError).toBe('[ is closed by }');
  });

  it('isCelIdentifier: an identifier that is no reserved word (the API server\'s isCELIdentifier)', () => {
    for (const ok of ['foo', '_x', 'allContainers', 'a1']) expect([ok, isCelIdentifier(ok)]).toEqual([ok, true]);
    for (const bad of ['', '1a', 'foo-bar', 'in', 'true', 'namespace', 'while', 'a.b']) expect([bad, isCelIdentifier(bad)]).toEqual([bad, false]);
  });
});
