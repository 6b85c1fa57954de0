/**
 * The admission gate agrees with validate. Every CEL expression of the
 * rendered ValidatingAdmissionPolicies is evaluated (test/gates/admission-eval.ts)
 * against:
 *  - the pod of every rendered workload of every environment, through the
 *    binding of its namespace: all admitted, no evaluation error;
 *  - every pod of the bad-input catalogue (test/catalogue/manifests.ts), in a
 *    namespace at the level validate assigns it;
 *  - random pods (fast-check) over the fields the rules read;
 * and for each rule that has CEL the verdict (refused or not) equals
 * validate's for that object. The bad override of test/gates/bad-override.ts
 * is refused by the policy bound to its namespace.
 */
import fc from 'fast-check';
import { admissionPod, calledFunctions, evaluatePolicy } from './admission-eval';
import { withBadOverride, isBadTarget } from './bad-override';
import { BAD_MANIFESTS } from '../catalogue/manifests';
import { ENV_NAMES, renderObjects } from '../helpers';
import { K8sObject, objectRef, parseManifests } from '../../src/analysis/objects';
import { matchesSelector } from '../../src/analysis/network';
import { validateSchema } from '../../src/analysis/schema';
import { namespacePodSecurityLevel, PodSecurityLevel } from '../../src/analysis/pod-security';
import { RuleId, validateManifests } from '../../src/analysis/validate';
import { ADMISSION_VARIABLES, admissionChecks, RULE_TABLE } from '../../constructs/lib/rule-table';
import { NAMESPACE_NAME_LABEL, policyName, policySpec } from '../../constructs/admission';
import {
  HOST_ACCESS_PRIVILEGED_ANNOTATION, HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION, HOST_ACCESS_SYS_ADMIN_ANNOTATION,
} from '../../constructs/lib/host-access-annotations';
import { PROBES_WAIVED_ANNOTATION } from '../../constructs/lib/probe-annotations';

const STRESS = process.env.DOCKERCOINS_STRESS === '1';

/** Rules the table expresses in CEL: the ones whose verdicts must agree. */
const CEL_RULES = RULE_TABLE.filter((r) => 'checks' in r.admission).map((r) => r.id as RuleId);

/**
 * Functions, methods and macros of the Kubernetes CEL environment
 * (https://kubernetes.io/docs/reference/using-api/cel/): the standard
 * definitions and macros, and the strings extension (ext.Strings).
 */
const KUBERNETES_CEL_FUNCTIONS = new Set(['has', 'all', 'exists', 'filter', 'map', 'size', 'type', 'matches', 'startsWith', 'trim', 'split', 'join', 'upperAscii']);

/** The rules validate fails on one object (restricted to the CEL rules). */
function validateVerdict(objects: K8sObject[], o: K8sObject): string[] {
  const ref = objectRef(o);
  return [...new Set(validateManifests(objects, CEL_RULES).filter((p) => p.object === ref).map((p) => p.rule))].sort();
}

/** The rules the policy of `level` refuses the object's pod for. */
function admissionVerdict(o: K8sObject, level: PodSecurityLevel): { rules: string[]; errors: string[]; messages: string[] } {
  const { pod } = admissionPod(o)!;
  const v = evaluatePolicy(policySpec(level), pod);
  expect(v.matched).toBe(true);
  return { rules: [...new Set(v.failures.map((f) => f.rule))].sort(), errors: v.errors, messages: v.failures.map((f) => f.message) };
}

