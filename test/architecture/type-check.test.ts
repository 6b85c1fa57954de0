/**
 * `npm test` type-checks the whole tree once, with TypeScript 7 (the native compiler, package
 * alias `typescript-7`), before jest runs; jest only transpiles. TypeScript 5.9 stays installed for
 * what needs its JavaScript API (ts-node, the stock path `npm run bench` compares with), which
 * TypeScript 7.0 does not offer. Both compilers read the same tsconfig.json.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>; devDependencies: Record<string, string>;
};
const TSC7 = 'node_modules/typescript-7/bin/tsc';

describe('the type check of npm test', () => {
  test('npm test runs the TypeScript 7 compiler on the whole project (-p .) before jest, and stops when it fails', () => {
    const [check, rest] = pkg.scripts.test.split(' && ');
    expect(check).toMatch(new RegExp(`^node ${TSC7} --noEmit -p \\. `));
    expect(rest).toBe('jest');
    expect(pkg.scripts.typecheck).toBe(check);
    // Pinned, like every dependency: the alias resolves to the TypeScript package itself.
    expect(pkg.devDependencies['typescript-7']).toMatch(/^npm:typescript@7\.\d+\.\d+$/);
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'typescript-7', 'package.json'), 'utf8')) as { name: string; version: string };
    expect(`npm:${installed.name}@${installed.version}`).toBe(pkg.devDependencies['typescript-7']);
  });

  test('with the project\'s compiler options it rejects a type error, an unused local and missing returns (non-zero exit, file and line named), as TypeScript 5.9 does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'type-check-'));
    try {
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
        extends: path.join(ROOT, 'tsconfig.json'),
        // The project's types (node, jest) resolve from its node_modules, not from here.
        compilerOptions: { types: [] },
        include: ['*.ts'],
      }));
      fs.writeFileSync(path.join(dir, 'ok.ts'), 'export const answer: number = 42;\n');
      const ok = spawnSync(process.execPath, [path.join(ROOT, TSC7), '--noEmit', '-p', dir], { encoding: 'utf8' });
      expect(ok.stdout + ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      fs.writeFileSync(path.join(dir, 'bad.ts'), [
        'export const port: number = "8080";',
        'export function pick(flag: boolean): string { const unused = 1; if (flag) return "a"; }',
        'export function first(n: number) { if (n) return 1; }',
        '',
      ].join('\n'));
      const diagnostics = (tsc: string) => {
        const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', '.'], { cwd: dir, encoding: 'utf8' });
        expect(run.status).not.toBe(0);
        return run.stdout.split('\n').filter(Boolean);
      };
      const native = diagnostics(path.join(ROOT, TSC7));
      expect(native).toEqual([
        expect.stringMatching(/^bad\.ts\(1,14\): error TS2322: /),
        expect.stringMatching(/^bad\.ts\(2,38\): error TS2366: /),
        expect.stringMatching(/^bad\.ts\(2,53\): error TS6133: /), // noUnusedLocals
        expect.stringMatching(/^bad\.ts\(3,17\): error TS7030: /), // noImplicitReturns
      ]);
      // The editor's compiler (TypeScript 5.9, what ts-node uses) reports exactly the same.
      expect(diagnostics(path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'))).toEqual(native);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
