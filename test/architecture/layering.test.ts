/**
 * The layering rules of .dependency-cruiser.cjs hold on the tree, and they
 * catch a broken copy of it: the same rules run on a copy of src/, constructs/
 * and bin/ with one violation of each rule planted in it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const LAYERS = ['src', 'constructs', 'bin'];

interface Violation { rule: { name: string }; from: string; to: string; cycle?: Array<{ name: string }> }
interface CruiseResult { modules: Array<{ source: string }>; summary: { violations: Violation[]; totalCruised: number; error: number } }

/** Runs depcruise with the repository's rules in `cwd` (paths in the rules are relative to it). */
function cruise(cwd: string): CruiseResult {
  const result = spawnSync(process.execPath, [DEPCRUISE, ...LAYERS, '--config', CONFIG, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  try {
    return JSON.parse(result.stdout) as CruiseResult;
  } catch {
    throw new Error(`depcruise exited ${result.status} without a JSON report:\n${result.stderr}`);
  }
}

const sourceFiles = (root: string): string[] => LAYERS.flatMap(dir => walk(path.join(root, dir)).map(f => path.relative(root, f).split(path.sep).join('/')));
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(ts|js)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** `rule: from -> to`; a cycle as `no-circular: a <-> b <-> c` (its modules sorted: depcruise names one edge of it, whichever it met first). */
const brief = (v: Violation) => (v.rule.name === 'no-circular' && v.cycle
  ? `no-circular: ${[...new Set([v.from, ...v.cycle.map(c => c.name)])].sort().join(' <-> ')}`
  : `${v.rule.name}: ${v.from} -> ${v.to}`);

describe('layering (.dependency-cruiser.cjs)', () => {
  test('the tree has no violation, and every source file of src/, constructs/ and bin/ was cruised', () => {
    const result = cruise(ROOT);
    expect(result.summary.violations.map(brief)).toEqual([]);
    expect(result.modules.map(m => m.source).sort()).toEqual(sourceFiles(ROOT).sort());
  });

  describe('a broken copy of the tree', () => {
    let copy: string;
    let reported: Violation[];
    let violations: string[];
    const planted = new Set<string>();
    const plant = (file: string, line: string) => {
      planted.add(file);
      fs.appendFileSync(path.join(copy, file), `\n${line}\n`);
    };

    beforeAll(() => {
      copy = fs.mkdtempSync(path.join(os.tmpdir(), 'layering-'));
      for (const dir of LAYERS) fs.cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
      // The cycles the issue names: the stack and a per-chart stacks/ module, config/index and stack-config,
      // and (type-only imports count too) the registry and the wiring.
      fs.mkdirSync(path.join(copy, 'src', 'stacks'));
      fs.writeFileSync(path.join(copy, 'src', 'stacks', 'edge.ts'), "import { ingressRoute } from '../stack';\nexport const route = ingressRoute;\n");
      plant('src/stack.ts', "import './stacks/edge';");
      // (Both edges planted, so that the cycles do not depend on today's imports.)
      plant('src/config/index.ts', "export { resolveStack } from './stack-config';");
      plant('src/config/stack-config.ts', "import { loadEnvironment } from './index';");
      plant('src/components.ts', "import type { wiringOf } from './config/wiring';");
      plant('src/config/wiring.ts', "import type { COMPONENTS } from '../components';");
      // The library reaching up into src/, at run time and for a type.
      plant('constructs/lib/settings.ts', "import { buildApp } from '../../src/render';");
      plant('constructs/lib/labels.ts', "import type { Engine } from '../../src/render';");
      // The analysis reaching into the model it should only see rendered.
      plant('src/analysis/topology.ts', "import { COMPONENTS } from '../components';");
      plant('src/analysis/rules-names.ts', "import type { EnvironmentConfig } from '../config';");
      plant('src/analysis/diff.ts', "import type { traefikComponent } from '../../constructs/traefik/component';");
      plant('src/analysis/network.ts', "import { ProductionNamespace } from '../../constructs/namespace';");
      // Allowed: a type of a construct module, a constant of constructs/lib.
      plant('src/analysis/rules-ports.ts', "import type { QuotaSpec } from '../../constructs/namespace';");
      plant('src/analysis/rules-ingress.ts', "import { CLUSTER_DNS } from '../../constructs/lib/network';");
      // The Pulumi program around its entry points, and into it.
      plant('src/pulumi/program.ts', "import { COMPONENTS } from '../components';");
      plant('src/pulumi/index.ts', "import type { PeerSpec } from '../../constructs/lib/network';");
      plant('src/cli/diff.ts', "import { deployEnvironment } from '../pulumi/program';");
      reported = cruise(copy).summary.violations;
      violations = reported.map(brief);
    });
    afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

    test('each planted violation is reported, by the rule it breaks', () => {
      expect(violations).toEqual(expect.arrayContaining([
        'analysis-not-model: src/analysis/diff.ts -> constructs/traefik/component.ts',
        'analysis-not-model: src/analysis/rules-names.ts -> src/config/index.ts',
        'analysis-not-model: src/analysis/topology.ts -> src/components.ts',
        'analysis-runtime-only-constructs-lib: src/analysis/network.ts -> constructs/namespace/index.ts',
        'constructs-not-src: constructs/lib/labels.ts -> src/render.ts',
        'constructs-not-src: constructs/lib/settings.ts -> src/render.ts',
        'no-circular: src/components.ts <-> src/config/wiring.ts',
        'no-circular: src/config/index.ts <-> src/config/stack-config.ts',
        'no-circular: src/stack.ts <-> src/stacks/edge.ts',
        'pulumi-is-an-entry-point: src/cli/diff.ts -> src/pulumi/program.ts',
        'pulumi-through-model-entry-points: src/pulumi/index.ts -> constructs/lib/network.ts',
        'pulumi-through-model-entry-points: src/pulumi/program.ts -> src/components.ts',
      ]));
    });

    test('every violation reported goes through a planted line (the allowed imports planted are not reported)', () => {
      const unplanted = reported.filter(v => ![v.from, ...(v.cycle ?? []).map(c => c.name)].some(m => planted.has(m) || m.startsWith('src/stacks/')));
      expect(unplanted.map(brief)).toEqual([]);
      for (const allowed of ['src/analysis/rules-ports.ts', 'src/analysis/rules-ingress.ts']) expect(reported.filter(v => v.from === allowed).map(brief)).toEqual([]);
    });
  });
});
