/**
 * Property-based test of the configuration gate: valid environment configs
 * are mutated at random (numbers, quantities with random units, names, hosts,
 * namespaces, removed and added fields, swapped and copied sections, Pulumi
 * overrides) and every case must end one of two ways:
 *
 *  - refused with a ConfigError that names the environment, and whose every
 *    problem line starts with a config path that exists in the input (or is
 *    a missing child of an object that does), or
 *  - accepted, and the rendered output passes the project's own validate
 *    (src/analysis/validate.ts) with no problem.
 *
 * Anything else (a crash with another exception, a problem line naming no
 * path of the input, invalid YAML accepted) fails with the seed and the path
 * of the shrunk counterexample in the message. Replay one with
 * DOCKERCOINS_FUZZ_SEED=<seed> DOCKERCOINS_FUZZ_PATH=<path> npx jest test/fuzz.
 *
 * Runs: 60 per property in `npm test` (a new seed each run); at least 5000 with DOCKERCOINS_STRESS=1
 * (`npm run test:stress`); DOCKERCOINS_FUZZ_RUNS overrides both.
 */
import { isRecord } from '../../constructs/lib/record';
import fc from 'fast-check';
import { ConfigError, ENVIRONMENTS, environmentSchema, loadEnvironment, validateEnvironment } from '../../src/config';
import { knownFields } from '../../src/config/errors';
import { mergeOverrides } from '../../src/config/merge';
import { renderCharts } from '../../src/render';
import { validateManifests, formatProblem } from '../../src/analysis/validate';
import type { K8sObject } from '../../src/analysis/objects';

const STRESS = process.env.DOCKERCOINS_STRESS === '1';
const RUNS = Number(process.env.DOCKERCOINS_FUZZ_RUNS ?? (STRESS ? 5000 : 60));
const TIMEOUT = STRESS ? 900_000 : 60_000;
const ENV_NAMES = Object.keys(ENVIRONMENTS);
/** Validated configs (defaults filled in), as plain JSON. */
const FULL: Record<string, unknown> = Object.fromEntries(ENV_NAMES.map(n => [n, JSON.parse(JSON.stringify(loadEnvironment(n)))]));
/** The environment files as written (overlays on the component defaults): removing a field there may fall back to a default. */
const OVERLAY: Record<string, unknown> = Object.fromEntries(ENV_NAMES.map(n => [n, JSON.parse(JSON.stringify(ENVIRONMENTS[n]))]));

// ------------------------------------------------------------------ value pools
const UNITS = ['', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi', 'Ti', 'n', 'u', 'e3', 'E', 'MB', 'mi', 'gi', ' Mi', 'Mi ', 'cores', '%'];
const NAMES = [
  'kube-system', 'default', 'kube-public', 'kube-node-lease', 'traefik', 'logging', 'monitoring', 'data', 'node-agents', 'registry',
  'dockercoins', 'blue', 'green', 'replicated', 'replicatd', 'local-path', 'Docker_Coins', 'a'.repeat(64), '', '-x', 'x-', 'ns.with.dots', 'UPPER',
];
const HOSTS = [
  'dockercoins.localhost', 'kibana.localhost', 'prometheus.localhost', 'traefik.localhost', 'consul.localhost',
  'blue.dockercoins.staging.example.com', 'green.dockercoins.staging.example.com', 'kibana.staging.example.com', 'prometheus.staging.example.com',
  'dockercoins.example.com', 'kibana.example.com', 'https://dockercoins.example.com', 'dockercoins.example.com:443', '*.example.com',
  'DockerCoins.example.com', 'dockercoins', 'x.example.com/path', '10.0.0.1', 'new.example.com',
];
const CIDRS = ['10.0.0.0/8', '10.10.0.5/8', '10.0.0.0/33', '192.168.1.0', '0.0.0.0/0', '256.0.0.0/8', '10.010.0.0/16', '172.16.0.0/12'];
const SETTINGS = ['yes', 'no', 'true', 'false', 'Yes', 'y', '1', 'on', ''];
const KEYS = ['replicas', 'replicaCount', 'nodePort', 'tolerations', 'ui', 'host', 'tlsSecretname', 'storageClass', 'persistence', 'enabled', 'extra', 'namespace', 'resources', 'DEBUG'];
const ODD = [null, true, false, 0, -1, 1.5, 1e12, '', ' ', '3', [], {}, ['x'], { name: 'x' }];

// ------------------------------------------------------------------ paths in a JSON value
type Seg = string | number;
interface Node { path: Seg[]; value: unknown }

function nodes(value: unknown, path: Seg[] = []): Node[] {
  const here: Node[] = [{ path, value }];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => nodes(v, [...path, i])));
  if (isRecord(value)) return here.concat(...Object.entries(value).map(([k, v]) => nodes(v, [...path, k])));
  return here;
}

