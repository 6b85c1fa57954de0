import { diffManifests, MASK, objectKey, ManifestDiff } from '../../src/analysis/diff';
import { formatDiffMarkdown, formatDiffText } from '../../src/analysis/diff-format';
import { K8sObject } from '../../src/analysis/objects';

function deployment(): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hasher', namespace: 'dc' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'hasher' } },
      template: {
        metadata: { labels: { app: 'hasher' } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'hasher',
              image: 'hasher:1',
              args: ['--a'],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              ports: [{ name: 'http', containerPort: 80 }],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        },
      },
    },
  };
}

/** Applies `change` to a copy of `o` and diffs the two. */
function diffAfter(o: K8sObject, change: (x: any) => void): ManifestDiff {
  const after = structuredClone(o);
  change(after);
  return diffManifests([o], [after]);
}
const risks = (d: ManifestDiff) => d.objects.flatMap((o) => o.risks.map((r) => `${r.code}: ${r.message}`));
const paths = (d: ManifestDiff) => d.objects.flatMap((o) => o.fields.map((f) => f.path));

describe('diffManifests', () => {
  it('reports nothing for equal sets, whatever the order and API version', () => {
    const cm: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dc' }, data: { a: '1' } };
    expect(diffManifests([deployment(), cm], [cm, deployment()]).objects).toEqual([]);
    const moved = { ...deployment(), apiVersion: 'apps/v1beta2' };
    expect(objectKey(moved)).toBe(objectKey(deployment()));
    expect(diffManifests([deployment()], [moved]).objects.map((o) => o.change)).toEqual(['changed']);
  });

  it('classifies added, removed and changed objects', () => {
    const a: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'dc' }, data: { x: '1' } };
    const b: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'dc' }, data: { x: '1' } };
    const b2 = { ...b, data: { x: '2' } };
    const c: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'dc' } };
    const d = diffManifests([a, b], [b2, c]);
    expect(d.objects.map((o) => `${o.change} ${o.ref}`)).toEqual(['removed ConfigMap dc/a', 'changed ConfigMap dc/b', 'added ConfigMap dc/c']);
    expect(d.objects[1].fields).toEqual([{ path: 'data.x', before: '1', after: '2' }]);
    expect([d.added, d.removed, d.changed]).toEqual([1, 1, 1]);
  });

  it('matches containers, env, ports and volumes by name, not index', () => {
    const d = diffAfter(deployment(), (x) => {
      const spec = x.spec.template.spec;
      spec.containers.unshift({ name: 'sidecar', image: 'side:1' });
      spec.containers[1].env.reverse();
      spec.containers[1].env.find((e: any) => e.name === 'B').value = '3';
      spec.containers[1].image = 'hasher:2';
    });
    expect(paths(d)).toEqual([
      'spec.template.spec.containers[sidecar]',
      'spec.template.spec.containers[hasher].env[B].value',
      'spec.template.spec.containers[hasher].image',
    ]);
    expect(d.objects[0].fields[2]).toEqual({ path: 'spec.template.spec.containers[hasher].image', before: 'hasher:1', after: 'hasher:2' });
  });

  it('compares scalar lists as a whole', () => {
    const d = diffAfter(deployment(), (x) => x.spec.template.spec.containers[0].args.push('--b'));
    expect(d.objects[0].fields).toEqual([{ path: 'spec.template.spec.containers[hasher].args', before: ['--a'], after: ['--a', '--b'] }]);
  });

  it('masks Secret values but shows which keys changed', () => {
    const s: K8sObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'dc' }, data: { user: 'YQ==', pw: 'cGFzcw==' } };
    const d = diffAfter(s, (x) => {
      x.data.pw = 'bmV3';
      x.data.token = 'dA==';
      x.stringData = { extra: 'plain' };
    });
    expect(d.objects[0].fields).toEqual([
      { path: 'data.pw', before: MASK, after: MASK },
      { path: 'data.token', after: MASK },
      { path: 'stringData', after: { extra: MASK } },
    ]);
    const text = formatDiffText(d) + formatDiffMarkdown(d);
    for (const secret of ['cGFzcw==', 'bmV3', 'dA==', 'plain']) expect(text).not.toContain(secret);
  });
});

