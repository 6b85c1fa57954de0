/**
 * Flux delivery (engine flux): a GitRepository for the environment's folder
 * of the repository, one Kustomization per wave (each waits for the one
 * before: `dependsOn`, and for its own objects to be ready: `wait`), each
 * pointing at its wave's folder dist/<env>/flux/wave-<n>/, and a root
 * Kustomization that keeps those objects in sync from dist/<env>/flux/.
 * Facts from fluxcd/kustomize-controller docs/spec/v1/kustomizations.md
 * (commit 186fb3b29138ce82ff61ba1a9370b96a3dd598fe):
 *
 * - `.spec.prune: true` garbage-collects objects removed from the source, and
 *   every object of a deleted Kustomization; the label or annotation
 *   `kustomize.toolkit.fluxcd.io/prune: disabled` exempts one object ("Prune");
 * - `.spec.wait: true` health-checks all reconciled resources ("Wait");
 * - `.spec.dependsOn` makes a Kustomization wait until those it names are Ready;
 * - `.spec.path` is a folder of the artifact; a folder with a kustomization.yaml
 *   is built from it, a folder without one gets one generated from every
 *   manifest in its tree ("Generating a kustomization.yaml file"), which is
 *   why the wave folders and dist/<env>/flux/ carry explicit ones (the
 *   generated one for dist/<env>/flux/ would include the wave folders).
 *
 * The wave folders list their charts' files as `../../<file>`: Flux builds
 * with LoadRestrictionsNone inside the artifact (see kustomize.ts).
 */
import type { K8sObject } from '../analysis/objects';
import type { DeliveryConfig } from '../config/delivery';
import { kustomization, KUSTOMIZATION_FILE } from './kustomize';
import { DeliveryChart, deliveryLabels, wavesOf } from './model';

/** On every object that holds data: never garbage-collected by Flux. */
export const FLUX_PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';
export const FLUX_PRUNE_DISABLED = 'disabled';

export const FLUX_DIR = 'flux';
export const FLUX_SYNC_FILE = `${FLUX_DIR}/sync.k8s.yaml`;
export const waveFolder = (wave: number) => `${FLUX_DIR}/wave-${wave}`;

type FluxDelivery = Extract<DeliveryConfig, { engine: 'flux' }>;

export interface FluxFiles {
  /** The GitRepository, the root Kustomization and one Kustomization per wave. */
  readonly sync: K8sObject[];
  /** Relative file name -> content: the kustomization.yaml of dist/<env>/flux/ and of each wave folder. */
  readonly kustomizations: { readonly name: string; readonly content: string }[];
}

export function fluxObjects(env: string, delivery: FluxDelivery, charts: readonly DeliveryChart[]): FluxFiles {
  const { repository, flux } = delivery;
  const path = repository.path ?? `dist/${env}`;
  const source = `dockercoins-${env}`;
  const labels = deliveryLabels(env, 'delivery');
  const meta = (name: string) => ({ name, namespace: flux.namespace, labels });
  const sourceRef = { kind: 'GitRepository', name: source };

  const gitRepository: K8sObject = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: meta(source),
    spec: {
      interval: flux.interval,
      url: repository.url,
      ref: { branch: repository.revision },
      // Only this environment's folder goes into the artifact (gitignore syntax).
      ignore: ['/*', ...ancestors(path).flatMap(dir => [`!/${dir}/`, `/${dir}/*`]), `!/${path}/`].map(line => `${line}\n`).join(''),
    },
  };
  const waves = wavesOf(charts);
  const kustomizations: K8sObject[] = waves.map(({ wave }, i) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta(waveKustomizationName(env, wave)),
    spec: {
      interval: flux.interval,
      timeout: flux.timeout,
      sourceRef,
      path: `./${path}/${waveFolder(wave)}`,
      prune: true,
      wait: true,
      ...(i > 0 ? { dependsOn: [{ name: waveKustomizationName(env, waves[i - 1].wave) }] } : {}),
    },
  }));
  const root: K8sObject = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta(source),
    // Not `wait`: the waves report their own readiness (the root would otherwise wait for all of them in one timeout).
    spec: { interval: flux.interval, timeout: flux.timeout, sourceRef, path: `./${path}/${FLUX_DIR}`, prune: true, wait: false },
  };
  return {
    sync: [gitRepository, root, ...kustomizations],
    kustomizations: [
      { name: `${FLUX_DIR}/${KUSTOMIZATION_FILE}`, content: kustomization([FLUX_SYNC_FILE.slice(FLUX_DIR.length + 1)], `What the root Kustomization ${source} syncs: the GitRepository and the Kustomizations of the waves.`) },
      ...waves.map(({ wave, charts: inWave }) => ({
        name: `${waveFolder(wave)}/${KUSTOMIZATION_FILE}`,
        content: kustomization(inWave.map(c => `../../${c.file}`), `Wave ${wave} (Kustomization ${waveKustomizationName(env, wave)}): these chart files of ${path}/ (Flux builds without load restrictions inside the artifact).`),
      })),
    ],
  };
}

export function waveKustomizationName(env: string, wave: number): string {
  return `dockercoins-${env}-wave-${wave}`;
}

/** `a/b/c` -> [`a`, `a/b`]: the folders above `path`, each of which the ignore rules must re-include. */
function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}
