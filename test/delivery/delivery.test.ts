/**
 * Delivery (issue 14): every environment, with each engine, renders the
 * objects that engine needs, valid against the engine's own CRD schemas
 * (@kubernetes-models/argo-cd 2.7.2, @kubernetes-models/flux-cd 2.3.4) and the
 * project's strict schema check; waves follow the model; exactly the objects
 * that hold data are protected from pruning and deletion; the HPA owns the
 * replicas; the kubectl ApplySet follows kubectl's own rules. Each engine is
 * checked on every environment's shape (the configured engine, plus variants
 * of the same overlay with another engine).
 */
import * as path from 'path';
import { parse } from 'yaml';
import { APPLYSET_PART_OF_LABEL, applySetId } from '../../constructs/lib/applyset';
import type { K8sObject } from '../../src/analysis/objects';
import { parseManifests } from '../../src/analysis/objects';
import { validateSchema } from '../../src/analysis/schema';
import { validateManifests } from '../../src/analysis/validate';
import { DeliveryEngine, ENVIRONMENTS, EnvironmentConfig, loadEnvironment, validateEnvironment } from '../../src/config';
import { manifestFileName, renderCharts, RenderedFile, renderEnvironment } from '../../src/render';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const argo = require('@kubernetes-models/argo-cd/argoproj.io/v1alpha1');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fluxKustomize = require('@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fluxSource = require('@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1');

const REPO = { url: 'https://git.example.com/platform/dockercoins.git' };
const DELIVERY: Record<DeliveryEngine, Record<string, unknown>> = {
  pulumi: { engine: 'pulumi' },
  kubectl: { engine: 'kubectl' },
  argocd: { engine: 'argocd', repository: REPO },
  flux: { engine: 'flux', repository: REPO },
};
const variant = (env: string, engine: DeliveryEngine): EnvironmentConfig =>
  (loadEnvironment(env).delivery.engine === engine ? loadEnvironment(env) : validateEnvironment({ ...ENVIRONMENTS[env], delivery: DELIVERY[engine] }));

const CASES = Object.keys(ENVIRONMENTS).flatMap(env => (['pulumi', 'kubectl', 'argocd', 'flux'] as const).map(engine => [env, engine] as const));

interface Rendered { env: EnvironmentConfig; files: RenderedFile[]; byName: Map<string, string>; charts: ReturnType<typeof renderCharts>; chartObjects: K8sObject[] }
const cache = new Map<string, Rendered>();
function rendered(envName: string, engine: DeliveryEngine): Rendered {
  const key = `${envName}/${engine}`;
  if (!cache.has(key)) {
    const env = variant(envName, engine);
    const files = renderEnvironment(env);
    const charts = renderCharts(env);
    cache.set(key, { env, files, byName: new Map(files.map(f => [f.name, f.content])), charts, chartObjects: charts.flatMap(c => c.objects) });
  }
  return cache.get(key)!;
}
const objectsIn = (r: Rendered, file: string) => parseManifests(r.byName.get(file) ?? (() => { throw new Error(`${file} not rendered`); })(), file);
const deliveryFiles = (r: Rendered) => r.files.filter(f => f.name.includes('/'));
const chartFiles = (r: Rendered) => r.charts.map(manifestFileName);

/** Objects holding data, from the rendered objects alone (independent of the offers the model derives them from). */
function holdingData(objects: readonly K8sObject[]): string[] {
  const direct = objects.filter(o => o.kind === 'PersistentVolumeClaim' || (o.kind === 'StatefulSet' && (o.spec?.volumeClaimTemplates ?? []).length > 0));
  const namespaces = new Set(direct.map(o => o.metadata.namespace));
  return [...direct.map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), ...[...namespaces].map(ns => `Namespace /${ns}`)].sort();
}
const ref = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const protectedBy = (objects: readonly K8sObject[], key: string, value: string) => objects.filter(o => o.metadata.annotations?.[key] === value).map(ref).sort();