function get(root: unknown, path: Seg[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<Seg, unknown>)[k] : undefined), root);
}

function set(root: unknown, path: Seg[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
  else if (isRecord(parent)) parent[key as string] = value;
  return root;
}

function remove(root: unknown, path: Seg[]): void {
  const parent = get(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isRecord(parent)) delete parent[key as string];
}

// ------------------------------------------------------------------ mutations
const OPS = [
  'number', 'quantity', 'name', 'host', 'cidr', 'setting', 'string', 'odd', 'remove', 'add', 'misplace', 'swap', 'copy', 'duplicate-item',
  // Plausible edits, so that many cases are accepted and their output is validated.
  'scale', 'toggle', 'fresh-name', 'fresh-host',
] as const;
type Op = (typeof OPS)[number];
interface Mutation { op: Op; at: number; at2: number; n: number; unit: string; word: number; text: string }

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(...OPS),
  at: fc.nat(),
  at2: fc.nat(),
  n: fc.oneof(fc.integer({ min: -3, max: 70000 }), fc.constantFrom(0, 1, 2, 3, 10, 30080, 30500, 65536), fc.double({ min: -1, max: 1e6, noNaN: true, noDefaultInfinity: true })),
  unit: fc.constantFrom(...UNITS),
  word: fc.nat(),
  text: fc.string({ maxLength: 8 }),
});

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];
const isQuantity = (v: unknown) => typeof v === 'string' && /^-?[0-9.]+(e[0-9]+)?[A-Za-z]*$/.test(v);
const lastKey = (n: Node) => String(n.path[n.path.length - 1] ?? '');