describe('generated CEL', () => {
  const expressions = [
    ...ADMISSION_VARIABLES.map((v) => v.expression),
    ...admissionChecks().flatMap((c) => [c.expression, c.messageExpression ?? 'true']),
    ...(policySpec('restricted').matchConditions ?? []).map((m) => m.expression),
  ];

  test('uses only functions and macros of the Kubernetes CEL environment', () => {
    const used = new Set(expressions.flatMap(calledFunctions));
    expect([...used].filter((f) => !KUBERNETES_CEL_FUNCTIONS.has(f))).toEqual([]);
    // the list above is not vacuous
    expect(used.has('all') && used.has('split') && used.has('trim')).toBe(true);
  });

  test('every check names its rule and reason, and check names are unique within a rule', () => {
    const checks = admissionChecks();
    expect(checks.length).toBeGreaterThan(20);
    const keys = checks.map((c) => `${c.rule}/${c.check}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of checks) {
      expect(c.message.length).toBeGreaterThan(10);
      expect(['Forbidden', 'Invalid']).toContain(c.reason);
    }
    for (const v of policySpec('restricted').validations ?? []) expect(v.message).toMatch(/^\[[a-z-]+\/[a-z-]+\] /);
  });

  test('the privileged policy holds only the project rules; baseline adds the baseline checks; restricted all', () => {
    const rules = (level: PodSecurityLevel) => (policySpec(level).validations ?? []).map((v) => /^\[([^\]]+)\]/.exec(v.message ?? '')![1]);
    expect(rules('privileged').some((r) => r.startsWith('pod-security/'))).toBe(false);
    expect(rules('baseline')).toContain('pod-security/host-namespaces');
    expect(rules('baseline')).not.toContain('pod-security/run-as-non-root');
    expect(rules('restricted')).toEqual(admissionChecks().map((c) => `${c.rule}/${c.check}`));
  });
});

describe.each(ENV_NAMES)('admission in %s', (env) => {
  const objects = renderObjects(env);
  const policies = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
  const bindings = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
  const namespaces = objects.filter((o) => o.kind === 'Namespace');

  test('each namespace of the model has exactly one binding, to the policy of its Pod Security level, denying', () => {
    expect(namespaces.length).toBeGreaterThan(3);
    for (const ns of namespaces) {
      const own = bindings.filter((b) => b.spec.matchResources.namespaceSelector.matchLabels[NAMESPACE_NAME_LABEL] === ns.metadata.name);
      expect(own).toHaveLength(1);
      expect(own[0].spec.policyName).toBe(policyName('dockercoins', namespacePodSecurityLevel(objects, ns.metadata.name)));
      expect(own[0].spec.validationActions).toEqual(['Deny']);
      expect(policies.map((p) => p.metadata.name)).toContain(own[0].spec.policyName);
    }
    // the rest: namespaces the model runs pods in without owning them, bound for those pods only
    const foreign = bindings.filter((b) => !namespaces.some((ns) => ns.metadata.name === b.spec.matchResources.namespaceSelector.matchLabels[NAMESPACE_NAME_LABEL]));
    for (const b of foreign) {
      expect(b.spec.matchResources.objectSelector.matchExpressions).toEqual([{ key: 'app.kubernetes.io/name', operator: 'In', values: expect.any(Array) }]);
      expect(b.spec.policyName).toBe(policyName('dockercoins', 'restricted'));
    }
    expect(bindings).toHaveLength(namespaces.length + foreign.length);
  });

  test('the rendered policies are the table\'s (same validations as policySpec)', () => {
    for (const p of policies) {
      const level = /-pods-(privileged|baseline|restricted)$/.exec(p.metadata.name)![1] as PodSecurityLevel;
      expect(p.spec).toEqual(JSON.parse(JSON.stringify(policySpec(level))));
    }
  });

  test('every rendered pod is admitted by the policy bound to its namespace, with no evaluation error', () => {
    const pods = objects.map(admissionPod).filter((p): p is NonNullable<typeof p> => p !== undefined);
    expect(pods.length).toBeGreaterThan(10);
    for (const { pod, namespace } of pods) {
      const binding = bindings.find((b) => b.spec.matchResources.namespaceSelector.matchLabels[NAMESPACE_NAME_LABEL] === namespace
        && (!b.spec.matchResources.objectSelector || matchesSelector(b.spec.matchResources.objectSelector, pod.metadata.labels ?? {})));
      expect({ pod: objectRef(pod), bound: binding !== undefined }).toEqual({ pod: objectRef(pod), bound: true });
      const policy = policies.find((p) => p.metadata.name === binding!.spec.policyName)!;
      const v = evaluatePolicy(policy.spec, pod);
      expect({ pod: objectRef(pod), failures: v.failures, errors: v.errors }).toEqual({ pod: objectRef(pod), failures: [], errors: [] });
    }
    // and validate agrees (the same verdict: no problem)
    expect(validateManifests(objects, CEL_RULES)).toEqual([]);
  });

  test('the bad override (privileged worker without limits) is refused by the policy bound to its namespace', () => {
    const bad = withBadOverride(objects).find(isBadTarget)!;
    const { pod, namespace } = admissionPod(bad)!;
    const binding = bindings.find((b) => b.spec.matchResources.namespaceSelector.matchLabels[NAMESPACE_NAME_LABEL] === namespace)!;
    const policy = policies.find((p) => p.metadata.name === binding.spec.policyName)!;
    const v = evaluatePolicy(policy.spec, pod);
    expect(v.errors).toEqual([]);
    const checks = v.failures.map((f) => `${f.rule}/${f.check}`);
    expect(checks).toEqual(expect.arrayContaining(['pod-security/privileged', 'host-access/privileged', 'resources/resources']));
    expect(v.failures.find((f) => f.check === 'resources')!.message).toContain('(containers: worker)');
    expect(validateVerdict(withBadOverride(objects), bad)).toEqual(['host-access', 'pod-security', 'resources']);
  });
});

describe('admission agrees with validate on the bad-input catalogue', () => {
  const cases = BAD_MANIFESTS.flatMap((b) => {
    const objects = parseManifests(b.yaml);
    return objects.filter((o) => admissionPod(o) !== undefined).map((o) => [`${b.id}: ${objectRef(o)}`, objects, o] as const);
  });

  test('the catalogue has pods refused by admission for every rule with CEL', () => {
    const refused = new Set(cases.flatMap(([, objects, o]) => admissionVerdict(o, namespacePodSecurityLevel(objects, admissionPod(o)!.namespace)).rules));
    expect(CEL_RULES.filter((r) => !refused.has(r))).toEqual([]);
  });

  test.each(cases)('%s', (_id, objects, o) => {
    const level = namespacePodSecurityLevel(objects, admissionPod(o)!.namespace);
    const cel = admissionVerdict(o, level);
    expect(cel.errors).toEqual([]);
    expect(cel.rules).toEqual(validateVerdict(objects, o));
  });
});

describe('admission agrees with validate on random pods', () => {
  const pick = <T>(...values: T[]) => fc.constantFrom(...values);
  const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

  const capability = pick('ALL', 'NET_BIND_SERVICE', 'CHOWN', 'SYS_ADMIN', 'cap_sys_admin', 'NET_ADMIN', 'KILL');
  const securityContext = fc.record({
    privileged: opt(fc.boolean()),
    allowPrivilegeEscalation: opt(fc.boolean()),
    readOnlyRootFilesystem: opt(fc.boolean()),
    runAsNonRoot: opt(fc.boolean()),
    runAsUser: opt(pick(0, 1000, 65534)),
    runAsGroup: opt(pick(0, 1000)),
    procMount: opt(pick('Default', 'Unmasked')),
    capabilities: opt(fc.record({ add: opt(fc.array(capability, { maxLength: 2 })), drop: opt(fc.array(capability, { maxLength: 2 })) }).map(compact)),
    seccompProfile: opt(fc.record({ type: opt(pick('RuntimeDefault', 'Localhost', 'Unconfined', 'Bogus')) }).map(compact)),
    seLinuxOptions: opt(fc.record({ type: opt(pick('container_t', 'spc_t', '')), user: opt(pick('', 'root')) }).map(compact)),
    appArmorProfile: opt(fc.record({ type: pick('RuntimeDefault', 'Unconfined', 'Localhost') })),
    windowsOptions: opt(fc.record({ hostProcess: fc.boolean() })),
  }).map(compact);
  const probe = pick({ httpGet: { path: '/', port: 'http' } }, { httpGet: { path: '/', port: 'metrics' } }, { tcpSocket: { port: 8080 } }, { tcpSocket: { port: 'web' } }, { exec: { command: ['true'] } });
  const quantity = pick<string | number>('100m', '64Mi', '1', 1, '');
  const resources = fc.record({
    requests: opt(fc.record({ cpu: opt(quantity), memory: opt(quantity) }).map(compact)),
    limits: opt(fc.record({ cpu: opt(quantity), memory: opt(quantity) }).map(compact)),
  }).map(compact);
  const image = pick('nginx', 'nginx:latest', 'nginx:1.27', 'registry:5000/nginx', 'registry:5000/nginx:2', 'nginx@sha256:abc', 'nginx:latest@sha256:abc', 'nginx:1.2@', 'nginx:latest@', 'nginx:', '');
  const container = (name: string) => fc.record({
    name: fc.constant(name),
    image: opt(image),
    ports: opt(fc.array(fc.record({ name: pick('http', 'metrics'), containerPort: pick(8080, 9090), hostPort: opt(pick(0, 80)) }).map(compact), { maxLength: 2 })),
    securityContext: opt(securityContext),
    resources: opt(resources),
    readinessProbe: opt(probe),
    livenessProbe: opt(probe),
    startupProbe: opt(probe),
  }).map(compact);
  const hostPath = pick('/var/log', '/var/run/docker.sock', '/run/', '/run//containerd', '//', '/', 'docker.sock', '/var/lib/./kubelet', '/var/log/../run', '/run/k3s', '/opt/crio.sock/');
  const volume = fc.oneof(
    fc.record({ name: pick('a', 'b'), hostPath: fc.record({ path: hostPath }) }),
    fc.record({ name: pick('c'), emptyDir: fc.constant({}) }),
    fc.record({ name: pick('d'), nfs: fc.constant({ server: 'nfs', path: '/' }) }),
  );
  const annotations = fc.record({
    [PROBES_WAIVED_ANNOTATION]: opt(pick('', '  ', 'batch worker')),
    [HOST_ACCESS_PRIVILEGED_ANNOTATION]: opt(pick('', 'node agent')),
    [HOST_ACCESS_SYS_ADMIN_ANNOTATION]: opt(pick('', 'mounts')),
    [HOST_ACCESS_RUNTIME_SOCKET_ANNOTATION]: opt(pick(' ', 'log collector reads container metadata')),
    'container.apparmor.security.beta.kubernetes.io/app': opt(pick('runtime/default', 'unconfined', 'localhost/x')),
  }).map(compact);
  const pod = fc.record({
    kind: pick('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'),
    level: pick<PodSecurityLevel>('privileged', 'baseline', 'restricted'),
    annotations,
    spec: fc.record({
      hostNetwork: opt(fc.boolean()),
      hostPID: opt(fc.boolean()),
      os: opt(pick({ name: 'windows' }, { name: 'linux' })),
      securityContext: opt(fc.record({
        runAsNonRoot: opt(fc.boolean()),
        runAsUser: opt(pick(0, 1000)),
        runAsGroup: opt(pick(1000)),
        seccompProfile: opt(fc.record({ type: pick('RuntimeDefault', 'Unconfined', 'Localhost', 'Bogus') })),
        sysctls: opt(fc.array(fc.record({ name: pick('net.ipv4.tcp_syncookies', 'kernel.msgmax'), value: fc.constant('1') }), { maxLength: 1 })),
        seLinuxOptions: opt(fc.record({ role: pick('', 'sysadm_r') })),
      }).map(compact)),
      containers: fc.tuple(container('app'), opt(container('sidecar'))).map(([a, b]) => (b ? [a, b] : [a])),
      initContainers: opt(fc.tuple(container('init')).map((t) => [...t])),
      ephemeralContainers: opt(fc.tuple(container('debug')).map(([c]) => [{ name: c.name, ...(c.image !== undefined ? { image: c.image } : {}), ...(c.securityContext ? { securityContext: c.securityContext } : {}) }])),
      volumes: opt(fc.array(volume, { maxLength: 2 })),
    }).map(compact),
  });

  /** A pod that passes every rule at every level, and single-field changes of it: the cases near the boundary. */
  const GOOD_CONTAINER = {
    name: 'app', image: 'shop/app:1.0', ports: [{ name: 'http', containerPort: 8080 }],
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/', port: 'http' } }, livenessProbe: { httpGet: { path: '/', port: 'http' } },
  };
  const GOOD_SPEC = { securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } }, containers: [GOOD_CONTAINER] };
  const change = fc.record({ where: pick('container', 'pod', 'annotations'), key: pick(
    'privileged', 'allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'runAsNonRoot', 'runAsUser', 'runAsGroup', 'image', 'resources', 'readinessProbe',
    'livenessProbe', 'capabilities', 'seccompProfile', 'hostNetwork', 'volumes', 'procMount', PROBES_WAIVED_ANNOTATION, HOST_ACCESS_PRIVILEGED_ANNOTATION,
  ), value: fc.oneof(pick<unknown>(undefined, true, false, 0, 1000, '', ' ', 'reason', 'nginx:latest', 'nginx@sha256:x', { add: ['SYS_ADMIN'] }, { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
    { type: 'Unconfined' }, { requests: { cpu: '1' } }, [{ name: 'h', hostPath: { path: '/run' } }], { tcpSocket: { port: 'nope' } }), securityContext.map((x) => x as unknown)) });
  const nearGood = fc.record({
    kind: pick('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod'),
    level: pick<PodSecurityLevel>('privileged', 'baseline', 'restricted'),
    changes: fc.array(change, { maxLength: 2 }),
  }).map(({ kind, level, changes }) => {
    const spec: any = JSON.parse(JSON.stringify(GOOD_SPEC));
    const annotations: Record<string, unknown> = {};
    for (const { where, key, value } of changes) {
      const target = where === 'annotations' ? annotations : where === 'pod' ? (['hostNetwork', 'volumes'].includes(key) ? spec : spec.securityContext)
        : (['image', 'resources', 'readinessProbe', 'livenessProbe'].includes(key) ? spec.containers[0] : spec.containers[0].securityContext);
      if (value === undefined) delete target[key];
      else target[key] = where === 'annotations' ? String(value) : value;
    }
    return { kind, level, annotations, spec };
  });

  /** The workload and the Namespace at its level, as validate reads them. */
  function objectsOf(p: any): { objects: K8sObject[]; o: K8sObject } {
    const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': p.level } } };
    const template = { metadata: { labels: { app: 'x' }, annotations: p.annotations }, spec: p.spec };
    const apiVersion = p.kind === 'Pod' ? 'v1' : p.kind === 'Job' || p.kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
    const spec = p.kind === 'Pod' ? undefined : p.kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: 'x' } }, template };
    const o: K8sObject = p.kind === 'Pod'
      ? { apiVersion, kind: 'Pod', metadata: { name: 'x', namespace: 'shop', ...template.metadata }, spec: p.spec }
      : { apiVersion, kind: p.kind, metadata: { name: 'x', namespace: 'shop' }, spec };
    return { objects: [ns, o], o };
  }

  test('every rule with CEL: refused by admission exactly when validate fails it', () => {
    let admitted = 0;
    const refusedBy = new Map<string, number>();
    fc.assert(fc.property(fc.oneof(pod, nearGood), (p) => {
      const { objects, o } = objectsOf(p);
      // Only objects the API server accepts reach admission: compare on schema-valid ones.
      fc.pre(validateSchema(o).length === 0);
      const cel = admissionVerdict(o, p.level);
      if (cel.rules.length === 0) admitted++;
      for (const r of cel.rules) refusedBy.set(r, (refusedBy.get(r) ?? 0) + 1);
      expect(cel.errors).toEqual([]);
      expect(cel.rules).toEqual(validateVerdict(objects, o));
    }), { numRuns: STRESS ? 5000 : 400 });
    // not vacuous: every rule refused some pods, and some pods passed every rule
    expect(CEL_RULES.filter((r) => !refusedBy.has(r))).toEqual([]);
    expect(admitted).toBeGreaterThan(0);
  });
});

describe('admission requests', () => {
  const pod = admissionPod(renderObjects('dev').find((o) => o.kind === 'Deployment')!)!.pod;

  test('a metadata-only update of a running pod is not re-judged; a spec change is', () => {
    const old = JSON.parse(JSON.stringify(pod));
    const relabelled = { ...old, metadata: { ...old.metadata, labels: { ...old.metadata.labels, extra: 'x' } } };
    expect(evaluatePolicy(policySpec('restricted'), relabelled, { operation: 'UPDATE', oldObject: old }).matched).toBe(false);
    const bad = JSON.parse(JSON.stringify(old));
    bad.spec.containers[0].image = 'nginx:latest';
    const v = evaluatePolicy(policySpec('restricted'), bad, { operation: 'UPDATE', oldObject: old });
    expect(v.matched).toBe(true);
    expect(v.failures.map((f) => f.check)).toEqual(['image-tag']);
  });
});
