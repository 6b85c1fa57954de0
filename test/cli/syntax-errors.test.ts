/**
 * A source that does not parse (a typo saved in an environment file) is reported as the
 * file, line and column to fix, with the line and a caret: not as esbuild's "Transform
 * failed" with a bare file name and a stack of esbuild's internals. The CLI end to end:
 * test/catalogue/config.test.ts (synth in a copy of the project) and test/cli/watch.test.ts.
 */
import fc from 'fast-check';

// Plain JavaScript shared by the run path and jest (bin/transpile.js).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { SYNTAX_ERROR, shownPath, transpile } = require('../../bin/transpile') as {
  SYNTAX_ERROR: string;
  shownPath(filename: string, cwd?: string): string;
  transpile(source: string, filename: string, sourcemap: 'inline' | 'external' | false, shownPath?: string): { code: string };
};

function thrown(run: () => unknown): Error & { code?: string } {
  try { run(); } catch (e) { return e as Error & { code?: string }; }
  throw new Error('expected a throw');
}

describe('bin/transpile.js: a syntax error names the file, line and column (1-based, in characters) with a caret', () => {
  test('property: whatever precedes it on its line (any Unicode, astral included), the column points at the offending token', () => {
    // U+2028/U+2029 end a line in JavaScript, so a literal holding one spans two lines: left out here.
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter(s => !/[\u2028\u2029\r\n]/.test(s));
    fc.assert(fc.property(text, fc.nat({ max: 3 }), (literal, linesBefore) => {
      const before = `const a = ${JSON.stringify(literal)}; const b: `;
      const source = `${'// above\n'.repeat(linesBefore)}${before}= 1;\nexport {};\n`;
      const e = thrown(() => transpile(source, 'dev.ts', 'inline', 'src/config/environments/dev.ts'));
      expect(e).toBeInstanceOf(SyntaxError);
      expect(e.code).toBe(SYNTAX_ERROR);
      expect(e.message.split('\n')).toEqual([
        `src/config/environments/dev.ts:${linesBefore + 1}:${before.length + 1}: Unexpected "="`,
        `    ${before}= 1;`,
        `    ${' '.repeat([...before].length)}^`,
        '(TypeScript that does not parse: fix the file; `npm run typecheck` also reports its type errors)',
      ]);
    }), { numRuns: 60 });
  });

  test('tabs before the token are kept under the line, so the caret lines up', () => {
    const e = thrown(() => transpile('export const a = {\n\t\tnodes: 1,,\n};\n', 'prod.ts', false));
    expect(e.message.split('\n').slice(0, 3)).toEqual(['prod.ts:2:12: Expected identifier but found ","', '    \t\tnodes: 1,,', '    \t\t         ^']);
  });

  test('the shown path defaults to the file name given to esbuild; a file that parses is unaffected', () => {
    expect(thrown(() => transpile('let x = ;\n', '/abs/a.ts', false)).message).toMatch(/^\/abs\/a\.ts:1:9: Unexpected ";"\n/);
    expect(transpile('export const x: number = 1;\n', 'b.ts', false).code).toContain('x = 1');
  });

  test('the path bin/register.js shows: relative to the working folder inside it, as given outside', () => {
    expect(shownPath('/work/p/src/config/environments/dev.ts', '/work/p')).toBe('src/config/environments/dev.ts');
    expect(shownPath('/work/other/dev.ts', '/work/p')).toBe('/work/other/dev.ts');
    expect(shownPath('/work/p', '/work/p')).toBe('/work/p');
  });
});