/** Applies one mutation in place (on a deep copy); returns a description for the failure message. */
function mutate(root: unknown, m: Mutation): string {
  const all = nodes(root).filter(n => n.path.length > 0);
  const leaves = all.filter(n => n.value === null || typeof n.value !== 'object');
  const of = (filter: (n: Node) => boolean, list = leaves) => {
    const candidates = list.filter(filter);
    return candidates.length > 0 ? pick(candidates, m.at) : pick(list, m.at);
  };
  const where = (n: Node) => n.path.join('.');
  const quantityText = () => `${Number.isInteger(m.n) ? m.n : m.n.toFixed(2)}${m.unit}`;
  switch (m.op) {
    case 'number': {
      const n = of(x => typeof x.value === 'number');
      set(root, n.path, m.n);
      return `${where(n)} = ${m.n}`;
    }
    case 'quantity': {
      const n = of(x => isQuantity(x.value));
      set(root, n.path, quantityText());
      return `${where(n)} = ${JSON.stringify(quantityText())}`;
    }
    case 'name': {
      const n = of(x => ['name', 'namespace', 'storageClass', 'storageClassName', 'controllerNamespace', 'className', 'tlsSecretName'].includes(lastKey(x)));
      set(root, n.path, pick(NAMES, m.word));
      return `${where(n)} = ${JSON.stringify(pick(NAMES, m.word))}`;
    }
    case 'host': {
      const n = of(x => /host/i.test(lastKey(x)));
      set(root, n.path, pick(HOSTS, m.word));
      return `${where(n)} = ${JSON.stringify(pick(HOSTS, m.word))}`;
    }
    case 'cidr': {
      const n = of(x => /Cidrs$/.test(String(x.path[x.path.length - 2] ?? '')));
      set(root, n.path, pick(CIDRS, m.word));
      return `${where(n)} = ${JSON.stringify(pick(CIDRS, m.word))}`;
    }
    case 'setting': {
      const settings = all.filter(x => lastKey(x) === 'settings' && isRecord(x.value));
      const n = settings.length > 0 ? pick(settings, m.at) : pick(all, m.at);
      set(root, [...n.path, 'DEBUG'], pick(SETTINGS, m.word));
      return `${where(n)}.DEBUG = ${JSON.stringify(pick(SETTINGS, m.word))}`;
    }
    case 'string': {
      const n = of(x => typeof x.value === 'string');
      set(root, n.path, m.text);
      return `${where(n)} = ${JSON.stringify(m.text)}`;
    }
    case 'odd': {
      const n = pick(all, m.at);
      set(root, n.path, structuredClone(pick(ODD, m.word)));
      return `${where(n)} = ${JSON.stringify(pick(ODD, m.word))}`;
    }
    case 'remove': {
      const n = pick(all, m.at);
      remove(root, n.path);
      return `delete ${where(n)}`;
    }
    case 'add': {
      const objects = [{ path: [], value: root }, ...all].filter(x => isRecord(x.value));
      const n = pick(objects, m.at);
      const key = pick(KEYS, m.word);
      const value = pick([m.n, quantityText(), pick(NAMES, m.at2), true, { replicas: 2 }], m.at2);
      (n.value as Record<string, unknown>)[key] = value;
      return `${where(n)}.${key} = ${JSON.stringify(value)}`;
    }
    case 'misplace': {
      // A field of one object moved into another (e.g. rng.nodePort, webui.tolerations, postgres.ui).
      const objects = all.filter(x => isRecord(x.value) && Object.keys(x.value as object).length > 0);
      if (objects.length < 2) return 'misplace: nothing';
      const from = pick(objects, m.at);
      const to = pick(objects, m.at2);
      const keys = Object.keys(from.value as object);
      const key = pick(keys, m.word);
      (to.value as Record<string, unknown>)[key] = structuredClone((from.value as Record<string, unknown>)[key]);
      return `${where(to)}.${key} = (copy of ${where(from)}.${key})`;
    }
    case 'swap': {
      const a = pick(all, m.at);
      const b = pick(all, m.at2);
      if (a.path.join('.').startsWith(b.path.join('.')) || b.path.join('.').startsWith(a.path.join('.'))) return 'swap: nested, nothing';
      const va = structuredClone(get(root, a.path));
      const vb = structuredClone(get(root, b.path));
      set(root, a.path, vb);
      set(root, b.path, va);
      return `swap ${where(a)} <-> ${where(b)}`;
    }
    case 'copy': {
      // Same kind of leaf copied elsewhere: duplicate hosts, namespaces, node ports.
      const a = pick(leaves, m.at);
      const b = of(x => lastKey(x) === lastKey(a) && x !== a);
      set(root, b.path, structuredClone(a.value));
      return `${where(b)} = ${where(a)} (${JSON.stringify(a.value)})`;
    }
    case 'scale': {
      // A number or the number of a quantity times 1-4, unit kept.
      const n = of(x => typeof x.value === 'number' || isQuantity(x.value));
      const factor = 1 + (m.word % 4);
      const v = typeof n.value === 'number' ? n.value * factor : String(n.value).replace(/^[0-9.]+/, d => String(Number(d) * factor));
      set(root, n.path, v);
      return `${where(n)} = ${JSON.stringify(v)}`;
    }
    case 'toggle': {
      const n = of(x => typeof x.value === 'boolean' || ['spread', 'antiAffinity', 'dashboard', 'mode', 'type'].includes(lastKey(x)));
      const v = typeof n.value === 'boolean' ? !n.value : pick(['none', 'preferred', 'required', 'disabled', 'port-forward-only', 'emptyDir', 'persistentVolumeClaim'], m.word);
      set(root, n.path, v);
      return `${where(n)} = ${JSON.stringify(v)}`;
    }
    case 'fresh-name': {
      const n = of(x => ['name', 'namespace'].includes(lastKey(x)));
      set(root, n.path, `fuzz-${m.word % 100}`);
      return `${where(n)} = "fuzz-${m.word % 100}"`;
    }
    case 'fresh-host': {
      const n = of(x => /host/i.test(lastKey(x)));
      set(root, n.path, `fuzz-${m.word % 100}.example.com`);
      return `${where(n)} = "fuzz-${m.word % 100}.example.com"`;
    }
    case 'duplicate-item': {
      const lists = all.filter(x => Array.isArray(x.value) && (x.value as unknown[]).length > 0);
      if (lists.length === 0) return 'duplicate-item: nothing';
      const n = pick(lists, m.at);
      const list = n.value as unknown[];
      const item = structuredClone(pick(list, m.at2));
      if (isRecord(item) && m.word % 2 === 0) item.name = pick(NAMES, m.word);
      list.push(item);
      return `${where(n)} += copy of an item${isRecord(item) ? ` named ${JSON.stringify(item.name)}` : ''}`;
    }
  }
}

