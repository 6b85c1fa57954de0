/**
 * kube-score 1.20.0, encoded: the checks it runs by default on the kinds this
 * model renders, with its grades, its targeting rules and its ignore
 * annotation. Facts from zegl/kube-score at tag v1.20.0
 * (commit 81371e9f53b633bec69423fc298295bd71bd869a); each check cites the file
 * it comes from. Run as `kube-score score dist/<env>/*.yaml` with the default
 * flags (ignore annotation honoured, optional checks off, min replicas 2,
 * cmd/kube-score/main.go).
 *
 * Only what decides a grade is encoded; the comments kube-score prints are
 * summarised. A kind that kube-score scores but this encoding does not know
 * (Pod, batch/v1beta1...) is refused rather than passed.
 */
import type { K8sObject } from '../../../src/analysis/objects';
import { matchesSelector } from '../../../src/analysis/network';

export const KUBE_SCORE_SOURCE = { repo: 'zegl/kube-score', tag: 'v1.20.0', commit: '81371e9f53b633bec69423fc298295bd71bd869a' } as const;

/** scorecard/scorecard.go: GradeCritical 1, GradeWarning 5, GradeAlmostOK 7, GradeAllOK 10. */
export type Grade = 'CRITICAL' | 'WARNING' | 'ALMOST_OK' | 'OK';

/** scorecard/scorecard.go `ignoredChecksAnnotation`. */
export const KUBE_SCORE_IGNORE_ANNOTATION = 'kube-score/ignore';

export interface KubeScoreResult {
  /** Check id: the name lowercased with spaces as dashes (score/checks/checks.go `machineFriendlyName`). */
  readonly check: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly grade: Grade;
  /** Skipped by kube-score itself (e.g. not targeted by a Service) or by the ignore annotation. */
  readonly skipped: boolean;
  /** Skipped because of `kube-score/ignore` on the object or its pod template. */
  readonly ignored: boolean;
  readonly comments: readonly string[];
}

type Score = { grade: Grade; skipped?: boolean; comments?: string[] };

/**
 * Kinds kube-score parses (parser/parse.go) that this encoding handles. A
 * batch/v1 Job is a plain PodSpecer there (`addPodSpeccer(internal.Batchv1Job{job})`,
 * with no list of its own and so no Job-only check; read at zegl/kube-score
 * 00fb7ed1, not re-checked at v1.20.0): the pod checks below apply to it as to
 * a Deployment, and the Deployment/StatefulSet-only checks do not.
 */
const POD_SPECCERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
/** Kinds kube-score parses that we do not encode: refuse them instead of scoring them wrong. */
const UNENCODED = new Set(['Pod']);
/**
 * A batch/v1 CronJob is a PodSpecer too (parser/parse.go at v1.20.0: `addPodSpeccer(cjob)`), its pod
 * template the Job template's (parser/internal/cronjob/v1.go `GetPodTemplateSpec`), plus the two
 * checks of score/cronjob/cronjob.go below.
 */
const templateOf = (o: K8sObject): any => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template);