describe('risk flags', () => {
  it('flags no risk for a harmless change', () => {
    expect(risks(diffAfter(deployment(), (x) => (x.spec.template.spec.containers[0].image = 'hasher:2')))).toEqual([]);
  });

  it('replaced: Deployment selector', () => {
    expect(risks(diffAfter(deployment(), (x) => (x.spec.selector.matchLabels.tier = 'x')))).toEqual([
      'replaced: spec.selector changed: the Deployment will be deleted and recreated',
    ]);
  });

  it.each([
    ['serviceName', (x: any) => (x.spec.serviceName = 'other'), ' (db -> other)'],
    ['podManagementPolicy', (x: any) => (x.spec.podManagementPolicy = 'Parallel'), ' (OrderedReady -> Parallel)'],
    // The claim templates' size and class changes are named: existing claims keep theirs (see diff-risks.test.ts).
    ['volumeClaimTemplates', (x: any) => (x.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'),
      ' (data: storage 1Gi -> 2Gi; existing claims keep their class and size: resize each claim, or move the data to new claims)'],
  ])('replaced: StatefulSet %s', (field, change, values) => {
    const sts: K8sObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'dc' },
      spec: {
        serviceName: 'db',
        podManagementPolicy: 'OrderedReady',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    expect(risks(diffAfter(sts, change))).toEqual([`replaced: spec.${field} changed${values}: the StatefulSet will be deleted and recreated`]);
  });

  it('replaced: Service clusterIP and type, Job template, PVC storage class and access modes', () => {
    const svc: K8sObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'dc' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } };
    expect(risks(diffAfter(svc, (x) => delete x.spec.clusterIP))).toEqual(['replaced: spec.clusterIP changed (None -> unset): the Service may be replaced and get a new cluster IP']);
    expect(risks(diffAfter(svc, (x) => (x.spec.type = 'NodePort')))).toEqual(['replaced: spec.type changed (unset -> NodePort): the Service may be replaced and get a new cluster IP']);
    const job: K8sObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'dc' }, spec: { template: { spec: { containers: [{ name: 'j', image: 'j:1' }] } } } };
    expect(risks(diffAfter(job, (x) => (x.spec.template.spec.containers[0].image = 'j:2')))).toEqual(['replaced: spec.template changed: the Job will be deleted and recreated']);
    const pvc: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p', namespace: 'dc' }, spec: { storageClassName: 'a', accessModes: ['ReadWriteOnce'] } };
    expect(risks(diffAfter(pvc, (x) => (x.spec.storageClassName = 'b')))).toEqual(['replaced: spec.storageClassName changed (a -> b): the PersistentVolumeClaim will be deleted and recreated']);
    expect(risks(diffAfter(pvc, (x) => x.spec.accessModes.push('ReadOnlyMany')))).toEqual(['replaced: spec.accessModes changed: the PersistentVolumeClaim will be deleted and recreated']);
  });

  it('data-loss: removed PVC, PVC template and pod volume', () => {
    const pvc: K8sObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p', namespace: 'dc' }, spec: {} };
    expect(risks(diffManifests([pvc], []))).toEqual(['data-loss: PersistentVolumeClaim removed: its volume may be deleted']);
    expect(risks(diffAfter(deployment(), (x) => x.spec.template.spec.volumes.pop()))).toEqual([
      'data-loss: volume data (persistentVolumeClaim) removed from the pod template',
    ]);
    const sts: K8sObject = {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'dc' },
      spec: { selector: {}, template: { spec: { containers: [] } }, volumeClaimTemplates: [{ metadata: { name: 'data' } }, { metadata: { name: 'wal' } }] },
    };
    expect(risks(diffAfter(sts, (x) => x.spec.volumeClaimTemplates.pop()))).toEqual([
      'replaced: spec.volumeClaimTemplates changed: the StatefulSet will be deleted and recreated',
      'data-loss: volumeClaimTemplate wal removed',
    ]);
  });

  describe('rbac-widened', () => {
    const role: K8sObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
      rules: [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list'] }],
    };
    it.each([
      ['a verb', (x: any) => x.rules[0].verbs.push('delete'), 'rbac-widened: permissions added: delete core/pods, delete core/services'],
      ['a resource', (x: any) => x.rules[0].resources.push('secrets'), 'rbac-widened: permissions added: get core/secrets, list core/secrets'],
      ['an apiGroup', (x: any) => x.rules.push({ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }), 'rbac-widened: permissions added: get apps/deployments'],
      ['a wildcard', (x: any) => (x.rules[0].verbs = ['*']), 'rbac-widened: wildcard permissions added: * core/pods, * core/services'],
    ])('flags %s', (_what, change, expected) => {
      expect(risks(diffAfter(role, change))).toEqual([expected]);
    });
    it('flags lifted resourceNames', () => {
      const limited = structuredClone(role);
      limited.rules[0].resourceNames = ['one'];
      expect(risks(diffManifests([limited], [role]))).toEqual(['rbac-widened: permissions added: get core/pods, list core/pods, get core/services, list core/services']);
    });
    it('flags a new role only when it has wildcards', () => {
      expect(risks(diffManifests([], [role]))).toEqual([]);
      const admin = { ...structuredClone(role), metadata: { name: 'admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
      expect(risks(diffManifests([], [admin]))).toEqual(['rbac-widened: new ClusterRole with wildcard permissions: * */*']);
    });
    it('does not flag narrowing or regrouping the same permissions', () => {
      expect(risks(diffAfter(role, (x) => (x.rules[0].verbs = ['get'])))).toEqual([]);
      expect(risks(diffAfter(role, (x) => (x.rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['services'], verbs: ['list', 'get'] }])))).toEqual([]);
    });
    it('flags new binding subjects and new bindings', () => {
      const rb: K8sObject = {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'dc' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
        subjects: [{ kind: 'ServiceAccount', name: 'a', namespace: 'dc' }],
      };
      expect(risks(diffAfter(rb, (x) => x.subjects.push({ kind: 'ServiceAccount', name: 'b', namespace: 'dc' })))).toEqual(['rbac-widened: Role r granted to new subjects: ServiceAccount dc/b']);
      expect(risks(diffManifests([], [rb]))).toEqual(['rbac-widened: new RoleBinding grants Role r to ServiceAccount dc/a']);
    });
  });

  describe('netpol-loosened', () => {
    const np: K8sObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'dc' },
      spec: {
        podSelector: { matchLabels: { app: 'redis' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'worker' } } }, { podSelector: { matchLabels: { app: 'webui' } } }], ports: [{ port: 6379 }] }],
        egress: [],
      },
    };
    it.each([
      ['a new rule', (x: any) => x.spec.ingress.push({ from: [{ namespaceSelector: {} }] }), 'netpol-loosened: ingress rule 1 admits peers or ports no previous rule admitted'],
      ['a new peer', (x: any) => x.spec.ingress[0].from.push({ podSelector: {} }), 'netpol-loosened: ingress rule 0 admits peers or ports no previous rule admitted'],
      ['dropped ports (= all ports)', (x: any) => delete x.spec.ingress[0].ports, 'netpol-loosened: ingress rule 0 admits peers or ports no previous rule admitted'],
      ['a new egress rule', (x: any) => x.spec.egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }), 'netpol-loosened: egress rule 0 admits peers or ports no previous rule admitted'],
      ['a removed policyType', (x: any) => (x.spec.policyTypes = ['Ingress']), 'netpol-loosened: policyType Egress removed: egress is no longer restricted'],
      ['a changed podSelector', (x: any) => (x.spec.podSelector = { matchLabels: { app: 'other' } }), 'netpol-loosened: podSelector changed: pods no longer selected lose this policy'],
    ])('flags %s', (_what, change, expected) => {
      expect(risks(diffAfter(np, change))).toEqual([expected]);
    });
    it('flags a removed policy but not a tightened one', () => {
      expect(risks(diffManifests([np], []))).toEqual(['netpol-loosened: NetworkPolicy removed: the pods it selected lose its restrictions']);
      expect(risks(diffAfter(np, (x) => x.spec.ingress[0].from.pop()))).toEqual([]);
    });
  });

  describe('security-loosened', () => {
    it.each([
      ['runAsNonRoot', (x: any) => (x.spec.template.spec.securityContext.runAsNonRoot = false), 'container hasher: runAsNonRoot no longer true'],
      ['runAsUser 0', (x: any) => (x.spec.template.spec.securityContext.runAsUser = 0), 'container hasher: runAsUser set to 0 (root)'],
      ['readOnlyRootFilesystem', (x: any) => delete x.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem, 'container hasher: readOnlyRootFilesystem no longer true'],
      ['allowPrivilegeEscalation', (x: any) => (x.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true), 'container hasher: allowPrivilegeEscalation no longer false'],
      ['privileged', (x: any) => (x.spec.template.spec.containers[0].securityContext.privileged = true), 'container hasher: privileged enabled'],
      ['capabilities added', (x: any) => (x.spec.template.spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN']), 'container hasher: capabilities added: NET_ADMIN'],
      ['capabilities not dropped', (x: any) => (x.spec.template.spec.containers[0].securityContext.capabilities.drop = []), 'container hasher: capabilities no longer dropped: ALL'],
      ['seccomp', (x: any) => delete x.spec.template.spec.securityContext.seccompProfile, 'container hasher: seccompProfile weakened from RuntimeDefault to unset'],
      ['hostNetwork', (x: any) => (x.spec.template.spec.hostNetwork = true), 'hostNetwork enabled'],
      ['hostPID', (x: any) => (x.spec.template.spec.hostPID = true), 'hostPID enabled'],
      ['hostPath', (x: any) => x.spec.template.spec.volumes.push({ name: 'logs', hostPath: { path: '/var/log' } }), 'hostPath volume logs added'],
      ['hostPort', (x: any) => (x.spec.template.spec.containers[0].ports[0].hostPort = 80), 'container hasher: hostPort 80 added'],
    ])('flags %s', (_what, change, expected) => {
      expect(risks(diffAfter(deployment(), change))).toEqual([`security-loosened: ${expected}`]);
    });
    it('does not flag a container-level setting replacing the pod-level one', () => {
      expect(risks(diffAfter(deployment(), (x) => {
        delete x.spec.template.spec.securityContext.seccompProfile;
        x.spec.template.spec.containers[0].securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p' };
      }))).toEqual([]);
    });
    it('flags a lowered namespace enforce level', () => {
      const ns: K8sObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dc', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
      expect(risks(diffAfter(ns, (x) => (x.metadata.labels['pod-security.kubernetes.io/enforce'] = 'privileged')))).toEqual([
        'security-loosened: Pod Security enforce level lowered from restricted to privileged',
      ]);
    });
  });

  it('scale-to-zero: replicas dropping to 0, including from the default of 1', () => {
    expect(risks(diffAfter(deployment(), (x) => (x.spec.replicas = 0)))).toEqual(['scale-to-zero: replicas drop from 2 to 0']);
    const noReplicas = structuredClone(deployment());
    delete noReplicas.spec.replicas;
    expect(risks(diffAfter(noReplicas, (x) => (x.spec.replicas = 0)))).toEqual(['scale-to-zero: replicas drop from 1 to 0']);
    expect(risks(diffAfter(deployment(), (x) => (x.spec.replicas = 1)))).toEqual([]);
  });
});