// ------------------------------------------------------------------ the oracle
/** `dockercoins[blue].quota.pods (dockercoins)` -> segments; undefined when not a config path. */
function parsePath(text: string): Seg[] | undefined {
  const bare = text.replace(/ \([a-z0-9-]+\)$/, '');
  if (bare === '(top level)') return [];
  const segs: Seg[] = [];
  const re = /(^|\.)([^.[\]]+)|\[([^\]]+)\]/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(bare)) !== null) {
    segs.push(m[2] !== undefined ? m[2] : m[3]);
    end = re.lastIndex;
  }
  return end === bare.length && segs.length > 0 ? segs : undefined;
}

/** Whether the schema has this field (a default the input does not spell out): every object step names one of its fields. */
function settable(segs: readonly Seg[], input: unknown): boolean {
  let value: unknown = input;
  for (let i = 0; i < segs.length; i++) {
    // A list item must exist (by index or name): a default never creates one (`dockercoins[32]` names nothing).
    if (Array.isArray(value)) {
      const s = String(segs[i]);
      value = /^[0-9]+$/.test(s) ? value[Number(s)] : value.find(item => isRecord(item) && item.name === s);
      if (value === undefined) return false;
      continue;
    }
    const fields = knownFields(environmentSchema, segs.slice(0, i), input);
    if (fields.length > 0 && !fields.includes(String(segs[i]))) return false;
    if (fields.length === 0 && i === 0) return false;
    value = isRecord(value) ? value[String(segs[i])] : undefined;
  }
  return true;
}

/** Follows a path; list items by index or by their name. */
function resolve(root: unknown, segs: Seg[]): { found: boolean; parentFound: boolean } {
  let v: unknown = root;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    let next: unknown;
    if (Array.isArray(v)) {
      next = /^[0-9]+$/.test(String(s)) ? v[Number(s)] : v.find(item => isRecord(item) && item.name === s);
      // An index or name that is not there: not even a sensible child.
      if (next === undefined) return { found: false, parentFound: false };
    } else if (isRecord(v)) {
      if (!(String(s) in v)) return { found: false, parentFound: i === segs.length - 1 };
      next = v[String(s)];
    } else {
      return { found: false, parentFound: false };
    }
    v = next;
  }
  return { found: true, parentFound: true };
}

interface Outcome { kind: 'refused' | 'accepted'; detail: string }

/** Runs one input through the gate; throws (fails the property) on a broken promise. */
/** `pathsIn`: the config the problem paths refer to (the input, or the base with the overrides merged). */
function check(run: () => ReturnType<typeof validateEnvironment>, pathsIn: unknown, envName: string): Outcome {
  let env;
  try {
    env = run();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw new Error(`crashed with ${(e as Error)?.constructor?.name ?? typeof e} instead of a ConfigError: ${(e as Error)?.stack ?? e}`);
    if (e.environment !== envName) throw new Error(`ConfigError names environment ${JSON.stringify(e.environment)}, expected ${JSON.stringify(envName)}`);
    if (!e.message.startsWith(`Invalid configuration for environment "${envName}":\n`)) throw new Error(`message does not name the environment: ${e.message}`);
    if (e.problems.length === 0) throw new Error('ConfigError without any problem');
    const repeated = e.problems.filter((p, i) => e.problems.indexOf(p) !== i);
    if (repeated.length > 0) throw new Error(`a problem is reported twice: ${repeated[0]}`);
    for (const line of e.problems) {
      const colon = line.indexOf(': ');
      const segs = colon > 0 ? parsePath(line.slice(0, colon)) : undefined;
      if (!segs) throw new Error(`problem line does not start with a config path: ${line}`);
      const r = resolve(pathsIn, segs);
      // A field the input leaves to its default (e.g. a setup Job's resources) is still one the user can set.
      if (!r.found && !r.parentFound && !settable(segs, pathsIn)) throw new Error(`problem line names a path that is neither in the input nor a field of the schema: ${line}`);
      if (line.slice(colon + 2).trim() === '') throw new Error(`problem line without a reason: ${line}`);
    }
    return { kind: 'refused', detail: e.problems.join(' | ') };
  }
  let objects: K8sObject[];
  try {
    objects = renderCharts(env).flatMap(c => c.objects) as unknown as K8sObject[];
  } catch (e) {
    throw new Error(`accepted, then rendering crashed: ${(e as Error)?.stack ?? e}`);
  }
  const problems = validateManifests(objects);
  if (problems.length > 0) throw new Error(`accepted, but the rendered output fails validate:\n${problems.slice(0, 10).map(formatProblem).join('\n')}`);
  return { kind: 'accepted', detail: '' };
}

