import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchDeps, environmentWithInstances, evaluate, exitCode, Machine, main, Measurements, Stats, TARGETS, timeSuiteInTurns, writeReport } from '../../src/cli/bench';
import { renderCharts } from '../../src/render';
import fc from 'fast-check';

// These tests never run the real benchmark: measurements are injected.

const s = (median: number): Stats => ({ median, min: median * 0.9, max: median * 1.1, runs: 5 });
// `steady` defaults to the wall figures less a fixed 250 ms: the same slopes.
const instance = (k: number, wallMs: number, peakMiB = 120, steadyMs = wallMs - 250) => ({ k, wall: s(wallMs), render: s(wallMs / 2), steady: s(steadyMs), peakMiB, bytes: k * 30_000 });

/** Every target met: synth 300 ms, 20x, 3 ms per instance, linear, 150 MiB, validate/diff 400 ms, watch 80/120 ms, tests 20 s. */
function good(): Measurements {
  return {
    synth: s(300),
    stock: s(6000),
    instances: [instance(1, 300), instance(10, 327), instance(100, 597, 150)],
    validate: s(400),
    diff: s(400),
    diffChanged: s(450),
    watch: { environment: s(80), shared: s(120) },
    tests: s(20_000),
  };
}

const MACHINE: Machine = { cpu: 'Test CPU 3000', cores: 8, memoryGiB: 15.6, node: 'v20.0.0', os: 'Linux 6.0 x64', commit: 'abc1234', load: 0.5 };

function deps(measurements: Measurements, written: Array<[string, string]> = []) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: Array<{ runs: number; tests: boolean }> = [];
  const d: BenchDeps = {
    measure: o => { calls.push({ runs: o.runs, tests: o.tests }); return measurements; },
    machine: () => MACHINE,
    now: () => new Date('2026-01-02T03:04:05Z'),
    writeFile: (file, content) => { written.push([file, content]); },
    out: t => { out.push(t); },
    err: t => { err.push(t); },
  };
  return { d, out: () => out.join(''), err: () => err.join(''), calls, written };
}

const verdicts = (m: Measurements) => Object.fromEntries(evaluate(m).map(r => [r.target.slice(0, 30), r.verdict]));

