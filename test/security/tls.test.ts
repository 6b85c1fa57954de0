/**
 * Issue 12, TLS: assertions per requirement on the committed dist/ of every
 * environment with TLS (staging, prod), what dev keeps, the `external`
 * source, and bad inputs. Each test names the requirement it checks.
 */
import * as path from 'path';
import { parse } from 'yaml';
import { loadEnvironment } from '../../src/config';
import { K8sObject, loadManifests } from '../../src/analysis/objects';
import { validateSchema } from '../../src/analysis/schema';
import { validateCertManager } from '../../src/analysis/schema-cert-manager';
import { validateManifests } from '../../src/analysis/validate';
import { renderCharts } from '../../src/render';
import { renderSecrets, secretInventory } from '../../src/secrets';
import { TRAEFIK_PUBLIC_PORTS, TRAEFIK_SHUTDOWN_MARGIN_SECONDS } from '../../constructs/traefik';
import { authorityNames } from '../../constructs/lib/certificates';

const DIST = path.join(__dirname, '..', '..', 'dist');
const TLS_ENVS = ['staging', 'prod'] as const;
const dist = (env: string): K8sObject[] => loadManifests([path.join(DIST, env)]);
const find = (objects: K8sObject[], kind: string, name: string, namespace?: string): any => {
  const o = objects.find(x => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  if (!o) throw new Error(`no ${kind} ${namespace ?? ''}/${name}`);
  return o;
};
const container = (o: any, name: string) => [...o.spec.template.spec.containers, ...(o.spec.template.spec.initContainers ?? [])].find((c: any) => c.name === name);
const env = (c: any, name: string) => c.env?.find((e: any) => e.name === name)?.value;
const volumeSecret = (o: any, mountPath: string, c: any) => {
  const mount = c.volumeMounts.find((m: any) => m.mountPath === mountPath);
  return mount && o.spec.template.spec.volumes.find((v: any) => v.name === mount.name)?.secret;
};
/** A setup Job by its app.kubernetes.io/name (its name carries a hash of the pod template). */
const setupJob = (objects: K8sObject[], name: string, namespace: string): any => {
  const o = objects.find(x => x.kind === 'Job' && x.metadata.namespace === namespace && x.metadata.labels?.['app.kubernetes.io/name'] === name);
  if (!o) throw new Error(`no Job ${namespace}/${name}-*`);
  return o;
};
const certificates = (objects: K8sObject[]) => objects.filter(o => o.kind === 'Certificate');
const certificateFor = (objects: K8sObject[], namespace: string, secretName: string): any => {
  const c = certificates(objects).find(x => x.metadata.namespace === namespace && x.spec.secretName === secretName);
  if (!c) throw new Error(`requirement "every TLS Secret comes from the certificate source": no Certificate writes ${namespace}/${secretName}`);
  return c;
};

describe.each(TLS_ENVS)('%s: TLS from end to end (dist/)', name => {
  const objects = dist(name);
  const config = loadEnvironment(name);
  const traefik = find(objects, 'Deployment', 'traefik', 'traefik');
  const args: string[] = container(traefik, 'traefik').args;
  const dynamic = parse(find(objects, 'ConfigMap', 'traefik-dynamic', 'traefik').data['dynamic.yml']);
  const ingresses = objects.filter(o => o.kind === 'Ingress');

  test('Traefik: port 80 redirects permanently to https on the public port 443', () => {
    expect(args).toEqual(expect.arrayContaining([
      `--entryPoints.web.http.redirections.entryPoint.to=:${TRAEFIK_PUBLIC_PORTS.websecure}`,
      '--entryPoints.web.http.redirections.entryPoint.scheme=https',
      '--entryPoints.web.http.redirections.entryPoint.permanent=true',
    ]));
    // Traefik takes a ":<port>" target literally; an entry point name would redirect to its address port 8443
    // (traefik v3.3.4 pkg/provider/traefik/internal.go getRedirectPort, regexp ^:(\d+)$).
    const to = args.find(a => a.startsWith('--entryPoints.web.http.redirections.entryPoint.to='))!.split('=')[1];
    expect(/^:(\d+)$/.exec(to)?.[1]).toBe('443');
    // The Service publishes 443 to the websecure entry point.
    const svc = find(objects, 'Service', 'traefik', 'traefik');
    expect(svc.spec.ports.find((p: any) => p.port === 443).targetPort).toBe('websecure');
  });

  test('Traefik: HSTS from a file-provider headers middleware, referenced by every Ingress (no CRD)', () => {
    expect(dynamic.http.middlewares.hsts.headers).toEqual({ stsSeconds: config.edge!.traefik.hsts.maxAgeSeconds, stsIncludeSubdomains: false, stsPreload: false });
    expect(config.edge!.traefik.hsts.maxAgeSeconds).toBeGreaterThanOrEqual(31536000);
    expect(args).toContain('--providers.file.filename=/etc/traefik/dynamic/dynamic.yml');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const i of ingresses) expect([i.metadata.name, i.metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares']]).toEqual([i.metadata.name, 'hsts@file']);
    expect(objects.some(o => String(o.apiVersion).startsWith('traefik.io/'))).toBe(false);
  });

  test('Traefik: minimum TLS 1.2 for every TLS router (tls.options.default)', () => {
    expect(dynamic.tls.options.default.minVersion).toBe('VersionTLS12');
  });

  test('Traefik: forwarded headers trusted only from the configured load-balancer sources', () => {
    const trusted = config.edge!.traefik.forwardedHeaders.trustedIPs;
    expect(trusted.length).toBeGreaterThan(0);
    for (const ep of ['web', 'websecure']) expect(args).toContain(`--entryPoints.${ep}.forwardedHeaders.trustedIPs=${trusted.join(',')}`);
    expect(args.some(a => /forwardedHeaders\.insecure/.test(a))).toBe(false);
  });

  test('Traefik: shutdown timeouts fit the termination grace period (accept + grace + margin = terminationGracePeriodSeconds)', () => {
    const grace = traefik.spec.template.spec.terminationGracePeriodSeconds;
    expect(grace).toBe(config.edge!.traefik.shutdown.terminationGracePeriodSeconds);
    for (const ep of ['traefik', 'web', 'websecure', 'metrics']) {
      const seconds = (opt: string) => Number(/=(\d+)s$/.exec(args.find(a => a.startsWith(`--entryPoints.${ep}.transport.lifeCycle.${opt}=`))!)![1]);
      expect([ep, seconds('requestAcceptGraceTimeout') + seconds('graceTimeOut') + TRAEFIK_SHUTDOWN_MARGIN_SECONDS]).toEqual([ep, grace]);
    }
  });

  test('certificates: every Ingress host is in spec.tls, with a Certificate from the source covering it', () => {
    for (const i of ingresses) {
      for (const rule of i.spec.rules) {
        const tls = (i.spec.tls ?? []).find((t: any) => t.hosts.includes(rule.host));
        expect([rule.host, tls !== undefined]).toEqual([rule.host, true]);
        const cert = certificateFor(objects, i.metadata.namespace!, tls.secretName);
        expect(cert.spec.dnsNames).toContain(rule.host);
        expect(cert.spec.usages).toContain('server auth');
        const ingressIssuer = config.certificates.source === 'cert-manager' && config.certificates.ingressIssuer.type === 'cluster-issuer'
          ? config.certificates.ingressIssuer.name : authorityNames(name).ca;
        expect(cert.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: ingressIssuer });
      }
    }
  });

  test('certificates: Issuers and Certificates are schema-valid cert-manager.io/v1 and name issuers that exist', () => {
    const kinds = objects.filter(o => o.apiVersion === 'cert-manager.io/v1');
    expect(kinds.length).toBeGreaterThan(3);
    for (const o of kinds) expect([o.kind, o.metadata.name, validateSchema(o)]).toEqual([o.kind, o.metadata.name, []]);
    const issuers = new Set(objects.filter(o => o.kind === 'ClusterIssuer').map(o => o.metadata.name));
    const external = config.certificates.source === 'cert-manager' && config.certificates.ingressIssuer.type === 'cluster-issuer' ? [config.certificates.ingressIssuer.name] : [];
    for (const c of certificates(objects)) expect([c.metadata.name, issuers.has(c.spec.issuerRef.name) || external.includes(c.spec.issuerRef.name)]).toEqual([c.metadata.name, true]);
    // The CA chain: self-signed -> CA Certificate (isCA) -> CA ClusterIssuer reading its Secret.
    const names = authorityNames(name);
    const ca = find(objects, 'Certificate', names.ca, 'cert-manager');
    expect([ca.spec.isCA, ca.spec.issuerRef.name, find(objects, 'ClusterIssuer', names.ca).spec.ca.secretName]).toEqual([true, names.selfSigned, ca.spec.secretName]);
    expect(find(objects, 'ClusterIssuer', names.selfSigned).spec).toEqual({ selfSigned: {} });
  });

  test('nothing secret is rendered: no Secret object, no private key in any manifest', () => {
    expect(objects.filter(o => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
  });

  test('Elasticsearch: HTTPS in the cluster; its certificate names the Service clients use; readiness over verified https', () => {
    const settings = parse(find(objects, 'ConfigMap', 'elasticsearch-config', 'logging').data['elasticsearch.yml']);
    expect(settings['xpack.security.http.ssl.enabled']).toBe('true');
    expect(settings['xpack.security.http.ssl.certificate_authorities']).toBe('certs/ca.crt');
    const es = find(objects, 'StatefulSet', 'elasticsearch', 'logging');
    const secret = volumeSecret(es, '/usr/share/elasticsearch/config/certs', container(es, 'elasticsearch'));
    const cert = certificateFor(objects, 'logging', secret.secretName);
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(['elasticsearch.logging.svc', '*.elasticsearch-headless.logging.svc']));
    const readiness = container(es, 'elasticsearch').readinessProbe.exec.command.join(' ');
    expect(readiness).toMatch(/--cacert \S+ca\.crt --resolve elasticsearch\.logging\.svc:9200:127\.0\.0\.1 "https:\/\/elasticsearch\.logging\.svc:9200/);
  });

  test('Kibana, and the setup Job that sets its password, verify Elasticsearch against the CA (elasticsearch.ssl.certificateAuthorities, full; curl --cacert)', () => {
    const kibana = find(objects, 'Deployment', 'kibana', 'logging');
    const main = container(kibana, 'kibana');
    expect(env(main, 'ELASTICSEARCH_HOSTS')).toBe('https://elasticsearch.logging.svc:9200');
    expect(env(main, 'ELASTICSEARCH_SSL_VERIFICATIONMODE')).toBe('full');
    const caFile = env(main, 'ELASTICSEARCH_SSL_CERTIFICATEAUTHORITIES');
    const source = volumeSecret(kibana, path.dirname(caFile), main);
    expect(source.items).toEqual([{ key: 'ca.crt', path: path.basename(caFile) }]);
    certificateFor(objects, 'logging', source.secretName);
    // Kibana itself never sees the elastic password: the elasticsearch-setup Job sets kibana_system's, over verified https.
    expect(container(kibana, 'setup')).toBeUndefined();
    const job = setupJob(objects, 'elasticsearch-setup', 'logging');
    const setup = container(job, 'setup');
    const jobCa = env(setup, 'ELASTICSEARCH_CA');
    expect(env(setup, 'ELASTICSEARCH_URL')).toBe('https://elasticsearch.logging.svc:9200');
    expect(volumeSecret(job, path.dirname(jobCa), setup)).toEqual(expect.objectContaining({ secretName: source.secretName, items: [{ key: 'ca.crt', path: path.basename(jobCa) }] }));
    const script: string = setup.command.join(' ');
    // Every curl call of the script verifies the server.
    expect((script.match(/\bcurl\b/g) ?? []).length).toBe((script.match(/curl \$\{ELASTICSEARCH_CA:\+--cacert "\$ELASTICSEARCH_CA"\}/g) ?? []).length);
    expect(script).not.toMatch(/--insecure|\s-k\s/);
  });

  test('elasticsearch-exporter: https with --es.ca from the CA of Elasticsearch\'s certificate, setup too', () => {
    const d = find(objects, 'Deployment', 'elasticsearch-exporter', 'logging');
    const c = container(d, 'elasticsearch-exporter');
    expect(c.args).toContain('--es.uri=https://elasticsearch.logging.svc:9200');
    const ca = c.args.find((a: string) => a.startsWith('--es.ca=')).split('=')[1];
    expect(volumeSecret(d, path.dirname(ca), c)).toEqual(expect.objectContaining({ secretName: 'elasticsearch-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] }));
    // The monitoring user is created by its own setup Job, which verifies Elasticsearch with the same CA.
    const job = setupJob(objects, 'elasticsearch-exporter-setup', 'logging');
    const setup = container(job, 'setup');
    expect(env(setup, 'ES_CA')).toBe(ca);
    expect(env(setup, 'ES_URI')).toBe('https://elasticsearch.logging.svc:9200');
    expect(volumeSecret(job, path.dirname(ca), setup)).toEqual(expect.objectContaining({ secretName: 'elasticsearch-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] }));
    expect(container(d, 'setup')).toBeUndefined();
  });

  test('Fluent Bit: es output with tls, tls.verify, tls.verify_hostname and a mounted tls.ca_file', () => {
    const conf: string = find(objects, 'ConfigMap', 'fluent-bit-config', 'node-agents').data['fluent-bit.conf'];
    const output = conf.slice(conf.indexOf('[OUTPUT]'));
    const option = (k: string) => new RegExp(`^\\s+${k.replace('.', '\\.')}\\s+(\\S+)$`, 'm').exec(output)?.[1];
    expect([option('tls'), option('tls.verify'), option('tls.verify_hostname'), option('Host')]).toEqual(['On', 'On', 'On', 'elasticsearch.logging.svc']);
    const ds = find(objects, 'DaemonSet', 'fluent-bit', 'node-agents');
    const secret = volumeSecret(ds, path.dirname(option('tls.ca_file')!), container(ds, 'fluent-bit'));
    expect(certificateFor(objects, 'node-agents', secret.secretName).spec.usages).toContain('client auth');
  });

  test('Consul: RPC with verify_incoming and verify_server_hostname, verify_outgoing, HTTPS API; plain HTTP on the loopback only', () => {
    const server = JSON.parse(find(objects, 'ConfigMap', 'consul-config', 'data').data['server.json']);
    expect(server.tls.internal_rpc).toEqual({ verify_incoming: true, verify_server_hostname: true });
    expect(server.tls.defaults.verify_outgoing).toBe(true);
    expect(server.ports.https).toBe(8501);
    expect(server.addresses.http).toBe('127.0.0.1');
    const sts = find(objects, 'StatefulSet', 'consul', 'data');
    const c = container(sts, 'consul');
    expect(c.ports.map((p: any) => p.containerPort)).not.toContain(8500);
    const secret = volumeSecret(sts, path.dirname(server.tls.defaults.cert_file), c);
    const cert = certificateFor(objects, 'data', secret.secretName);
    // verify_server_hostname checks server.<datacenter>.consul; servers dial each other, so client auth too.
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining([`server.${server.datacenter}.consul`, 'consul.data.svc']));
    expect(cert.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
    // Prometheus scrapes the HTTPS API verifying the certificate for a name it carries.
    const prom = parse(find(objects, 'ConfigMap', 'prometheus-config', 'monitoring').data['prometheus.yml']);
    // Its job (data/consul) also sends the agent:read token: /v1/agent/metrics needs it under default-deny ACLs.
    const job = prom.scrape_configs.find((j: any) => j.job_name === 'data/consul');
    expect([job.scheme, cert.spec.dnsNames.includes(job.tls_config.server_name), job.tls_config.insecure_skip_verify]).toEqual(['https', true, undefined]);
    expect(job.authorization.credentials_file).toMatch(/consul-metrics-token/);
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_pod_container_port_number'], action: 'keep', regex: '8501' });
    // The ACL setup Job uses the HTTPS API of the client Service, verified with the CA (no client certificate: https.verify_incoming false).
    expect(server.tls.https).toEqual({ verify_incoming: false });
    const acl = setupJob(objects, 'consul-acl-setup', 'data');
    const setup = container(acl, 'setup');
    expect(env(setup, 'CONSUL_HTTP_ADDR')).toBe('https://consul.data.svc:8501');
    expect(cert.spec.dnsNames).toContain(new URL(env(setup, 'CONSUL_HTTP_ADDR')).hostname);
    const ca = env(setup, 'CONSUL_CACERT');
    expect(volumeSecret(acl, path.dirname(ca), setup)).toEqual(expect.objectContaining({ secretName: secret.secretName, items: [{ key: 'ca.crt', path: path.basename(ca) }] }));
  });

  test('Postgres: ssl on with a key only postgres can read, scram-sha-256 only, hostssl for every remote client', () => {
    const sts = find(objects, 'StatefulSet', 'postgres', 'data');
    const c = container(sts, 'postgres');
    const settings = Object.fromEntries((c.args as string[]).filter((_, i, a) => a[i - 1] === '-c').map(kv => kv.split('=')));
    expect([settings.ssl, settings.password_encryption, settings.ssl_min_protocol_version]).toEqual(['on', 'scram-sha-256', 'TLSv1.2']);
    const secret = volumeSecret(sts, path.dirname(settings.ssl_key_file), c);
    // Root-owned (secret volume) u=rw,g=r at most, group = fsGroup = the postgres gid (be-secure-common.c).
    const pod = sts.spec.template.spec.securityContext;
    expect([secret.defaultMode, pod.fsGroup]).toEqual([0o640, pod.runAsGroup]);
    expect(certificateFor(objects, 'data', secret.secretName).spec.dnsNames).toContain('postgres.data.svc');
    const hba: string[] = find(objects, 'ConfigMap', 'postgres-hba', 'data').data['pg_hba.conf'].split('\n').filter((l: string) => l.trim() && !l.startsWith('#'));
    expect(settings.hba_file).toBe('/etc/postgresql/hba/pg_hba.conf');
    for (const line of hba) expect(line.trim().split(/\s+/).pop()).toBe('scram-sha-256');
    const remote = hba.filter(l => !/^local\s/.test(l) && !/(127\.0\.0\.1\/32|::1\/128)/.test(l));
    expect(remote.length).toBeGreaterThan(0);
    for (const line of remote) expect(line.split(/\s+/)[0]).toBe('hostssl');
  });

  test('postgres-exporter connects with sslmode=verify-full against the mounted CA', () => {
    const d = find(objects, 'Deployment', 'postgres-exporter', 'data');
    const c = container(d, 'postgres-exporter');
    const uri = new URL(`postgresql://${env(c, 'DATA_SOURCE_URI')}`);
    expect([uri.hostname, uri.searchParams.get('sslmode')]).toEqual(['postgres.data.svc', 'verify-full']);
    const ca = uri.searchParams.get('sslrootcert')!;
    expect(volumeSecret(d, path.dirname(ca), c).items).toEqual([{ key: 'ca.crt', path: 'ca.crt' }]);
  });

  test('the postgres-exporter-setup Job connects with sslmode=verify-full against the mounted CA (hostssl admits nothing else)', () => {
    const job = setupJob(objects, 'postgres-exporter-setup', 'data');
    const c = container(job, 'setup');
    expect([env(c, 'PGHOST'), env(c, 'PGSSLMODE')]).toEqual(['postgres.data.svc', 'verify-full']);
    const ca = env(c, 'PGSSLROOTCERT');
    expect(volumeSecret(job, path.dirname(ca), c)).toEqual(expect.objectContaining({ secretName: 'postgres-tls', items: [{ key: 'ca.crt', path: path.basename(ca) }] }));
  });

  test('SECRETS.md lists every certificate Secret and who issues it', () => {
    const inventory = secretInventory(renderCharts(config));
    const listed = new Set(inventory.filter(s => s.source === 'cert-manager').map(s => `${s.namespace}/${s.name}`));
    for (const c of certificates(objects).filter(x => x.metadata.namespace !== 'cert-manager')) expect(listed).toContain(`${c.metadata.namespace}/${c.spec.secretName}`);
    const md = renderSecrets(name, inventory);
    for (const s of listed) expect(md).toContain(`| ${s.split('/')[0]} | ${s.split('/')[1]} |`);
  });

  test('validate: the environment passes plain-http', () => {
    expect(validateManifests(objects).filter(p => p.rule === 'plain-http')).toEqual([]);
  });
});

describe('dev: no TLS where it has none', () => {
  const objects = dist('dev');
  test('no Certificate, no redirect, plain pg_hba host lines; TLS 1.2 still the minimum of the websecure entry point', () => {
    expect(certificates(objects)).toEqual([]);
    const args: string[] = container(find(objects, 'DaemonSet', 'traefik', 'traefik'), 'traefik').args;
    expect(args.some(a => a.includes('redirections'))).toBe(false);
    expect(parse(find(objects, 'ConfigMap', 'traefik-dynamic', 'traefik').data['dynamic.yml']).tls.options.default.minVersion).toBe('VersionTLS12');
    expect(find(objects, 'ConfigMap', 'postgres-hba', 'data').data['pg_hba.conf']).not.toContain('hostssl');
  });
});

describe('certificates.source external: the same requests, provided outside the model', () => {
  const charts = renderCharts(loadEnvironment('prod', { certificates: { source: 'external' } }));
  const objects = charts.flatMap(c => c.objects);
  const inventory = secretInventory(charts);
  const md = renderSecrets('prod', inventory);

  test('no cert-manager object is rendered', () => {
    expect(objects.filter(o => String(o.apiVersion).startsWith('cert-manager.io'))).toEqual([]);
  });

  test('every certificate Secret is listed with its exact kubectl command (tls for Ingress hosts, with ca.crt for internal endpoints)', () => {
    const external = inventory.filter(s => s.source === 'external');
    expect(external.map(s => `${s.namespace}/${s.name}`).sort()).toEqual([
      'data/consul-tls', 'data/postgres-tls', 'dockercoins/dockercoins-tls', 'logging/elasticsearch-tls', 'logging/kibana-tls', 'monitoring/grafana-tls',
      'monitoring/prometheus-client-tls', 'node-agents/fluent-bit-tls',
    ]);
    expect(md).toContain('kubectl -n dockercoins create secret tls dockercoins-tls --cert=dockercoins-tls.crt --key=dockercoins-tls.key');
    expect(md).toContain('kubectl -n data create secret generic postgres-tls --type=kubernetes.io/tls --from-file=tls.crt=postgres-tls.crt --from-file=tls.key=postgres-tls.key --from-file=ca.crt=ca.crt');
    for (const s of external) expect(md).toContain(` ${s.name} `);
  });

  test('every Secret a pod or an Ingress reads is listed', () => {
    const listed = new Set(inventory.map(s => `${s.namespace}/${s.name}`));
    for (const o of objects) {
      for (const t of o.kind === 'Ingress' ? o.spec.tls ?? [] : []) expect(listed).toContain(`${o.metadata.namespace}/${t.secretName}`);
      for (const v of o.spec?.template?.spec?.volumes ?? []) if (v.secret) expect(listed).toContain(`${o.metadata.namespace}/${v.secret.secretName}`);
    }
  });
});

describe('bad inputs', () => {
  const refused = (env: string, overrides: unknown) => {
    try { loadEnvironment(env, overrides); } catch (e) { return (e as Error).message; }
    throw new Error('accepted');
  };

  test.each([
    ['an unknown certificate source', { certificates: { source: 'vault' } }, 'certificates.source'],
    ['a cert-manager version that is not an exact v1 release', { certificates: { source: 'cert-manager', version: '1.2' } }, 'certificates.version: "1.2" is not an exact cert-manager v1 release'],
    ['renewal no earlier than expiry', { certificates: { source: 'cert-manager', durationHours: 720, renewBeforeHours: 720 } }, 'certificates.renewBeforeHours: 720 must be below durationHours'],
    ['a Consul UI Ingress where the API is HTTPS only', { stateful: { consul: { ui: { host: 'consul.example.com' } } } }, 'stateful.consul.ui: is not available where the environment has TLS'],
    ['a shutdown leaving no time for requests', { edge: { traefik: { shutdown: { terminationGracePeriodSeconds: 20, requestAcceptGraceSeconds: 15 } } } }, 'edge.traefik.shutdown.requestAcceptGraceSeconds: 15 leaves 0 s'],
    ['HSTS preload without includeSubdomains', { edge: { traefik: { hsts: { preload: true } } } }, 'edge.traefik.hsts.preload: needs includeSubdomains true'],
    ['a trusted forwarded-header source that is not a CIDR', { edge: { traefik: { forwardedHeaders: { trustedIPs: ['the-lb'] } } } }, 'edge.traefik.forwardedHeaders.trustedIPs[0]'],
  ])('%s is refused with the field path', (_what, overrides, message) => {
    expect(refused('prod', overrides)).toContain(message);
  });

  test('an unknown field of a certificate source lists that source\'s fields', () => {
    expect(refused('prod', { certificates: { issuer: 'x' } })).toContain('certificates.issuer: unknown field; the fields here are clusterResourceNamespace, durationHours, ingressIssuer, renewBeforeHours, source, version');
  });

  test('an override picking another variant replaces it (no fields of the other source or issuer carry over)', () => {
    expect(loadEnvironment('prod', { certificates: { source: 'external' } }).certificates).toEqual({ source: 'external' });
    const c = loadEnvironment('prod', { certificates: { ingressIssuer: { type: 'internal-ca' } } }).certificates;
    expect(c.source === 'cert-manager' && c.ingressIssuer).toEqual({ type: 'internal-ca' });
  });

  const ingress = (tls: boolean, host = 'a.example.com'): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' },
    spec: { ingressClassName: 'traefik', ...(tls ? { tls: [{ hosts: ['*.example.com'], secretName: 'web-tls' }] } : {}), rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  });
  const plainHttp = (objects: K8sObject[]) => validateManifests(objects).filter(p => p.rule === 'plain-http').map(p => `${p.object}: ${p.message}`);

  test('plain-http: an Ingress host without TLS next to one with TLS is flagged; a wildcard covers one label only', () => {
    const other = { ...ingress(false, 'b.example.com'), metadata: { name: 'other', namespace: 'shop' } };
    expect(plainHttp([ingress(true), other])).toEqual(['Ingress shop/other: rule 0 host "b.example.com" is served over plain HTTP in an environment with TLS: list it in spec.tls with a certificate Secret']);
    expect(plainHttp([ingress(true, 'x.a.example.com')])).toEqual(['Ingress shop/web: rule 0 host "x.a.example.com" is served over plain HTTP in an environment with TLS: list it in spec.tls with a certificate Secret']);
    // No TLS anywhere (dev): plain HTTP is what the environment serves.
    expect(plainHttp([other])).toEqual([]);
  });

  test('plain-http: a published Traefik entry point without a redirect is flagged where the environment has TLS', () => {
    const objects = dist('prod');
    const traefik = JSON.parse(JSON.stringify(find(objects, 'Deployment', 'traefik', 'traefik')));
    const c = container(traefik, 'traefik');
    c.args = c.args.filter((a: string) => !a.includes('redirections'));
    const broken = objects.map(o => (o.kind === 'Deployment' && o.metadata.name === 'traefik' ? traefik : o));
    expect(plainHttp(broken)).toEqual(['Deployment traefik/traefik: container traefik: entry point "web" (port 8000) is published and serves plain HTTP in an environment with TLS: redirect it (--entryPoints.web.http.redirections.entryPoint.to=:443, scheme https) or terminate TLS on it']);
    // A redirect to http is no redirect to TLS.
    c.args = [...c.args, '--entryPoints.web.http.redirections.entryPoint.to=:443', '--entryPoints.web.http.redirections.entryPoint.scheme=http'];
    expect(plainHttp(broken)).toHaveLength(1);
  });

  test('cert-manager schema: unknown fields, enums, required fields, webhook rules', () => {
    const cert = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'n' }, spec });
    const ok = { secretName: 's', dnsNames: ['a.example.com'], issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } };
    expect(validateCertManager(cert(ok))).toEqual([]);
    expect(validateCertManager(cert({ ...ok, dnsName: ['x'] }))).toEqual(['spec.dnsName: unknown field (or not in the subset of the cert-manager cert-manager.io/v1 CRD this repository checks)']);
    expect(validateCertManager(cert({ ...ok, usages: ['server-auth'] }))[0]).toMatch(/^spec\.usages\[0\]: must be one of .*"server auth"/);
    expect(validateCertManager(cert({ secretName: 's', dnsNames: ['a'] }))).toEqual(['spec.issuerRef: required field is missing']);
    expect(validateCertManager(cert({ ...ok, dnsNames: [] }))).toEqual(['spec: at least one of commonName, dnsNames, ipAddresses, uris or emailAddresses must be set']);
    expect(validateCertManager(cert({ ...ok, duration: '720h', renewBefore: '720h' }))).toEqual(['spec.renewBefore: 720h must be shorter than the duration']);
    expect(validateCertManager(cert({ ...ok, duration: '90d' }))).toEqual(['spec.duration: "90d" is not a Go duration (e.g. 2160h, 90m)']);
    expect(validateCertManager(cert({ ...ok, privateKey: { algorithm: 'ECDSA', size: 2048 } }))).toEqual(['spec.privateKey.size: 2048 is not a valid ECDSA key size (256, 384, 521)']);
    const issuer = (spec: unknown, namespace?: string): K8sObject => ({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'i', ...(namespace ? { namespace } : {}) }, spec });
    expect(validateCertManager(issuer({ ca: { secretName: 'x' } }))).toEqual([]);
    expect(validateCertManager(issuer({ ca: {} }))).toEqual(['spec.ca.secretName: required field is missing']);
    expect(validateCertManager(issuer({ ca: { secretName: 'x' }, selfSigned: {} }))).toEqual(['spec: must configure exactly one issuer type, got ca, selfSigned']);
    expect(validateCertManager(issuer({ selfSigned: {} }, 'default'))).toEqual(['metadata.namespace: a ClusterIssuer is cluster-scoped and has no namespace']);
    // Through the repository's schema check (validate's `schema` rule).
    expect(validateSchema(cert({ ...ok, isCA: 'yes' }))).toEqual(['spec.isCA: must be boolean']);
  });
});
