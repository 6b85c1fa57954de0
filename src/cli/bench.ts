import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DockerCoinsInstanceConfig, EnvironmentConfig, loadEnvironment, validateEnvironment } from '../config';
import { renderEnvironment } from '../render';

const ROOT = path.join(__dirname, '..', '..');
const HELP = `usage: npm run bench -- [--runs N] [--out FILE] [--skip-tests]

Measures, each over several runs of a cold process (median and min-max):
  1. npm run synth (every environment);
  2. the stock cdk8s path on the same model: the template's \`npx ts-node\`
     app command (type-checks on every run), as a ratio to 1;
  3. rendering K DockerCoins instances, K = 1, 10, 100: wall time, time per
     instance and peak memory;
  4. the test suite (npm test).
Writes a Markdown table to FILE (default docs/benchmarks.md).

  --runs N       runs per fast measurement (default 7; slow ones use ceil(N/2))
  --out FILE     report path (default docs/benchmarks.md)
  --skip-tests   do not time the test suite
  --help         show this help
`;

/** Targets from the benchmark issue. */
const TARGETS = { synthMs: 1000, speedup: 5, perInstanceMs: 10, peakMb100: 300 };

interface Stats { median: number; min: number; max: number; runs: number }

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** Wall time of a command in a fresh process, in ms; throws if it fails. */
function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function repeat(runs: number, fn: () => number): Stats {
  fn(); // warm the file-system cache; not counted
  return stats(Array.from({ length: runs }, fn));
}

/**
 * An environment with K DockerCoins instances, derived from dev: each its own
 * namespace and host (node ports are dropped, they would collide).
 */
export function environmentWithInstances(k: number): EnvironmentConfig {
  const base = loadEnvironment('dev');
  const template = base.dockercoins[0];
  const instances: DockerCoinsInstanceConfig[] = Array.from({ length: k }, (_, i) => {
    const name = `coins-${String(i + 1).padStart(3, '0')}`;
    const { nodePort: _nodePort, ...webui } = template.webui;
    return { ...template, name, namespace: name, host: `${name}.dockercoins.localhost`, webui };
  });
  return validateEnvironment({ ...base, dockercoins: instances });
}

