/**
 * Argo CD delivery (engine argocd): one Application per chart, each syncing
 * exactly its file of dist/<env>/ from Git, ordered by the model's waves, plus
 * a root Application ("app of apps") that syncs those Applications, and two
 * AppProjects that fence them in. Facts from Argo CD's source and docs
 * (argoproj/argo-cd, commit 37ee0097cf851bc2dd7665fc081bbce61a7e836e):
 *
 * - `spec.source.directory` set makes the source a plain directory even though
 *   dist/<env>/ holds a kustomization.yaml: an explicit type wins over
 *   detection (pkg/apis/application/v1alpha1/types.go `ExplicitType`,
 *   reposerver/repository/repository.go `GetAppSourceType`); `include` is a
 *   glob of file names (docs/user-guide/directory.md), here one file name.
 * - `argocd.argoproj.io/sync-wave` on the child Applications orders them when
 *   the root Application syncs; Argo CD waits for each wave to be healthy
 *   only with the Application health check, removed in 1.8 and restored by
 *   `resource.customizations.health.argoproj.io_Application` in argocd-cm
 *   (docs/operator-manual/upgrading/1.7-1.8.md, docs/operator-manual/health.md).
 * - `argocd.argoproj.io/sync-options: Prune=false,Delete=false` on an object:
 *   never pruned, and kept when its Application is deleted; several options
 *   are joined with "," (docs/user-guide/sync-options.md).
 * - `ignoreDifferences` + `RespectIgnoreDifferences=true`: the HPA's replica
 *   count is neither shown as drift nor reset by a sync (docs/user-guide/diffing.md,
 *   sync-options.md "Respect ignore difference configs").
 * - tracking: with `application.resourceTrackingMethod: label`, Argo CD
 *   writes `app.kubernetes.io/instance: <application>` into the metadata of
 *   every object it applies and reads ownership from it
 *   (util/argo/resource_tracking.go `SetAppInstance`, case
 *   `TrackingMethodLabel`; util/kube/kube.go `SetAppInstanceLabel`, which no
 *   longer touches pod templates). Every object of the model carries that
 *   recommended label naming its instance, the one its pods' stable selector
 *   labels carry too: label tracking would make each object disagree with
 *   its pods and with dist/. Annotation tracking
 *   (`argocd.argoproj.io/tracking-id`) leaves labels alone; it is the default
 *   since Argo CD 3.0 (docs/operator-manual/upgrading/2.14-3.0.md) and must be
 *   set on 2.x (docs/delivery.md).
 */
import type { K8sObject } from '../analysis/objects';
import type { DeliveryConfig } from '../config/delivery';
import { clusterKindsOf, DeliveryChart, deliveryLabels, keyOf, namespacesOf, ObjectKey, ScaledWorkload, wavesOf } from './model';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/** On every object that holds data: never pruned by a sync, never deleted with its Application. */
export const ARGOCD_DATA_SYNC_OPTIONS = 'Prune=false,Delete=false';
/** Deleting an Application deletes its objects (but those with Delete=false): a chart dropped from the model is removed like a pruned object. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** argocd-cm setting this delivery requires (docs/delivery.md). */
export const TRACKING_SETTING = { key: 'application.resourceTrackingMethod', value: 'annotation' } as const;

export const ARGOCD_DIR = 'argocd';
export const ARGOCD_BOOTSTRAP_FILE = `${ARGOCD_DIR}/bootstrap.k8s.yaml`;
export const ARGOCD_APPLICATIONS_FILE = `${ARGOCD_DIR}/applications.k8s.yaml`;

type ArgoDelivery = Extract<DeliveryConfig, { engine: 'argocd' }>;

export interface ArgoObjects {
  /** Applied once by hand: both AppProjects and the root Application. */
  readonly bootstrap: K8sObject[];
  /** Synced by the root Application: one Application per chart. */
  readonly applications: K8sObject[];
}

export function argocdObjects(env: string, delivery: ArgoDelivery, charts: readonly DeliveryChart[], scaled: readonly ScaledWorkload[]): ArgoObjects {
  const { repository, argocd } = delivery;
  const path = repository.path ?? `dist/${env}`;
  const project = `dockercoins-${env}`;
  const rootProject = `${project}-root`;
  const labels = deliveryLabels(env, 'delivery');
  const meta = (name: string, annotations?: Record<string, string>) => ({ name, namespace: argocd.namespace, labels, ...(annotations ? { annotations } : {}) });

  const applications = wavesOf(charts).flatMap(({ wave, charts: inWave }) => inWave.map(chart => {
    const keys = new Set<ObjectKey>(chart.objects.map(keyOf));
    const ignore = scaled.filter(w => keys.has(`${w.kind}/${w.namespace}/${w.name}`))
      .map(w => ({ group: w.group, kind: w.kind, namespace: w.namespace, name: w.name, jsonPointers: ['/spec/replicas'] }));
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { ...meta(applicationName(env, chart.id), { [SYNC_WAVE_ANNOTATION]: String(wave) }), finalizers: [RESOURCES_FINALIZER] },
      spec: {
        project,
        source: { repoURL: repository.url, targetRevision: repository.revision, path, directory: { include: chart.file } },
        // Every namespaced object names its namespace; none falls back to a destination namespace.
        destination: { server: argocd.destinationServer },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['ServerSideApply=true', ...(ignore.length > 0 ? ['RespectIgnoreDifferences=true'] : [])],
        },
        ...(ignore.length > 0 ? { ignoreDifferences: ignore } : {}),
      },
    } as K8sObject;
  }));

  const root: K8sObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    // No finalizer: deleting the root by mistake orphans the chart Applications instead of deleting the environment.
    metadata: meta(project),
    spec: {
      project: rootProject,
      source: { repoURL: repository.url, targetRevision: repository.revision, path: `${path}/${ARGOCD_DIR}`, directory: { include: ARGOCD_APPLICATIONS_FILE.slice(ARGOCD_DIR.length + 1) } },
      destination: { server: argocd.destinationServer, namespace: argocd.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
    },
  };
  const chartProject: K8sObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: meta(project),
    spec: {
      description: `DockerCoins ${env}: the charts of ${path}/, only into the environment's namespaces`,
      sourceRepos: [repository.url],
      destinations: namespacesOf(charts).map(namespace => ({ server: argocd.destinationServer, namespace })),
      clusterResourceWhitelist: clusterKindsOf(charts),
    },
  };
  const rootAppProject: K8sObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: meta(rootProject),
    spec: {
      description: `DockerCoins ${env}: the root Application, which only creates the chart Applications in ${argocd.namespace}`,
      sourceRepos: [repository.url],
      destinations: [{ server: argocd.destinationServer, namespace: argocd.namespace }],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'Application' }],
    },
  };
  return { bootstrap: [chartProject, rootAppProject, root], applications };
}

/** Name of the Application of a chart. */
export function applicationName(env: string, chart: string): string {
  return `${env}-${chart}`;
}