/** Runs a property and fails with the seed, the path and the counterexample. */
function assertProperty<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void, stats: { refused: number; accepted: number }): void {
  const seed = process.env.DOCKERCOINS_FUZZ_SEED ? Number(process.env.DOCKERCOINS_FUZZ_SEED) : Date.now() ^ (Math.random() * 0x100000000);
  const path = process.env.DOCKERCOINS_FUZZ_PATH;
  const details = fc.check(fc.property(arb, predicate), { numRuns: RUNS, seed, path, endOnFailure: false });
  if (details.failed) {
    throw new Error([
      `${name}: property failed after ${details.numRuns} runs and ${details.numShrinks} shrinks`,
      `  replay: DOCKERCOINS_FUZZ_SEED=${details.seed} DOCKERCOINS_FUZZ_PATH=${details.counterexamplePath} npx jest test/fuzz/config-fuzz.test.ts`,
      `  seed: ${details.seed}, path: ${details.counterexamplePath}`,
      `  counterexample: ${fc.stringify(details.counterexample)}`,
      `  ${String((details.errorInstance as Error)?.message ?? details.errorInstance).split('\n').join('\n  ')}`,
    ].join('\n'));
  }
  // Both outcomes must occur, or the mutations test nothing (a replay of one counterexample has only one).
  if (process.env.DOCKERCOINS_FUZZ_STATS) process.stdout.write(`${name}: ${JSON.stringify(stats)}\n`);
  if (path !== undefined) return;
  expect(stats.refused).toBeGreaterThan(0);
  expect(stats.accepted).toBeGreaterThan(0);
}

const envArb = fc.constantFrom(...ENV_NAMES);

describe(`config fuzz (${RUNS} runs per property${STRESS ? ', stress' : ''})`, () => {
  test('mutated environment configs are refused naming environment and path, or render output that validates clean', () => {
    const stats = { refused: 0, accepted: 0 };
    assertProperty('validateEnvironment', fc.tuple(envArb, fc.boolean(), fc.array(mutationArb, { minLength: 1, maxLength: 3 })), ([name, overlay, mutations]) => {
      const input = structuredClone((overlay ? OVERLAY : FULL)[name]);
      const applied = mutations.map(m => mutate(input, m));
      const envName = isRecord(input) && typeof input.name === 'string' ? input.name : '(unnamed)';
      try {
        const outcome = check(() => validateEnvironment(input), input, envName);
        stats[outcome.kind]++;
      } catch (e) {
        throw new Error(`${name}${overlay ? ' (environment file)' : ' (full config)'} with ${applied.join('; ')}: ${(e as Error).message}`);
      }
    }, stats);
  }, TIMEOUT);

  test('mutated Pulumi overrides are refused naming environment and path, or render output that validates clean', () => {
    const stats = { refused: 0, accepted: 0 };
    // Overrides as a stack would write them: a small patch of the environment, mutated.
    assertProperty('loadEnvironment', fc.tuple(envArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.nat()), ([name, mutations, cut]) => {
      const full = structuredClone(FULL[name]) as Record<string, unknown>;
      const applied = mutations.map(m => mutate(full, m));
      // The override: the top-level sections the mutations changed (lists of named items merge by name), else one section.
      const base = FULL[name] as Record<string, unknown>;
      const changed = Object.keys(full).filter(k => k !== 'name' && JSON.stringify(full[k]) !== JSON.stringify(base[k]));
      const keys = Object.keys(full).filter(k => k !== 'name');
      const overrides: Record<string, unknown> = {};
      for (const k of changed.length > 0 ? changed : [pick(keys, cut)]) overrides[k] = full[k];
      const merged = mergeOverrides(FULL[name], overrides);
      try {
        const outcome = check(() => loadEnvironment(name, overrides), merged, name);
        stats[outcome.kind]++;
      } catch (e) {
        throw new Error(`${name} with ${applied.join('; ')}, overriding ${Object.keys(overrides).join(', ')}: ${(e as Error).message}`);
      }
    }, stats);
  }, TIMEOUT);
});