describe.each(CASES)('%s delivered by %s', (envName, engine) => {
  const r = () => rendered(envName, engine);

  test('kustomization.yaml lists every chart file, in deployment order, all inside dist/<env>/ (kubectl apply -k under LoadRestrictionsRootOnly)', () => {
    const k = parse(r().byName.get('kustomization.yaml')!);
    expect(k).toEqual({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: chartFiles(r()) });
    for (const f of k.resources) expect(path.posix.normalize(f)).not.toMatch(/^\.\.|^\//);
  });

  test('only the chosen engine\'s delivery objects are rendered', () => {
    const dirs = [...new Set(deliveryFiles(r()).map(f => f.name.split('/')[0]))];
    expect(dirs).toEqual({ pulumi: [], kubectl: ['applyset'], argocd: ['argocd'], flux: ['flux'] }[engine]);
    const kinds = new Set(deliveryFiles(r()).filter(f => f.name.endsWith('.k8s.yaml')).flatMap(f => objectsIn(r(), f.name)).map(o => o.apiVersion.split('/')[0]));
    const expected = { pulumi: [], kubectl: ['apiextensions.k8s.io', 'platform.dockercoins.io'], argocd: ['argoproj.io'], flux: ['kustomize.toolkit.fluxcd.io', 'source.toolkit.fluxcd.io'] }[engine];
    expect([...kinds].sort()).toEqual(expected);
  });

  test('every delivery object passes the CRD schema of its engine and the strict schema check of validate', () => {
    for (const f of deliveryFiles(r()).filter(x => x.name.endsWith('.k8s.yaml'))) {
      for (const o of objectsIn(r(), f.name)) {
        const [group, version] = o.apiVersion.split('/');
        const models: Record<string, any> = { 'argoproj.io': argo, 'kustomize.toolkit.fluxcd.io': fluxKustomize, 'source.toolkit.fluxcd.io': fluxSource };
        if (models[group]) {
          expect(version).toBe(models[group][o.kind].apiVersion.split('/')[1]);
          expect(() => new models[group][o.kind](o).validate()).not.toThrow();
        }
        expect({ object: ref(o), problems: validateSchema(o) }).toEqual({ object: ref(o), problems: [] });
      }
    }
  });

  test('the environment with its delivery objects passes validate', () => {
    const all = r().files.filter(f => /\.ya?ml$/.test(f.name) && !f.name.endsWith('kustomization.yaml')).flatMap(f => parseManifests(f.content, f.name));
    expect(validateManifests(all).map(p => `${p.object}: [${p.rule}] ${p.message}`)).toEqual([]);
  });

  test('exactly the objects that hold data carry the engine\'s prune/delete protection (none for kubectl and Pulumi)', () => {
    const objects = r().chartObjects;
    const data = holdingData(objects);
    expect(data.length).toBeGreaterThan(0);
    const argoProtected = protectedBy(objects, 'argocd.argoproj.io/sync-options', 'Prune=false,Delete=false');
    const fluxProtected = protectedBy(objects, 'kustomize.toolkit.fluxcd.io/prune', 'disabled');
    expect({ argo: argoProtected, flux: fluxProtected }).toEqual({ argo: engine === 'argocd' ? data : [], flux: engine === 'flux' ? data : [] });
  });

  test('no rendered object carries the ApplySet membership label (kubectl refuses input with it: AddLabels)', () => {
    const all = r().files.filter(f => f.name.endsWith('.k8s.yaml')).flatMap(f => parseManifests(f.content, f.name));
    expect(all.filter(o => o.metadata.labels?.[APPLYSET_PART_OF_LABEL] !== undefined).map(ref)).toEqual([]);
  });
});

const ENV_NAMES = Object.keys(ENVIRONMENTS);

describe.each(ENV_NAMES)('Argo CD objects of %s', envName => {
  const r = () => rendered(envName, 'argocd');
  const apps = () => objectsIn(r(), 'argocd/applications.k8s.yaml');
  const bootstrap = () => objectsIn(r(), 'argocd/bootstrap.k8s.yaml');

  test('one Application per chart, each selecting exactly its chart file of dist/<env>/ as a plain directory, in the model\'s waves', () => {
    expect(apps().map(a => a.spec.source.directory.include)).toEqual(chartFiles(r()));
    expect(apps().map(a => Number(a.metadata.annotations!['argocd.argoproj.io/sync-wave']))).toEqual(r().charts.map(c => c.wave));
    for (const a of apps()) {
      expect(a.spec.source).toEqual({ repoURL: REPO.url, targetRevision: 'main', path: `dist/${envName}`, directory: { include: a.spec.source.directory.include } });
      // include is a glob: a file name without glob characters selects that file only.
      expect(a.spec.source.directory.include).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(a.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    }
  });

  test('syncs with server-side apply; ignoreDifferences are exactly the replicas of the HPA targets, honoured at sync', () => {
    const hpas = r().chartObjects.filter(o => o.kind === 'HorizontalPodAutoscaler')
      .map(h => `${h.spec.scaleTargetRef.kind} ${h.metadata.namespace}/${h.spec.scaleTargetRef.name}`).sort();
    expect(hpas.length).toBeGreaterThan(0);
    const ignored = apps().flatMap(a => (a.spec.ignoreDifferences ?? []).map((d: any) => {
      expect(d.jsonPointers).toEqual(['/spec/replicas']);
      const chart = r().charts.find(c => manifestFileName(c) === a.spec.source.directory.include)!;
      // The ignored object is in this Application's chart.
      expect(chart.objects.some(o => o.kind === d.kind && o.metadata.namespace === d.namespace && o.metadata.name === d.name)).toBe(true);
      return `${d.kind} ${d.namespace}/${d.name}`;
    })).sort();
    expect(ignored).toEqual(hpas);
    for (const a of apps()) {
      expect(a.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
      expect(a.spec.syncPolicy.syncOptions.includes('RespectIgnoreDifferences=true')).toBe((a.spec.ignoreDifferences ?? []).length > 0);
    }
  });

  test('tracking: the bootstrap file and docs/delivery.md require annotation tracking, because every object carries the instance label its pods carry', () => {
    expect(r().byName.get('argocd/bootstrap.k8s.yaml')).toContain('# Requires in argocd-cm: application.resourceTrackingMethod: annotation');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const docs = (require('fs') as typeof import('fs')).readFileSync(path.join(__dirname, '..', '..', 'docs', 'delivery.md'), 'utf8');
    expect(docs).toContain('application.resourceTrackingMethod: annotation');
    expect(docs).toContain('resource.customizations.health.argoproj.io_Application');
    // What label tracking would overwrite: the instance label of every workload, equal to its pods' (selector) label.
    for (const o of r().chartObjects.filter(x => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(x.kind))) {
      expect(o.metadata.labels!['app.kubernetes.io/instance']).toBe(o.spec.template.metadata.labels['app.kubernetes.io/instance']);
      expect(o.spec.selector.matchLabels['app.kubernetes.io/instance']).toBeDefined();
    }
    // No object claims an owner: the tracking annotation is Argo CD's to write.
    expect(r().chartObjects.filter(o => o.metadata.annotations?.['argocd.argoproj.io/tracking-id'] !== undefined)).toEqual([]);
  });

  test('the root Application syncs the Applications file; the AppProjects fence in sources, namespaces and cluster-scoped kinds', () => {
    const [project, rootProject, root] = bootstrap();
    expect(root.spec.source).toEqual({ repoURL: REPO.url, targetRevision: 'main', path: `dist/${envName}/argocd`, directory: { include: 'applications.k8s.yaml' } });
    expect(root.spec.project).toBe(rootProject.metadata.name);
    expect(rootProject.spec.destinations).toEqual([{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }]);
    expect(rootProject.spec.namespaceResourceWhitelist).toEqual([{ group: 'argoproj.io', kind: 'Application' }]);
    for (const a of apps()) expect(a.spec.project).toBe(project.metadata.name);
    const allowed = new Set(project.spec.destinations.map((d: any) => d.namespace));
    for (const o of r().chartObjects) {
      if (o.metadata.namespace) expect(allowed.has(o.metadata.namespace)).toBe(true);
      else expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '', kind: o.kind });
    }
    expect(project.spec.sourceRepos).toEqual([REPO.url]);
  });
});

describe.each(ENV_NAMES)('Flux objects of %s', envName => {
  const r = () => rendered(envName, 'flux');
  const sync = () => objectsIn(r(), 'flux/sync.k8s.yaml');
  const waves = () => [...new Set(r().charts.map(c => c.wave))];

  test('one Kustomization per wave, each depending on the one before, waiting and pruning, at its wave folder', () => {
    const [git, root, ...perWave] = sync();
    expect(git.kind).toBe('GitRepository');
    expect(git.spec).toMatchObject({ url: REPO.url, ref: { branch: 'main' } });
    expect(root.spec.path).toBe(`./dist/${envName}/flux`);
    expect(perWave.map(k => k.spec.path)).toEqual(waves().map(w => `./dist/${envName}/flux/wave-${w}`));
    perWave.forEach((k, i) => {
      expect(k.spec).toMatchObject({ prune: true, wait: true, sourceRef: { kind: 'GitRepository', name: git.metadata.name } });
      expect(k.spec.dependsOn).toEqual(i === 0 ? undefined : [{ name: perWave[i - 1].metadata.name }]);
    });
  });

  test('each wave folder\'s kustomization.yaml resolves, inside dist/<env>/, to exactly the chart files of its wave', () => {
    const seen: string[] = [];
    for (const wave of waves()) {
      const folder = `flux/wave-${wave}`;
      const k = parse(r().byName.get(`${folder}/kustomization.yaml`)!);
      const files = k.resources.map((f: string) => path.posix.normalize(path.posix.join(folder, f)));
      for (const f of files) {
        expect(f).not.toMatch(/^\.\.|^\//); // inside dist/<env>/, hence inside the artifact
        expect(r().byName.has(f)).toBe(true);
      }
      expect(files).toEqual(r().charts.filter(c => c.wave === wave).map(manifestFileName));
      seen.push(...files);
    }
    expect(seen).toEqual(chartFiles(r()));
    expect(parse(r().byName.get('flux/kustomization.yaml')!).resources).toEqual(['sync.k8s.yaml']);
  });

  test('the GitRepository artifact holds only dist/<env>/ (gitignore rules re-including each folder level)', () => {
    expect(sync()[0].spec.ignore).toBe(`/*\n!/dist/\n/dist/*\n!/dist/${envName}/\n`);
  });
});

describe.each(ENV_NAMES)('kubectl ApplySet of %s', envName => {
  const r = () => rendered(envName, 'kubectl');

  test('the parent id is kubectl\'s formula; its annotations are what kubectl computes from the members', () => {
    const [parent] = objectsIn(r(), 'applyset/parent.k8s.yaml');
    const [crd] = objectsIn(r(), 'applyset/crd.k8s.yaml');
    expect(crd.metadata.labels!['applyset.kubernetes.io/is-parent-type']).toBe('true');
    expect(crd.spec.scope).toBe('Cluster');
    expect(parent.apiVersion).toBe(`${crd.spec.group}/${crd.spec.versions[0].name}`);
    expect(parent.metadata.labels!['applyset.kubernetes.io/id']).toBe(applySetId({ name: `dockercoins-${envName}`, kind: 'ApplySet', group: 'platform.dockercoins.io' }));
    const members = r().chartObjects;
    const gk = (o: K8sObject) => (o.apiVersion.includes('/') ? `${o.kind}.${o.apiVersion.split('/')[0]}` : o.kind);
    expect(parent.metadata.annotations!['applyset.kubernetes.io/contains-group-kinds'].split(',')).toEqual([...new Set(members.map(gk))].sort());
    expect(parent.metadata.annotations!['applyset.kubernetes.io/additional-namespaces'].split(','))
      .toEqual([...new Set(members.map(o => o.metadata.namespace).filter(Boolean))].sort());
    expect(parent.metadata.annotations!['applyset.kubernetes.io/tooling']).toMatch(/^kubectl\/v1\.(2[7-9]|[3-9][0-9])\./);
    // The parent and its CRD are not members: kustomization.yaml does not list them.
    expect(parse(r().byName.get('kustomization.yaml')!).resources.some((f: string) => f.startsWith('applyset/'))).toBe(false);
  });
});

describe('the ApplySet id (conformance with kubectl, pkg/cmd/apply/apply_test.go, commit dee3483a3d6a64c07fdf746caf80af446dee99ac)', () => {
  test('Secret my-set in namespace test', () => {
    expect(applySetId({ name: 'my-set', namespace: 'test', kind: 'Secret', group: '' })).toBe('applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1');
  });
  test('cluster-scoped ApplySet.company.com my-set', () => {
    expect(applySetId({ name: 'my-set', kind: 'ApplySet', group: 'company.com' })).toBe('applyset-rhp1a-HVAVT_dFgyEygyA1BEB82HPp2o10UiFTpqtAs-v1');
  });
  test('is a valid label value for any parent name (63 characters, alphanumeric ends)', () => {
    for (const name of ['a', 'dockercoins-prod', 'x'.repeat(253)]) expect(applySetId({ name, kind: 'ApplySet', group: 'platform.dockercoins.io' })).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
  });
});

describe('the configured engines', () => {
  test('dev: kubectl, staging: argocd, prod: pulumi (docs/delivery.md explains the choice)', () => {
    expect(ENV_NAMES.map(e => [e, loadEnvironment(e).delivery.engine])).toEqual([['dev', 'kubectl'], ['staging', 'argocd'], ['prod', 'pulumi']]);
  });
  test('the default is pulumi, with no settings', () => {
    const { delivery: _, ...overlay } = ENVIRONMENTS.prod as Record<string, unknown>;
    expect(validateEnvironment(overlay).delivery).toEqual({ engine: 'pulumi', pulumi: { protectData: false } });
  });
  test('the chosen engine gets its documented defaults', () => {
    expect(variant('staging', 'flux').delivery).toEqual({ engine: 'flux', repository: { ...REPO, revision: 'main' }, flux: { namespace: 'flux-system', interval: '1m', timeout: '10m' } });
    expect(variant('staging', 'argocd').delivery).toEqual({ engine: 'argocd', repository: { ...REPO, revision: 'main' }, argocd: { namespace: 'argocd', destinationServer: 'https://kubernetes.default.svc' } });
    expect(variant('dev', 'kubectl').delivery).toEqual({ engine: 'kubectl', kubectl: {} });
  });
  test('a custom repository path and revision reach every Argo CD and Flux object that reads them', () => {
    const repository = { ...REPO, revision: 'release', path: 'deploy/rendered/staging' };
    for (const engine of ['argocd', 'flux'] as const) {
      const env = validateEnvironment({ ...ENVIRONMENTS.staging, delivery: { engine, repository } });
      const text = renderEnvironment(env).filter(f => f.name.startsWith(`${engine}/`)).map(f => f.content).join('\n');
      expect(text).not.toContain('dist/staging');
      expect(text).toContain('deploy/rendered/staging');
      expect(text).toMatch(engine === 'argocd' ? /targetRevision: release/ : /branch: release/);
    }
  });
});

describe('rendering what Pulumi would deploy refuses an environment another engine delivers', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { inProcess, spawnCli } = require('../helpers/cli') as typeof import('../helpers/cli');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs') as typeof import('fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('os') as typeof import('os');
  const ROOT = path.join(__dirname, '..', '..');
  test.each([['dev', 'kubectl'], ['staging', 'argocd']])('synth --stack-config Pulumi.%s.yaml: exit 1, the engine named, nothing written', async (env, engine) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-refused-'));
    try {
      // synth's main, as bin/run.js runs it; for dev also as a process, which must say the same.
      const argv = ['synth', '--stack-config', path.join(ROOT, `Pulumi.${env}.yaml`), '--out', out];
      const result = await inProcess(argv);
      if (env === 'dev') expect(spawnCli(argv)).toEqual(result);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`Environment "${env}" is delivered by ${engine} (delivery.engine in src/config/environments/${env}.ts), not by Pulumi; nothing was deployed.`);
      expect(fs.readdirSync(out)).toEqual([]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('validate checks the delivery kinds with their CRD schemas, strictly', () => {
  const app = () => objectsIn(rendered('staging', 'argocd'), 'argocd/applications.k8s.yaml')[0];
  const wave = () => objectsIn(rendered('staging', 'flux'), 'flux/sync.k8s.yaml')[2];
  test('a misspelt Application field is an unknown field', () => {
    const o = app();
    o.spec.syncPolicy.syncOption = o.spec.syncPolicy.syncOptions;
    expect(validateSchema(o)).toEqual(['spec.syncPolicy.syncOption: unknown field']);
  });
  test('a Flux Kustomization without prune (required) is refused', () => {
    const o = wave();
    delete o.spec.prune;
    expect(validateSchema(o)).toEqual(['spec.prune: required field is missing']);
  });
  test('an ApplySet parent with a field its CRD does not declare is refused, and its metadata is checked as ObjectMeta', () => {
    const [parent] = objectsIn(rendered('dev', 'kubectl'), 'applyset/parent.k8s.yaml');
    expect(validateSchema({ ...parent, spec: {} })).toEqual(['spec: unknown field']);
    expect(validateSchema({ ...parent, metadata: { ...parent.metadata, labelz: {} } })).toEqual(['metadata.labelz: unknown field']);
  });
  test('folders skip kustomization.yaml (build instructions, not objects)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadManifests } = require('../../src/analysis/objects') as typeof import('../../src/analysis/objects');
    const objects = loadManifests([path.join(__dirname, '..', '..', 'dist', 'dev')]);
    expect(objects.some(o => o.kind === 'Kustomization')).toBe(false);
    expect(objects.some(o => o.kind === 'ApplySet')).toBe(true);
  });
});

describe('the Flux layout written by synth\'s writer (owned folder, atomic swap) resolves on disk', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('fs') as typeof import('fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const os = require('os') as typeof import('os');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeOutput, ENV_MARKER } = require('../../src/cli/output') as typeof import('../../src/cli/output');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { staleFiles } = require('../../src/cli/synth') as typeof import('../../src/cli/synth');
  test.each(ENV_NAMES)('%s as flux: every kustomization.yaml lists files that exist, inside the environment folder; a rerun is up to date', envName => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-layout-'));
    try {
      const files = rendered(envName, 'flux').files;
      writeOutput(out, new Map([[envName, files]]), { allEnvironments: false, prune: false, note: () => undefined });
      const root = path.join(out, envName);
      expect(fs.existsSync(path.join(root, ENV_MARKER))).toBe(true);
      for (const k of files.filter(f => f.name.endsWith('kustomization.yaml'))) {
        const dir = path.dirname(path.join(root, k.name));
        for (const resource of parse(fs.readFileSync(path.join(root, k.name), 'utf8')).resources as string[]) {
          const target = path.resolve(dir, resource);
          expect(path.relative(root, target).startsWith('..')).toBe(false);
          expect(fs.statSync(target).isFile()).toBe(true);
        }
      }
      expect(staleFiles(out, new Map([[envName, files]]))).toEqual([]);
      // A wave dropped from the model leaves a stale folder that --check names.
      expect(staleFiles(out, new Map([[envName, files.filter(f => !f.name.startsWith('flux/wave-2/'))]]))).toEqual([path.join(root, 'flux', 'wave-2', 'kustomization.yaml')]);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