const ref = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`.replace(' /', ' ');

/** score/internal/labelselector.go: a map selector; an empty one selects everything. */
const mapSelects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  matchesSelector({ matchLabels: selector ?? {} }, labels ?? {});

/** Quantity is zero or absent (resource.Quantity.IsZero on a missing key is true). */
function isZero(q: unknown): boolean {
  if (q === undefined || q === null || q === '') return true;
  const m = /^([0-9.]+)/.exec(String(q));
  return !m || Number(m[1]) === 0;
}

function allContainers(spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** score/container/container.go `containerTag`: the text after the last ':' (a registry port counts, as upstream). */
function containerTag(image: string): string {
  const parts = image.split(':');
  return parts.length > 1 ? parts[parts.length - 1] : '';
}

/** score/probes/probes.go `areProbesIdentical`: path and port compared with IntOrString.IntValue() (a named port is 0). */
function probesIdentical(r: any, l: any): boolean {
  const intValue = (p: unknown) => (typeof p === 'number' ? p : /^-?\d+$/.test(String(p)) ? Number(p) : 0);
  if (r.httpGet && l.httpGet) return r.httpGet.path === l.httpGet.path && intValue(r.httpGet.port) === intValue(l.httpGet.port);
  if (r.tcpSocket && l.tcpSocket) return JSON.stringify(r.tcpSocket.port) === JSON.stringify(l.tcpSocket.port);
  if (r.exec && l.exec) {
    const a: string[] = r.exec.command ?? [];
    const b: string[] = l.exec.command ?? [];
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  return false;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** score/stable/stable_version.go: deprecated apiVersion/kind pairs with a stable replacement. */
const DEPRECATED: Record<string, string[]> = {
  'extensions/v1beta1': ['Deployment', 'DaemonSet', 'Ingress', 'IngressClass'],
  'apps/v1beta1': ['Deployment', 'StatefulSet'],
  'apps/v1beta2': ['Deployment', 'StatefulSet', 'DaemonSet'],
  'batch/v1beta1': ['CronJob'],
  'policy/v1beta1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1beta1': ['Ingress', 'IngressClass'],
};

/** Runs every default check on an environment's objects (all files at once, as `kube-score score dist/<env>/*.yaml`). */
export function kubeScore(objects: readonly K8sObject[]): KubeScoreResult[] {
  for (const o of objects) {
    if (UNENCODED.has(o.kind)) throw new Error(`${ref(o)}: kube-score scores ${o.kind} with checks this encoding does not have; encode them first`);
  }
  const services = objects.filter(o => o.kind === 'Service' && o.apiVersion === 'v1');
  const podSpeccers = objects.filter(o => POD_SPECCERS.has(o.kind));
  const netpols = objects.filter(o => o.kind === 'NetworkPolicy');
  const pdbs = objects.filter(o => o.kind === 'PodDisruptionBudget');
  const hpas = objects.filter(o => o.kind === 'HorizontalPodAutoscaler');
  const ns = (o: K8sObject) => o.metadata.namespace ?? '';
  const tplLabels = (o: K8sObject): Record<string, string> => templateOf(o)?.metadata?.labels ?? {};
  const targetedByService = (o: K8sObject) =>
    services.some(s => ns(s) === ns(o) && mapSelects(s.spec?.selector, tplLabels(o)));

  const out: KubeScoreResult[] = [];
  const add = (o: K8sObject, check: string, s: Score, childAnnotations?: Record<string, string>) => {
    // scorecard/enabled.go `isEnabled`: the pod template's, then the object's annotation; comma-separated ids.
    const listed = (a?: Record<string, string>) => (a?.[KUBE_SCORE_IGNORE_ANNOTATION] ?? '').split(',').map(v => v.trim()).includes(check);
    const ignored = listed(childAnnotations) || listed(o.metadata.annotations);
    out.push({ check, object: ref(o), grade: s.grade, skipped: ignored || (s.skipped ?? false), ignored, comments: s.comments ?? [] });
  };

  // Meta checks, every object: score/meta/labels.go, score/stable/stable_version.go.
  for (const o of objects) {
    const bad = Object.entries(o.metadata.labels ?? {}).filter(([, v]) => !LABEL_VALUE.test(String(v)));
    add(o, 'label-values', bad.length ? { grade: 'CRITICAL', comments: bad.map(([k]) => `${k}: invalid label value`) } : { grade: 'OK' });
    const deprecated = DEPRECATED[o.apiVersion]?.includes(o.kind) ?? false;
    add(o, 'stable-version', deprecated ? { grade: 'WARNING', comments: [`${o.apiVersion}/${o.kind} is deprecated`] } : { grade: 'OK' });
  }

  for (const o of podSpeccers) {
    const tpl = templateOf(o);
    const spec = tpl.spec;
    const cs = allContainers(spec);
    const child = tpl.metadata?.annotations;
    const pod = (check: string, s: Score) => add(o, check, s, child ?? {});

    // score/container/container.go `containerResources` (limits CRITICAL, requests WARNING).
    {
      const lim: string[] = []; const req: string[] = [];
      for (const c of cs) {
        if (isZero(c.resources?.limits?.cpu)) lim.push(`${c.name}: CPU limit is not set`);
        if (isZero(c.resources?.limits?.memory)) lim.push(`${c.name}: Memory limit is not set`);
        if (isZero(c.resources?.requests?.cpu)) req.push(`${c.name}: CPU request is not set`);
        if (isZero(c.resources?.requests?.memory)) req.push(`${c.name}: Memory request is not set`);
      }
      pod('container-resources', cs.length === 0 ? { grade: 'CRITICAL', comments: ['No containers defined'] }
        : lim.length ? { grade: 'CRITICAL', comments: [...lim, ...req] } : req.length ? { grade: 'WARNING', comments: req } : { grade: 'OK' });
    }
    // `containerImageTag`
    {
      const bad = cs.filter(c => ['', 'latest'].includes(containerTag(c.image ?? '')));
      pod('container-image-tag', bad.length ? { grade: 'CRITICAL', comments: bad.map(c => `${c.name}: Image with latest tag`) } : { grade: 'OK' });
    }
    // `containerImagePullPolicy`: unset is fine only for an untagged/latest image (Kubernetes then defaults to Always).
    {
      const bad = cs.filter(c => {
        const tag = containerTag(c.image ?? '');
        if ((c.imagePullPolicy ?? '') === '' && (tag === '' || tag === 'latest')) return false;
        return c.imagePullPolicy !== 'Always';
      });
      pod('container-image-pull-policy', bad.length ? { grade: 'CRITICAL', comments: bad.map(c => `${c.name}: ImagePullPolicy is not set to Always`) } : { grade: 'OK' });
    }
    // `containerStorageEphemeralRequestAndLimit`
    {
      const lim = cs.filter(c => isZero(c.resources?.limits?.['ephemeral-storage']));
      const req = cs.filter(c => isZero(c.resources?.requests?.['ephemeral-storage']));
      pod('container-ephemeral-storage-request-and-limit', lim.length ? { grade: 'CRITICAL', comments: lim.map(c => `${c.name}: Ephemeral Storage limit is not set`) }
        : req.length ? { grade: 'WARNING', comments: req.map(c => `${c.name}: Ephemeral Storage request is not set`) } : { grade: 'OK' });
    }
    // `environmentVariableKeyDuplication`
    {
      const dup: string[] = [];
      for (const c of cs) {
        const seen = new Set<string>();
        for (const e of c.env ?? []) {
          if (seen.has(e.name)) dup.push(`${c.name}: env ${e.name} is duplicated`);
          seen.add(e.name);
        }
      }
      pod('environment-variable-key-duplication', dup.length ? { grade: 'CRITICAL', comments: dup } : { grade: 'OK' });
    }
    // score/networkpolicy/networkpolicy.go `podHasNetworkPolicy`.
    {
      let ingress = false; let egress = false;
      for (const n of netpols) {
        if (ns(n) !== ns(o) || !matchesSelector(n.spec?.podSelector ?? {}, tplLabels(o))) continue;
        const types: string[] = n.spec?.policyTypes ?? [];
        if (types.length === 0) {
          ingress = true;
          if ((n.spec?.egress ?? []).length > 0) egress = true;
        } else {
          if (types.includes('Ingress')) ingress = true;
          if (types.includes('Egress')) egress = true;
        }
      }
      pod('pod-networkpolicy', ingress && egress ? { grade: 'OK' } : ingress || egress
        ? { grade: 'WARNING', comments: [`The pod does not have a matching ${ingress ? 'egress' : 'ingress'} NetworkPolicy`] }
        : { grade: 'CRITICAL', comments: ['The pod does not have a matching NetworkPolicy'] });
    }
    // score/probes/probes.go `containerProbes` and `containerProbesIdentical`.
    {
      const readiness = cs.some(c => c.readinessProbe); const liveness = cs.some(c => c.livenessProbe);
      pod('pod-probes', !targetedByService(o) ? { grade: 'OK', skipped: true }
        : !readiness ? { grade: 'CRITICAL', comments: ['Container is missing a readinessProbe'] }
          : !liveness ? { grade: 'ALMOST_OK', comments: ['Container is missing a livenessProbe'] } : { grade: 'OK' });
      const same = cs.filter(c => c.readinessProbe && c.livenessProbe && probesIdentical(c.readinessProbe, c.livenessProbe));
      pod('pod-probes-identical', same.length ? { grade: 'CRITICAL', comments: same.map(c => `${c.name}: Container has the same readiness and liveness probe`) } : { grade: 'OK' });
    }
    // score/security/security.go.
    {
      const psc = spec.securityContext;
      const low: string[] = [];
      for (const c of cs) {
        if (!c.securityContext && !psc) { low.push(`${c.name}: Container has no configured security context`); continue; }
        const user = c.securityContext?.runAsUser ?? psc?.runAsUser;
        const group = c.securityContext?.runAsGroup ?? psc?.runAsGroup;
        if (user === undefined || user < 10000) low.push(`${c.name}: The container is running with a low user ID (${user})`);
        if (group === undefined || group < 10000) low.push(`${c.name}: The container running with a low group ID (${group})`);
      }
      pod('container-security-context-user-group-id', low.length ? { grade: 'CRITICAL', comments: low } : { grade: 'OK' });
      const priv = cs.filter(c => c.securityContext?.privileged === true);
      pod('container-security-context-privileged', priv.length ? { grade: 'CRITICAL', comments: priv.map(c => `${c.name}: The container is privileged`) } : { grade: 'OK' });
      const rw = cs.filter(c => !c.securityContext || c.securityContext.readOnlyRootFilesystem !== true);
      pod('container-security-context-readonlyrootfilesystem', rw.length ? { grade: 'CRITICAL', comments: rw.map(c => `${c.name}: writable root filesystem`) } : { grade: 'OK' });
    }
    // score/podtopologyspreadconstraints/podtopologyspreadconstraints.go.
    {
      const bad = (spec.topologySpreadConstraints ?? []).find((t: any) => !t.labelSelector || !t.maxSkew || t.minDomains === 0 || !t.topologyKey
        || !['DoNotSchedule', 'ScheduleAnyway'].includes(t.whenUnsatisfiable));
      pod('pod-topology-spread-constraints', bad ? { grade: 'CRITICAL', comments: ['invalid topology spread constraint'] } : { grade: 'OK' });
    }
  }

  // score/cronjob/cronjob.go: `cronJobHasDeadline` (startingDeadlineSeconds set) and
  // `cronJobHasRestartPolicy` (the pod template's restartPolicy is Never or OnFailure).
  for (const o of objects.filter(x => x.kind === 'CronJob')) {
    add(o, 'cronjob-has-deadline', o.spec?.startingDeadlineSeconds !== undefined && o.spec?.startingDeadlineSeconds !== null
      ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['The CronJob should have startingDeadlineSeconds configured'] });
    const restart = templateOf(o)?.spec?.restartPolicy;
    add(o, 'cronjob-restartpolicy', restart === 'Never' || restart === 'OnFailure'
      ? { grade: 'OK' } : { grade: 'CRITICAL', comments: [restart ? 'The CronJob must have a valid RestartPolicy configured' : 'The CronJob is missing a valid RestartPolicy'] });
  }

  // score/disruptionbudget/disruptionbudget.go `hasMatching`: a budget of the same namespace selecting the pod labels.
  const hasBudget = (o: K8sObject) => pdbs.some(p => ns(p) === ns(o) && matchesSelector(p.spec?.selector ?? null, tplLabels(o)));
  // score/apps/apps.go `hasPodAntiAffinity`.
  const APPROVED_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
    'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone'];
  const hasAntiAffinity = (o: K8sObject) => {
    const anti = o.spec.template.spec.affinity?.podAntiAffinity;
    if (!anti) return false;
    const terms = [...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p: any) => p.podAffinityTerm),
      ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? [])];
    return terms.some((t: any) => APPROVED_KEYS.includes(t.topologyKey) && matchesSelector(t.labelSelector ?? null, tplLabels(o)));
  };
  const selectorMatchesTemplate = (o: K8sObject) => matchesSelector(o.spec.selector ?? null, tplLabels(o));

  for (const o of objects.filter(x => x.kind === 'StatefulSet')) {
    const few = o.spec.replicas !== undefined && o.spec.replicas < 2;
    add(o, 'statefulset-has-poddisruptionbudget', few ? { grade: 'OK', skipped: true }
      : hasBudget(o) ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['No matching PodDisruptionBudget was found'] });
    add(o, 'statefulset-has-host-podantiaffinity', few ? { grade: 'OK', skipped: true }
      : hasAntiAffinity(o) ? { grade: 'OK' } : { grade: 'WARNING', comments: ['StatefulSet does not have a host podAntiAffinity set'] });
    const headless = services.some(s => ns(s) === ns(o) && s.metadata.name === o.spec.serviceName && s.spec?.clusterIP === 'None'
      && mapSelects(s.spec?.selector, tplLabels(o)));
    add(o, 'statefulset-has-servicename', headless ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['StatefulSet does not have a valid serviceName'] });
    add(o, 'statefulset-pod-selector-labels-match-template-metadata-labels', selectorMatchesTemplate(o) ? { grade: 'OK' } : { grade: 'CRITICAL' });
  }

  for (const o of objects.filter(x => x.kind === 'Deployment')) {
    const referenced = targetedByService(o);
    const hpa = hpas.find(h => ns(h) === ns(o) && h.spec?.scaleTargetRef?.kind === o.kind && h.spec?.scaleTargetRef?.name === o.metadata.name);
    const hpaExact = hpas.some(h => ns(h) === ns(o) && h.spec?.scaleTargetRef?.apiVersion === o.apiVersion
      && h.spec?.scaleTargetRef?.kind === o.kind && h.spec?.scaleTargetRef?.name === o.metadata.name);
    // score/deployment/deployment.go
    add(o, 'deployment-strategy', !referenced ? { grade: 'OK', skipped: true }
      : [undefined, 'RollingUpdate'].includes(o.spec.strategy?.type) ? { grade: 'OK' } : { grade: 'WARNING', comments: ['The deployment is used by a service but not using the RollingUpdate strategy'] });
    add(o, 'deployment-replicas', !referenced || hpaExact ? { grade: 'OK', skipped: true }
      : (o.spec.replicas ?? 1) >= 2 ? { grade: 'OK' } : { grade: 'WARNING', comments: ['Deployment few replicas'] });
    const few = o.spec.replicas !== undefined && o.spec.replicas < 2;
    add(o, 'deployment-has-poddisruptionbudget', few ? { grade: 'OK', skipped: true }
      : hasBudget(o) ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['No matching PodDisruptionBudget was found'] });
    // score/apps/apps.go
    add(o, 'deployment-has-host-podantiaffinity', few ? { grade: 'OK', skipped: true }
      : hasAntiAffinity(o) ? { grade: 'OK' } : { grade: 'WARNING', comments: ['Deployment does not have a host podAntiAffinity set'] });
    add(o, 'deployment-targeted-by-hpa-does-not-have-replicas-configured', !hpa ? { grade: 'OK', skipped: true }
      : o.spec.replicas === undefined ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['targeted by a HPA, but a static replica count is configured'] });
    add(o, 'deployment-pod-selector-labels-match-template-metadata-labels', selectorMatchesTemplate(o) ? { grade: 'OK' } : { grade: 'CRITICAL' });
  }

  // score/service/service.go
  for (const s of services) {
    const match = s.spec?.type === 'ExternalName' || podSpeccers.some(o => ns(o) === ns(s) && mapSelects(s.spec?.selector, tplLabels(o)));
    add(s, 'service-targets-pod', match ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['The services selector does not match any pods'] });
    add(s, 'service-type', s.spec?.type === 'NodePort' ? { grade: 'WARNING', comments: ['The service is of type NodePort'] } : { grade: 'OK' });
  }
  // score/networkpolicy/networkpolicy.go `networkPolicyTargetsPod`
  for (const n of netpols) {
    const match = podSpeccers.some(o => ns(o) === ns(n) && matchesSelector(n.spec?.podSelector ?? {}, tplLabels(o)));
    add(n, 'networkpolicy-targets-pod', match ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ["The NetworkPolicys selector doesn't match any pods"] });
  }
  // score/ingress/ingress.go: every path's backend names a Service of the namespace and one of its ports (number or name).
  for (const i of objects.filter(x => x.kind === 'Ingress')) {
    const missing: string[] = [];
    for (const rule of i.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const b = p.backend?.service;
        const ok = !!b && services.some(s => ns(s) === ns(i) && s.metadata.name === b.name
          && (s.spec?.ports ?? []).some((sp: any) => (b.port?.number > 0 && sp.port === b.port.number) || sp.name === b.port?.name));
        if (!ok) missing.push(`${p.path}: No service match was found`);
      }
    }
    add(i, 'ingress-targets-service', missing.length ? { grade: 'CRITICAL', comments: missing } : { grade: 'OK' });
  }
  // score/hpa/hpa.go
  for (const h of hpas) {
    const t = h.spec?.scaleTargetRef ?? {};
    const target = objects.some(o => o.apiVersion === t.apiVersion && o.kind === t.kind && o.metadata.name === t.name && ns(o) === ns(h));
    add(h, 'horizontalpodautoscaler-has-target', target ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['The HPA target does not match anything'] });
    add(h, 'horizontalpodautoscaler-replicas', (h.spec?.minReplicas ?? 1) >= 2 ? { grade: 'OK' } : { grade: 'WARNING', comments: ['HPA few replicas'] });
  }
  // score/disruptionbudget/disruptionbudget.go `hasPolicy`
  for (const p of pdbs) {
    const has = p.spec?.minAvailable !== undefined || p.spec?.maxUnavailable !== undefined;
    add(p, 'poddisruptionbudget-has-policy', has ? { grade: 'OK' } : { grade: 'CRITICAL', comments: ['PodDisruptionBudget missing policy'] });
  }
  return out;
}

/** The CRITICAL results kube-score would print (not skipped, not ignored). */
export function kubeScoreCriticals(results: readonly KubeScoreResult[]): KubeScoreResult[] {
  return results.filter(r => r.grade === 'CRITICAL' && !r.skipped);
}

export function formatKubeScore(r: KubeScoreResult): string {
  return `[${r.grade}] ${r.object}: ${r.check}${r.comments.length ? ` (${r.comments.join('; ')})` : ''}`;
}