describe('npm run bench: targets and verdicts', () => {
  test('every target of the issue has a row with its measured value and limit; all met exits 0', () => {
    const rows = evaluate(good());
    expect(rows).toHaveLength(11);
    expect(rows.map(r => r.verdict)).toEqual(Array(11).fill('met'));
    expect(rows.map(r => r.limit)).toEqual(['≤ 450 ms', '≥ 15×', '≤ 5 ms', 'ratio in [0.67, 1.5]', '≤ 250 MiB', '≤ 600 ms', '≤ 600 ms', '≤ 600 ms', '≤ 150 ms', '≤ 150 ms', '≤ 30 s']);
    expect(rows[7].target).toContain('--against staging');
    expect(rows[8].target).toContain('src/config/environments/dev.ts');
    expect(rows[9].target).toContain('constructs/versions.ts');
    expect(rows[9].measured).toMatch(/^120 ms \(108 ms–132 ms, 5 runs\)$/);
    expect(rows[1].measured).toMatch(/^20\.0× \(stock path 6000 ms/);
    expect(rows[2].measured).toBe('3.00 ms');
    expect(rows[3].measured).toBe('3.00 ms vs 3.00 ms: ratio 1.00 (whole process, cold JIT: 3.00 ms vs 3.00 ms)');
    expect(exitCode(rows)).toBe(0);
  });

  test('linearity is judged in steady state: a cold-JIT bend at small K alone is not super- or sub-linear', () => {
    const m = good();
    // Whole process: 11.5 ms per instance K 1 -> 10, 3.7 ms K 10 -> 100 (tier-up); steady: 4.0 and 3.9 ms.
    m.instances = [instance(1, 274, 88, 30), instance(10, 378, 89, 66), instance(100, 711, 128, 417)];
    const row = evaluate(m)[3];
    expect(row.verdict).toBe('met');
    expect(row.measured).toBe('3.90 ms vs 4.00 ms: ratio 0.97 (whole process, cold JIT: 3.70 ms vs 11.56 ms)');
  });

  test.each<[string, (m: Measurements) => void, number]>([
    ['synth over 450 ms', m => { m.synth = s(451); m.stock = s(451 * 20); }, 0],
    ['speed-up under 15x', m => { m.stock = s(300 * 14.9); }, 1],
    ['over 5 ms per extra instance', m => { m.instances = [instance(1, 300), instance(10, 354), instance(100, 894)]; }, 2],
    ['super-linear: 10 -> 100 costs more than 1.5x of 1 -> 10', m => { m.instances = [instance(1, 300), instance(10, 318), instance(100, 597)]; }, 3],
    ['sub-linear beyond 1.5x the other way', m => { m.instances = [instance(1, 300), instance(10, 345), instance(100, 507)]; }, 3],
    ['steady state super-linear although the whole-process slopes are alike', m => { m.instances = [instance(1, 300, 120, 50), instance(10, 327, 120, 68), instance(100, 597, 150, 358)]; }, 3],
    ['peak memory over 250 MiB', m => { m.instances = [instance(1, 300), instance(10, 327), instance(100, 597, 251)]; }, 4],
    ['validate over 600 ms', m => { m.validate = s(601); }, 5],
    ['diff over 600 ms', m => { m.diff = s(601); }, 6],
    ['diff of two different environments over 600 ms', m => { m.diffChanged = s(601); }, 7],
    ['watch: a save in an environment file over 150 ms', m => { m.watch = { environment: s(151), shared: s(120) }; }, 8],
    ['watch: a save in a shared module over 150 ms', m => { m.watch = { environment: s(80), shared: s(151) }; }, 9],
    ['npm test over 30 s', m => { m.tests = s(30_001); }, 10],
  ])('%s: that row is missed and the exit status is 1', (_name, change, index) => {
    const m = good();
    change(m);
    const rows = evaluate(m);
    expect(rows[index].verdict).toBe('missed');
    expect(rows.filter((_, i) => i !== index).every(r => r.verdict === 'met')).toBe(true);
    expect(exitCode(rows)).toBe(1);
  });

  test('limits are inclusive', () => {
    const m = good();
    m.synth = s(TARGETS.synthMs);
    m.stock = s(TARGETS.synthMs * TARGETS.speedup);
    m.validate = s(TARGETS.validateMs);
    m.watch = { environment: s(TARGETS.watchMs), shared: s(TARGETS.watchMs) };
    expect(exitCode(evaluate(m))).toBe(0);
  });

  test('a failed measurement is an error row (exit 1), naming the failure; the speed-up depends on both paths', () => {
    const m = good();
    m.stock = { error: 'node -r ts-node/register exited 1: TS2322' };
    const rows = evaluate(m);
    expect(rows[1]).toMatchObject({ verdict: 'error', measured: 'failed: node -r ts-node/register exited 1: TS2322' });
    expect(exitCode(rows)).toBe(1);
    m.instances = [instance(1, 300), instance(100, 597)];
    expect(verdicts(m)['K = 100 DockerCoins instances:']).toBe('error');
    // The watcher could not be measured: both of its rows say why.
    m.watch = { error: 'src/config/environments/dev.ts no longer contains DEBUG: \'yes\'' };
    const watchRows = evaluate(m).filter(r => r.target.startsWith('`synth --watch`'));
    expect(watchRows.map(r => r.verdict)).toEqual(['error', 'error']);
    expect(watchRows[0].measured).toBe("failed: src/config/environments/dev.ts no longer contains DEBUG: 'yes'");
  });

  test('the test-suite row shows the run with a context per file, taken in turns, as a ratio; the limit judges npm test alone', () => {
    const m = good();
    m.testsContextPerFile = s(26_000);
    expect(evaluate(m)[10]).toEqual({
      target: '`npm test` (tsc + jest), median wall',
      limit: '≤ 30 s',
      measured: '20.0 s (18.0 s–22.0 s, 5 runs); with a context per file (`npm test -- --testEnvironment node`), in turns: 26.0 s (23.4 s–28.6 s, 5 runs), 1.30× as long',
      verdict: 'met',
    });
    // A fast peer does not rescue a slow suite, and a failed peer does not fail a fast one.
    m.tests = s(31_000);
    m.testsContextPerFile = s(20_000);
    expect(evaluate(m)[10]).toMatchObject({ verdict: 'missed', measured: expect.stringMatching(/, 0\.65× as long$/) });
    m.tests = s(20_000);
    m.testsContextPerFile = { error: 'npm exited 1' };
    expect(evaluate(m)[10]).toMatchObject({ verdict: 'met', measured: '20.0 s (18.0 s–22.0 s, 5 runs); with a context per file: failed: npm exited 1' });
  });

  test('the two suite runs take turns, after one uncounted turn; a failed peer keeps npm test\'s figures, a failed npm test fails both', () => {
    const calls: string[][] = [];
    // npm test takes 10, 20, 30, 40 s in turn order, the peer 11, 21, 31, 41 s.
    const timer = (failPeerAt?: number, failOwnAt?: number) => (options: string[]) => {
      calls.push(options);
      const turn = Math.floor(calls.length / 2 - 0.5);
      if (options.length === 0 && turn === failOwnAt) throw new Error('npm test exited 1');
      if (options.length > 0 && turn === failPeerAt) throw new Error('peer exited 1');
      return (turn + 1) * 10_000 + (options.length > 0 ? 1_000 : 0);
    };
    const ok = timeSuiteInTurns(3, timer());
    expect(calls).toEqual([[], ['--testEnvironment', 'node'], [], ['--testEnvironment', 'node'], [], ['--testEnvironment', 'node'], [], ['--testEnvironment', 'node']]);
    expect(ok).toEqual({ tests: { median: 30_000, min: 20_000, max: 40_000, runs: 3 }, testsContextPerFile: { median: 31_000, min: 21_000, max: 41_000, runs: 3 } });
    calls.length = 0;
    expect(timeSuiteInTurns(3, timer(2))).toEqual({ tests: { median: 30_000, min: 20_000, max: 40_000, runs: 3 }, testsContextPerFile: { error: 'peer exited 1' } });
    calls.length = 0;
    expect(timeSuiteInTurns(3, timer(undefined, 1))).toEqual({ tests: { error: 'npm test exited 1' }, testsContextPerFile: { error: 'npm test exited 1' } });
  });

  test('without --tests the test-suite row says so and does not fail the run', () => {
    const m = good();
    delete m.tests;
    const rows = evaluate(m);
    expect(rows[10]).toMatchObject({ verdict: 'skipped', measured: 'not measured (pass --tests)' });
    expect(exitCode(rows)).toBe(0);
  });
});

describe('npm run bench: report, exit status, --write', () => {
  test('prints the table and the machine; writes nothing without --write', () => {
    const b = deps(good());
    expect(main([], b.d)).toBe(0);
    expect(b.written).toEqual([]);
    expect(b.calls).toEqual([{ runs: 7, tests: false }]);
    const report = b.out();
    expect(report).toContain('| target | measured | limit | verdict |');
    expect(report).toContain('- CPU: Test CPU 3000, 8 cores');
    expect(report).toContain('- Memory: 15.6 GiB total');
    expect(report).toContain('- Node.js v20.0.0');
    expect(report).toContain('- Load average at start: 0.50 (1 min)\n');
    expect(report).toContain('Every measured target is met.');
    expect(report).toContain('Not written (pass --write');
  });

  test('a busy machine is said so next to the figures', () => {
    const b = deps(good());
    b.d.machine = () => ({ ...MACHINE, load: 6.2 });
    main([], b.d);
    expect(b.out()).toContain('- Load average at start: 6.20 (1 min): the machine was busy, figures are pessimistic');
  });

  test('a missed target exits 1 and is marked in the table', () => {
    const m = good();
    m.synth = s(500);
    m.stock = s(10_000);
    const b = deps(m);
    expect(main(['--runs', '3', '--tests'], b.d)).toBe(1);
    expect(b.calls).toEqual([{ runs: 3, tests: true }]);
    expect(b.out()).toMatch(/\| every environment rendered .* \| 500 ms .* \| ≤ 450 ms \| \*\*missed\*\* \|/);
    expect(b.out()).toContain('1 target missed or not measurable.');
  });

  test('--write writes the printed report to docs/benchmarks.md, --out elsewhere; never into dist/', () => {
    const root = path.join(__dirname, '..', '..');
    let b = deps(good());
    expect(main(['--write'], b.d)).toBe(0);
    expect(b.written).toHaveLength(1);
    expect(b.written[0][0]).toBe(path.join(root, 'docs', 'benchmarks.md'));
    expect(b.out()).toContain(b.written[0][1]);

    const m = good();
    m.diff = s(700);
    b = deps(m);
    expect(main(['--write', '--out', 'tmp/bench.md'], b.d)).toBe(1); // written even when a target is missed
    expect(b.written.map(w => w[0])).toEqual([path.join(root, 'tmp', 'bench.md')]);

    for (const out of ['dist/bench.md', 'dist', path.join(root, 'dist', 'dev', 'x.md')]) {
      b = deps(good());
      expect(main(['--write', '--out', out], b.d)).toBe(2);
      expect(b.err()).toContain('never writes into dist/');
      expect(b.written).toEqual([]);
    }
  });

  test('the report writer replaces the file whole, creating its folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-write-'));
    try {
      const file = path.join(dir, 'sub', 'report.md');
      writeReport(file, 'old\n');
      writeReport(file, '# Benchmarks\n');
      expect(fs.readFileSync(file, 'utf8')).toBe('# Benchmarks\n');
      expect(fs.readdirSync(path.dirname(file))).toEqual(['report.md']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [['--runs', 'zero'], '--runs must be a whole number >= 1 written in digits (at most 999999), got "zero"'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['stray'], "Unexpected argument 'stray'"],
    [['--out', 'x.md'], '--out only says where --write writes: add --write'],
    [['--skip-tests'], "Unknown option '--skip-tests'"],
    [['--watch-latency', '0'], '--watch-latency must be a whole number >= 1 written in digits (at most 999999), got "0"'],
    [['--render-instances', '1e3'], '--render-instances must be a whole number >= 1 written in digits (at most 999999), got "1e3"'],
    [['--steady'], '--steady only changes --render-instances: add --render-instances K'],
  ])('%j is refused with exit 2 before measuring', (args, message) => {
    const b = deps(good());
    expect(main(args, b.d)).toBe(2);
    expect(b.err().split('\n')[0]).toContain(`bench: ${message}`);
    expect(b.err()).toContain('usage: npm run bench');
    expect(b.calls).toEqual([]);
  });

  test('property: a count is read only when written as decimal digits from 1 (Number() read "1e9", "0x10", " 5", "" as counts)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('1e9', '0x10', ' 5', '', '07', '2.0', '+3', '1000000')), text => {
      const b = deps(good());
      // `--runs=<text>`: parseArgs refuses a separate value starting with '-' (its own message), not bench.
      const code = main([`--runs=${text}`], b.d);
      if (/^[1-9][0-9]{0,5}$/.test(text)) {
        expect(b.err()).not.toContain('--runs must be');
      } else {
        expect(code).toBe(2);
        expect(b.err().split('\n')[0]).toBe(`bench: --runs must be a whole number >= 1 written in digits (at most 999999), got "${text}"`);
        expect(b.calls).toEqual([]);
      }
    }), { numRuns: 100, examples: [['- '], ['-1'], ['--runs'], ['1e9']] }); // '- ': found by the property (a separate value starting with '-')
  });

  test('--help prints the usage with every target and exits 0 without measuring', () => {
    const b = deps(good());
    expect(main(['--help'], b.d)).toBe(0);
    expect(b.out()).toMatch(/^usage: npm run bench/);
    for (const limit of ['<= 450 ms', '>= 15x', '<= 5 ms', '1.5x', '<= 250 MiB', '<= 600 ms', '<= 150 ms', '<= 30 s']) expect(b.out()).toContain(limit);
    expect(b.calls).toEqual([]);
  });
});