describe('formatting', () => {
  const d = diffAfter(deployment(), (x) => {
    x.spec.replicas = 0;
    x.spec.template.spec.containers[0].image = 'hasher:2';
  });

  it('renders text without colour by default and with ANSI colour on request', () => {
    const plain = formatDiffText(d);
    expect(plain).toBe([
      '~ Deployment dc/hasher',
      '    spec.replicas: 2 -> 0',
      '    spec.template.spec.containers[hasher].image: "hasher:1" -> "hasher:2"',
      '    ! [scale-to-zero] replicas drop from 2 to 0',
      '0 added, 0 removed, 1 changed, 1 risk',
      '',
    ].join('\n'));
    expect(plain).not.toMatch(/\x1b\[/);
    expect(formatDiffText(d, { color: true })).toMatch(/\x1b\[33m~ Deployment dc\/hasher\x1b\[0m/);
  });

  it('renders Markdown with risks first and a field table', () => {
    const md = formatDiffMarkdown(d, 'dev vs HEAD');
    expect(md).toContain('## dev vs HEAD');
    expect(md).toContain('- **scale-to-zero** `Deployment dc/hasher`: replicas drop from 2 to 0');
    expect(md).toContain('| `spec.replicas` | `2` | `0` |');
    expect(md.indexOf('### Risks')).toBeLessThan(md.indexOf('### Objects'));
  });

  it('says so when nothing changed', () => {
    expect(formatDiffText(diffManifests([], []))).toBe('no changes\n');
  });
});