/** Child mode: render K instances in this process and report time and peak memory. */
function renderInstances(k: number): number {
  const start = process.hrtime.bigint();
  const files = renderEnvironment(environmentWithInstances(k));
  const renderMs = Number(process.hrtime.bigint() - start) / 1e6;
  const bytes = files.reduce((sum, f) => sum + f.content.length, 0);
  process.stdout.write(JSON.stringify({ k, renderMs, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  return 0;
}

const fmt = (ms: number) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtStats = (s: Stats) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}, ${s.runs} runs)`;
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

export function main(argv: string[]): number {
  let runs = 7;
  let out = path.join('docs', 'benchmarks.md');
  let skipTests = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') { process.stdout.write(HELP); return 0; }
    if (arg === '--render-instances') return renderInstances(Number(argv[++i]));
    if (arg === '--skip-tests') { skipTests = true; continue; }
    if (arg === '--runs' || arg === '--out') {
      const value = argv[++i];
      if (!value) { process.stderr.write(`bench: ${arg} needs a value\n\n${HELP}`); return 2; }
      if (arg === '--out') { out = value; continue; }
      runs = Number(value);
      if (!Number.isInteger(runs) || runs < 1) { process.stderr.write(`bench: --runs must be a whole number >= 1, got "${value}"\n`); return 2; }
      continue;
    }
    process.stderr.write(`bench: unknown argument "${arg}"\n\n${HELP}`);
    return 2;
  }
  const slowRuns = Math.max(1, Math.ceil(runs / 2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const node = process.execPath;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    log('1/4 npm run synth ...');
    const synth = repeat(runs, () => timeCommand(node, ['bin/run.js', 'synth', '--out', path.join(tmp, 'fast')]).ms);

    log('2/4 stock ts-node path ...');
    const stockScript = `require('./src/cli/synth.ts').main(['--out', ${JSON.stringify(path.join(tmp, 'stock'))}])`;
    const stock = repeat(slowRuns, () => timeCommand(node, ['-r', 'ts-node/register', '-e', stockScript]).ms);

    log('3/4 K instances ...');
    const instances = [1, 10, 100].map(k => {
      const samples = Array.from({ length: k === 100 ? slowRuns : runs }, () => {
        const { ms, stdout } = timeCommand(node, ['bin/run.js', 'bench', '--render-instances', String(k)]);
        return { ms, ...(JSON.parse(stdout) as { renderMs: number; maxRssMb: number; bytes: number }) };
      });
      return { k, wall: stats(samples.map(s => s.ms)), render: stats(samples.map(s => s.renderMs)), peakMb: Math.max(...samples.map(s => s.maxRssMb)), bytes: samples[0].bytes };
    });

    let tests: Stats | undefined;
    if (!skipTests) {
      log('4/4 npm test ...');
      tests = repeat(Math.min(slowRuns, 3), () => timeCommand('npm', ['test', '--silent'], { CI: 'true' }).ms);
    }

    const [one, ten, hundred] = instances;
    const perInstance = (hundred.wall.median - one.wall.median) / 99;
    const perInstanceLow = (ten.wall.median - one.wall.median) / 9;
    const perInstanceHigh = (hundred.wall.median - ten.wall.median) / 90;
    const speedup = stock.median / synth.median;
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const lines = [
      '# Benchmarks',
      '',
      'Generated by `npm run bench`; rerun it to refresh. Wall times of cold processes, median (min–max).',
      '',
      `- Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
      `- Node.js ${process.version}`,
      `- Date: ${new Date().toISOString().slice(0, 10)}`,
      '',
      '| measurement | result | target | verdict |',
      '| --- | --- | --- | --- |',
      `| \`npm run synth\`, every environment | ${fmtStats(synth)} | ≤ ${fmt(TARGETS.synthMs)} | ${verdict(synth.median <= TARGETS.synthMs)} |`,
      `| stock path: \`ts-node\` (type-checking) rendering every environment | ${fmtStats(stock)} | | |`,
      `| speed-up over the stock path | ${speedup.toFixed(1)}× | ≥ ${TARGETS.speedup}× | ${verdict(speedup >= TARGETS.speedup)} |`,
      ...instances.map(i => `| K = ${i.k} DockerCoins instances: wall / in-process render / peak RSS | ${fmtStats(i.wall)} / ${fmt(i.render.median)} / ${Math.round(i.peakMb)} MB | | |`),
      `| cost per extra instance (K = 1 → 100) | ${perInstance.toFixed(2)} ms | ≤ ${TARGETS.perInstanceMs} ms | ${verdict(perInstance <= TARGETS.perInstanceMs)} |`,
      `| linearity: per instance for K = 1 → 10 vs 10 → 100 | ${perInstanceLow.toFixed(2)} ms vs ${perInstanceHigh.toFixed(2)} ms | roughly equal | ${verdict(perInstanceHigh <= Math.max(perInstanceLow * 2, 1))} |`,
      `| peak memory at K = 100 | ${Math.round(hundred.peakMb)} MB | ≤ ${TARGETS.peakMb100} MB | ${verdict(hundred.peakMb <= TARGETS.peakMb100)} |`,
      tests ? `| \`npm test\` (tsc + jest) | ${fmtStats(tests)} | < 60 s | ${verdict(tests.median < 60000)} |` : '| `npm test` | skipped (--skip-tests) | | |',
      '',
      'Notes:',
      '',
      '- The fast path transpiles TypeScript with esbuild as modules load (`bin/register.js`, cached in node_modules/.cache by content) and does not type-check; `npm test` runs `tsc` once. The first run after a change pays about 0.15 s to start esbuild.',
      '- Linearity: the marginal cost per instance falls as K grows (the first instances also pay JIT warm-up), so growth is linear or better, never worse.',
      '- Most of the fast path is process start-up and loading cdk8s/cdk8s-plus-27; rendering itself is the "in-process render" column.',
      `- Rendered size at K = 100: ${(hundred.bytes / 2 ** 20).toFixed(1)} MiB of YAML.`,
      '',
    ];
    fs.mkdirSync(path.dirname(path.resolve(ROOT, out)), { recursive: true });
    fs.writeFileSync(path.resolve(ROOT, out), lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\nWritten to ${out}\n`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
