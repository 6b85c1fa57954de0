/**
 * Contract: the hardened defaults every pod template of every environment
 * carries (constructs/lib/workload.ts `HardenedPod`/`HardenedStatefulSet` and
 * constructs/lib/security.ts set them). One table of rows (field, expected
 * value, reason), run over every Deployment, DaemonSet, StatefulSet, Job and
 * CronJob pod template and container; and the same table run against a copy
 * with one pod broken, to show each row reports.
 */
import { ENVIRONMENTS, loadEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { allContainers, describeContainer, K8sObject, namespaceOf, objectRef, podTemplateOf } from '../../src/analysis/objects';

const ENV_NAMES = Object.keys(ENVIRONMENTS);
import { HOST_ACCESS_ANNOTATION } from '../../constructs/lib/host-access-annotations';
const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** One pod template, with what the rows need to judge it. */
interface Pod {
  readonly ref: string;
  readonly object: K8sObject;
  readonly spec: Record<string, any>;
  readonly annotations: Record<string, string>;
  readonly namespace: string;
  readonly objects: readonly K8sObject[];
}
/** What a row looks at: a pod, or one of its containers. */
interface Target { readonly pod: Pod; readonly container?: Record<string, any>; readonly where: string }

interface Row {
  /** The field, as a reviewer would name it. */
  readonly field: string;
  /** The expected value, as text (for the test name). */
  readonly expected: string;
  readonly reason: string;
  readonly scope: 'pod' | 'container';
  /** Only targets this returns true for. @default all */
  readonly applies?: (t: Target) => boolean;
  readonly get: (t: Target) => unknown;
  /** Whether the value is right for this target. */
  readonly accepts: (value: unknown, t: Target) => boolean;
  /** Breaks the target (in a copy) so that the row must report it. */
  readonly breaks: (t: Target) => void;
  /** Targets `breaks` is meant for. @default all */
  readonly breakable?: (t: Target) => boolean;
}

const equals = (expected: unknown) => (value: unknown) => JSON.stringify(value) === JSON.stringify(expected);
const podSc = (t: Target) => t.pod.spec.securityContext ?? {};
const sc = (t: Target) => t.container!.securityContext ?? {};
const setPodSc = (t: Target, patch: object) => { t.pod.spec.securityContext = { ...podSc(t), ...patch }; };
const setSc = (t: Target, patch: object) => { t.container!.securityContext = { ...sc(t), ...patch }; };

/** Node agents: pods that state why they need the node, in a namespace whose Pod Security level is privileged. */
function isPrivilegedNodeAgent(pod: Pod): boolean {
  const ns = pod.objects.find(o => o.kind === 'Namespace' && o.metadata.name === pod.namespace);
  return ns?.metadata.labels?.[ENFORCE_LABEL] === 'privileged' && Boolean(pod.annotations[HOST_ACCESS_ANNOTATION]?.trim());
}

/** Whether a RoleBinding of the pod's namespace or a ClusterRoleBinding grants the pod's ServiceAccount a role. */
function serviceAccountIsBound(pod: Pod): boolean {
  const sa = pod.spec.serviceAccountName ?? 'default';
  return pod.objects.some(o => (o.kind === 'ClusterRoleBinding' || (o.kind === 'RoleBinding' && o.metadata.namespace === pod.namespace))
    && (o.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === sa && (s.namespace ?? o.metadata.namespace) === pod.namespace));
}

const ROWS: readonly Row[] = [
  {
    field: 'spec.enableServiceLinks', expected: 'false', scope: 'pod',
    reason: 'peers are found by DNS; one env var per Service of the namespace only leaks topology and can shadow app settings',
    get: t => t.pod.spec.enableServiceLinks, accepts: equals(false), breaks: t => { delete t.pod.spec.enableServiceLinks; },
  },
  {
    field: 'spec.automountServiceAccountToken', expected: 'false, or true only for a ServiceAccount bound by a RoleBinding/ClusterRoleBinding of the output', scope: 'pod',
    reason: 'a token is a credential: only pods that call the API server get one, and only with the role they are granted',
    get: t => t.pod.spec.automountServiceAccountToken,
    accepts: (v, t) => v === false || (v === true && serviceAccountIsBound(t.pod)),
    breaks: t => { t.pod.spec.automountServiceAccountToken = true; },
    breakable: t => !serviceAccountIsBound(t.pod),
  },
  {
    field: 'spec.serviceAccountName', expected: 'a ServiceAccount of the output (never the namespace default)', scope: 'pod',
    reason: 'one account per workload, so RBAC is granted to exactly that workload',
    get: t => t.pod.spec.serviceAccountName,
    accepts: (v, t) => typeof v === 'string' && v !== 'default'
      && t.pod.objects.some(o => o.kind === 'ServiceAccount' && o.metadata.namespace === t.pod.namespace && o.metadata.name === v),
    breaks: t => { delete t.pod.spec.serviceAccountName; },
  },
  {
    field: 'spec.securityContext.seccompProfile.type', expected: 'RuntimeDefault', scope: 'pod',
    reason: 'Pod Security restricted: the container runtime\'s syscall filter',
    get: t => podSc(t).seccompProfile?.type, accepts: equals('RuntimeDefault'), breaks: t => setPodSc(t, { seccompProfile: { type: 'Unconfined' } }),
  },
  {
    field: 'spec.securityContext.runAsNonRoot', expected: 'true (except node agents in a privileged namespace)', scope: 'pod',
    reason: 'Pod Security restricted; only a node agent reading root-owned node files may run as uid 0, without capabilities',
    get: t => podSc(t).runAsNonRoot, accepts: (v, t) => v === true || isPrivilegedNodeAgent(t.pod), breaks: t => setPodSc(t, { runAsNonRoot: false }),
  },
  {
    field: 'spec.securityContext.fsGroupChangePolicy', expected: 'OnRootMismatch (where fsGroup is set)', scope: 'pod',
    reason: 'a recursive chown of a large volume on every start delays the pod for minutes',
    applies: t => podSc(t).fsGroup !== undefined,
    get: t => podSc(t).fsGroupChangePolicy, accepts: equals('OnRootMismatch'), breaks: t => setPodSc(t, { fsGroupChangePolicy: 'Always' }),
  },
  {
    field: 'StatefulSet spec.persistentVolumeClaimRetentionPolicy', expected: '{ whenDeleted: Retain, whenScaled: Retain }', scope: 'pod',
    reason: 'deleting or scaling down a StatefulSet must never delete its data',
    applies: t => t.pod.object.kind === 'StatefulSet',
    get: t => t.pod.object.spec.persistentVolumeClaimRetentionPolicy, accepts: equals({ whenDeleted: 'Retain', whenScaled: 'Retain' }),
    breaks: t => { t.pod.object.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' }; },
  },
  {
    field: 'imagePullPolicy', expected: 'Always or IfNotPresent, set explicitly', scope: 'container',
    reason: 'the default depends on the tag; which one is the environment\'s choice (tested per environment below)',
    get: t => t.container!.imagePullPolicy, accepts: v => v === 'Always' || v === 'IfNotPresent', breaks: t => { delete t.container!.imagePullPolicy; },
  },
  {
    field: 'terminationMessagePolicy', expected: 'FallbackToLogsOnError', scope: 'container',
    reason: 'a crash shows the last log lines in kubectl describe even when the program writes no termination message',
    get: t => t.container!.terminationMessagePolicy, accepts: equals('FallbackToLogsOnError'), breaks: t => { t.container!.terminationMessagePolicy = 'File'; },
  },
  {
    field: 'securityContext.allowPrivilegeEscalation', expected: 'false', scope: 'container',
    reason: 'Pod Security restricted: no setuid binary may gain privileges',
    get: t => sc(t).allowPrivilegeEscalation, accepts: equals(false), breaks: t => setSc(t, { allowPrivilegeEscalation: true }),
  },
  {
    field: 'securityContext.privileged', expected: 'false', scope: 'container',
    reason: 'no container gets the node\'s devices and every capability, node agents included',
    get: t => sc(t).privileged, accepts: equals(false), breaks: t => setSc(t, { privileged: true }),
  },
  {
    field: 'securityContext.capabilities', expected: '{ drop: [ALL] } (nothing added)', scope: 'container',
    reason: 'Pod Security restricted; a non-root process cannot use added capabilities anyway (no ambient set)',
    get: t => sc(t).capabilities, accepts: equals({ drop: ['ALL'] }), breaks: t => setSc(t, { capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }),
  },
  {
    field: 'securityContext.readOnlyRootFilesystem', expected: 'true', scope: 'container',
    reason: 'writable paths are declared emptyDirs or volumes; nothing can alter the image at run time',
    get: t => sc(t).readOnlyRootFilesystem, accepts: equals(true), breaks: t => setSc(t, { readOnlyRootFilesystem: false }),
  },
  {
    field: 'securityContext.runAsNonRoot', expected: 'true (except node agents in a privileged namespace)', scope: 'container',
    reason: 'Pod Security restricted, also when a container overrides the pod identity',
    get: t => sc(t).runAsNonRoot, accepts: (v, t) => v === true || isPrivilegedNodeAgent(t.pod), breaks: t => setSc(t, { runAsNonRoot: false }),
  },
  {
    field: 'securityContext.seccompProfile.type', expected: 'RuntimeDefault', scope: 'container',
    reason: 'explicit per container too, so a pod-level change cannot silently unconfine it',
    get: t => sc(t).seccompProfile?.type, accepts: equals('RuntimeDefault'), breaks: t => setSc(t, { seccompProfile: { type: 'Unconfined' } }),
  },
];

function rowName(row: Row): string {
  return `${row.scope === 'container' ? 'every container ' : ''}${row.field} = ${row.expected}`;
}

/** Every pod template of the object set. */
function podsOf(objects: readonly K8sObject[]): Pod[] {
  return objects.flatMap(o => {
    const tpl = podTemplateOf(o);
    return tpl ? [{ ref: objectRef(o), object: o, spec: tpl.spec, annotations: tpl.metadata.annotations ?? {}, namespace: namespaceOf(o) ?? 'default', objects }] : [];
  });
}

function targetsOf(row: Row, objects: readonly K8sObject[]): Target[] {
  const targets = podsOf(objects).flatMap((pod): Target[] => (row.scope === 'pod'
    ? [{ pod, where: pod.ref }]
    : allContainers(pod.spec).map(ref => ({ pod, container: ref.container, where: `${pod.ref} ${describeContainer(ref)}` }))));
  return targets.filter(t => !row.applies || row.applies(t));
}

/** The violations of one row over an object set: `<where>: <field> is <actual>, expected <expected> (<reason>)`. */
function violations(row: Row, objects: readonly K8sObject[]): string[] {
  return targetsOf(row, objects)
    .filter(t => !row.accepts(row.get(t), t))
    .map(t => `${t.where}: ${row.field} is ${JSON.stringify(row.get(t)) ?? 'unset'}, expected ${row.expected} (${row.reason})`);
}

const RENDERED = Object.fromEntries(ENV_NAMES.map(env => [env, renderCharts(loadEnvironment(env)).flatMap(c => c.objects) as unknown as K8sObject[]]));

describe.each(ENV_NAMES)('hardened defaults of every pod template in %s', env => {
  const objects = RENDERED[env];

  test('the table sees every workload: Deployments, DaemonSets and StatefulSets (and Jobs/CronJobs when any are rendered)', () => {
    const kinds = new Set(podsOf(objects).map(p => p.object.kind));
    for (const kind of ['Deployment', 'DaemonSet', 'StatefulSet']) expect(kinds).toContain(kind);
    const workloads = objects.filter(o => ['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod'].includes(o.kind));
    expect(podsOf(objects).length).toBe(workloads.length);
  });

  test.each(ROWS.map(row => [rowName(row), row.reason, row] as const))('%s, because %s', (_name, _reason, row) => {
    expect(targetsOf(row, objects).length).toBeGreaterThan(0);
    expect(violations(row, objects)).toEqual([]);
  });
});

// ------------------------------------------------------------ each row can fail

/** The first target of a row in any environment (optionally narrowed), for the mutation. */
function firstTarget(row: Row, pick: (t: Target) => boolean = () => true): { env: string; where: string } {
  for (const env of ENV_NAMES) {
    const t = targetsOf(row, RENDERED[env]).find(pick);
    if (t) return { env, where: t.where };
  }
  throw new Error(`no target for ${row.field}`);
}

/** A deep copy of the environment's objects, and the row's target in that copy. */
function brokenCopy(row: Row, env: string, where: string, mutate: (t: Target) => void = row.breaks): K8sObject[] {
  const copy = JSON.parse(JSON.stringify(RENDERED[env])) as K8sObject[];
  const t = targetsOf(row, copy).find(x => x.where === where)!;
  mutate(t);
  return copy;
}

describe('each row reports a mutated copy of one pod (and no other row does)', () => {
  test.each(ROWS.map(row => [rowName(row), row] as const))('%s', (_name, row) => {
    const { env, where } = firstTarget(row, row.breakable);
    const broken = brokenCopy(row, env, where);
    const reported = ROWS.flatMap(r => violations(r, broken).map(v => `${rowName(r)} | ${v}`));
    expect(reported).toEqual([expect.stringMatching(new RegExp(`^${escape(rowName(row))} \\| ${escape(where)}: `))]);
  });

  test('automountServiceAccountToken: a pod that mounts its token is reported once its ServiceAccount loses its (Cluster)RoleBindings', () => {
    const row = ROWS.find(r => r.field === 'spec.automountServiceAccountToken')!;
    const { env, where } = firstTarget(row, t => t.pod.spec.automountServiceAccountToken === true);
    const copy = JSON.parse(JSON.stringify(RENDERED[env])) as K8sObject[];
    const pod = targetsOf(row, copy).find(t => t.where === where)!.pod;
    const unbound = copy.filter(o => !(o.kind.endsWith('RoleBinding')
      && (o.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === pod.spec.serviceAccountName && s.namespace === pod.namespace)));
    expect(violations(row, unbound)).toEqual([expect.stringContaining(`${where}: spec.automountServiceAccountToken is true`)]);
  });

  test('runAsNonRoot: the node-agent exception needs both the privileged namespace and the stated host-access reason', () => {
    const rows = ROWS.filter(r => r.field.endsWith('runAsNonRoot'));
    const agent = podsOf(RENDERED.dev).find(p => p.spec.securityContext?.runAsNonRoot === false);
    expect(agent && isPrivilegedNodeAgent(agent)).toBe(true);
    const withoutReason = JSON.parse(JSON.stringify(RENDERED.dev)) as K8sObject[];
    const o = withoutReason.find(x => objectRef(x) === agent!.ref)!;
    delete podTemplateOf(o)!.metadata.annotations![HOST_ACCESS_ANNOTATION];
    const baseline = JSON.parse(JSON.stringify(RENDERED.dev)) as K8sObject[];
    const ns = baseline.find(x => x.kind === 'Namespace' && x.metadata.name === agent!.namespace)!;
    ns.metadata.labels![ENFORCE_LABEL] = 'baseline';
    for (const broken of [withoutReason, baseline]) {
      for (const row of rows) expect(violations(row, broken)).toEqual(expect.arrayContaining([expect.stringContaining(`${agent!.ref}`)]));
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe.each(ENV_NAMES)('imagePullPolicy in %s', env => {
  test('every container, init containers too, pulls as the environment says (Always in staging and prod)', () => {
    const policy = loadEnvironment(env).imagePullPolicy;
    if (env !== 'dev') expect(policy).toBe('Always');
    const seen = RENDERED[env].flatMap(o => {
      const spec = o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
      return spec ? [...spec.containers, ...(spec.initContainers ?? [])].map((c: any) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${c.name}: ${c.imagePullPolicy}`) : [];
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter(line => !line.endsWith(`: ${policy}`))).toEqual([]);
  });
});