describe('npm run bench: K instances', () => {
  test('builds K DockerCoins instances, each in its own namespace with its own host, and renders them', () => {
    const env = environmentWithInstances(10);
    expect(env.dockercoins).toHaveLength(10);
    expect(new Set(env.dockercoins.map(d => d.namespace)).size).toBe(10);
    expect(new Set(env.dockercoins.map(d => d.host)).size).toBe(10);
    const ids = renderCharts(env).map(c => c.id);
    expect(ids.filter(id => id.startsWith('dockercoins-coins-'))).toHaveLength(10);
  });

  test('--render-instances K --steady times the K-instance render, not the uncounted warm-up (same output size as without --steady)', () => {
    const report = (argv: string[]) => {
      let text = '';
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { text += String(chunk); return true; });
      try { expect(main(argv)).toBe(0); } finally { write.mockRestore(); }
      return JSON.parse(text) as { k: number; renderMs: number; bytes: number };
    };
    const cold = report(['--render-instances', '1']);
    const steady = report(['--render-instances', '1', '--steady']);
    expect(steady.k).toBe(1);
    expect(steady.bytes).toBe(cold.bytes);
    expect(steady.renderMs).toBeGreaterThan(0);
  });

  test('the steady-state warm-up environment shares no namespace or host with the timed one', () => {
    const timed = environmentWithInstances(10);
    const warmUp = environmentWithInstances(10, 'warm-up');
    const names = (env: typeof timed) => env.dockercoins.flatMap(d => [d.namespace, d.host]);
    expect(names(warmUp).filter(n => names(timed).includes(n))).toEqual([]);
  });
});
