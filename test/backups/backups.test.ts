/**
 * Backups and restore drills (constructs/backups), per requirement, in every
 * environment that enables them (staging: claim target, prod: S3 target):
 * - schedules, retention and run limits are rendered from the config;
 * - pg_dump runs as the least-privilege role (never the superuser), in the
 *   image the server runs; the ConfigMap holds the scripts' files verbatim;
 * - S3 credentials only from the Secret, declared as required secrets;
 * - Consul over HTTPS with the environment CA where it has TLS;
 * - drills are restricted pods with no access to production;
 * - the flow model proves backup jobs reach only their store and target, drills only the target;
 * - the alerts parse with Prometheus' grammar and read kube-state-metrics;
 * - a production environment with data stores and no backups is refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { allowedFlows, Endpoint, NetworkModel } from '../../src/analysis/network';
import type { K8sObject } from '../../src/analysis/objects';
import { ConfigError, ENVIRONMENTS, loadEnvironment, validateEnvironment } from '../../src/config';
import { renderCharts } from '../../src/render';
import { SCRIPT_FILES, SCRIPTS_SOURCE_DIR } from '../../constructs/backups';
import { podSpec, podTemplateMeta, renderObjects, workloads } from '../helpers';
import { metricNames, parseErrors } from '../monitoring/metric-sources';

const WITH_BACKUPS = Object.keys(ENVIRONMENTS).filter(e => (loadEnvironment(e) as any).backups);
const CRONJOBS = ['postgres-backup', 'consul-backup', 'postgres-restore-drill', 'consul-restore-drill'];

test('staging and prod back up (claim and S3), dev does not', () => {
  expect(WITH_BACKUPS.sort()).toEqual(['prod', 'staging']);
  expect((loadEnvironment('staging') as any).backups.target.type).toBe('claim');
  expect((loadEnvironment('prod') as any).backups.target.type).toBe('s3');
});

describe.each(WITH_BACKUPS)('%s', env => {
  const config = loadEnvironment(env) as any;
  const b = config.backups;
  const ns = config.stateful.namespace;
  const objects = renderObjects(env) as K8sObject[];
  const cron = (name: string) => objects.find(o => o.kind === 'CronJob' && o.metadata.name === name) as any;
  const containersOf = (o: any) => [...(podSpec(o).initContainers ?? []), ...podSpec(o).containers];
  const envOf = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('the four CronJobs render with the configured schedules, UTC, one run at a time, deadlines and history', () => {
    for (const name of CRONJOBS) expect([name, cron(name)?.metadata.namespace]).toEqual([name, ns]);
    expect(cron('postgres-backup').spec.schedule).toBe(b.postgres.schedule);
    expect(cron('consul-backup').spec.schedule).toBe(b.consul.schedule);
    expect(cron('postgres-restore-drill').spec.schedule).toBe(b.drills.schedule);
    for (const name of CRONJOBS) {
      const spec = cron(name).spec;
      expect(spec).toMatchObject({ timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: expect.any(Number) });
      expect(spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    }
    expect(cron('postgres-restore-drill').spec.jobTemplate.spec.backoffLimit).toBe(0);
  });

  test('retention: KEEP is the configured count, on the container that prunes (the backup on a claim, the upload on S3)', () => {
    for (const store of ['postgres', 'consul']) {
      const pruner = containersOf(cron(`${store}-backup`)).find((c: any) => envOf(c).KEEP !== '0');
      expect(envOf(pruner).KEEP).toBe(String(b[store].keep));
      expect(pruner.command.join(' ')).toMatch(b.target.type === 's3' ? /s3-upload\.sh$/ : new RegExp(`${store}-backup\\.sh$`));
    }
  });

  test('pg_dump runs as postgres_backup with the backup password, never the superuser, in the image the server runs', () => {
    const c = containersOf(cron('postgres-backup')).find((x: any) => x.name === 'backup');
    const e = envOf(c);
    expect(e.PGUSER).toBe('postgres_backup');
    expect(e.PGPASSWORD).toEqual({ secretKeyRef: { name: 'postgres-backup-auth', key: 'password' } });
    expect(JSON.stringify(cron('postgres-backup'))).not.toContain('postgres-auth');
    const server = objects.find(o => o.kind === 'StatefulSet' && o.metadata.name === 'postgres')!;
    expect(c.image).toBe(podSpec(server).containers[0].image);
    expect(e.PGSSLMODE).toBe(config.certificates.source === 'none' ? 'disable' : 'verify-full');
  });

  test('the setup Job grants pg_read_all_data and nothing more; the scripts ConfigMap holds the script files verbatim', () => {
    const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'backup-scripts') as any;
    for (const f of SCRIPT_FILES) expect([f, cm.data[f]]).toEqual([f, fs.readFileSync(path.join(SCRIPTS_SOURCE_DIR, f), 'utf8')]);
    const sql = cm.data['postgres-backup-role.sql'];
    expect(sql).toMatch(/GRANT pg_read_all_data TO :"role";/);
    expect(sql).toMatch(/NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS/);
    expect(sql).not.toMatch(/GRANT (ALL|pg_write_all_data|INSERT|UPDATE|DELETE)/i);
    for (const f of SCRIPT_FILES.filter(x => x.endsWith('.sh') && x !== 'lib.sh')) expect([f, cm.data[f]]).toEqual([f, expect.stringMatching(/^#!\/bin\/sh\n[\s\S]*\nset -eu\n/)]);
  });

  test('S3 credentials come only from the Secret backups-s3-credentials, declared as required; nothing else names a key', () => {
    const charts = renderCharts(config);
    const declared = charts.flatMap(c => c.secrets ?? []).map(s => s.name);
    const aws = objects.filter(o => o.kind === 'CronJob').flatMap(o => containersOf(o)).filter((c: any) => /aws-cli/.test(c.image));
    if (b.target.type !== 's3') { expect(aws).toEqual([]); expect(declared).not.toContain('backups-s3-credentials'); return; }
    expect(declared).toContain('backups-s3-credentials');
    expect(aws.length).toBe(4);
    for (const c of aws) {
      const e = envOf(c);
      expect(e.AWS_ACCESS_KEY_ID).toEqual({ secretKeyRef: { name: 'backups-s3-credentials', key: 'accessKeyId' } });
      expect(e.AWS_SECRET_ACCESS_KEY).toEqual({ secretKeyRef: { name: 'backups-s3-credentials', key: 'secretAccessKey' } });
      expect(e.AWS_ENDPOINT_URL).toBe(b.target.endpoint);
    }
  });

  test('Consul: the backup uses its own token from a Secret, over HTTPS with the environment CA where there is TLS', () => {
    const c = containersOf(cron('consul-backup')).find((x: any) => x.name === 'backup');
    const e = envOf(c);
    expect(e.CONSUL_HTTP_TOKEN).toEqual({ secretKeyRef: { name: 'consul-backup-token', key: 'token' } });
    const tls = config.certificates.source !== 'none';
    expect(e.CONSUL_HTTP_ADDR).toBe(tls ? `https://consul.${ns}.svc:8501` : `http://consul.${ns}.svc:8500`);
    expect(e.CONSUL_CACERT).toBe(tls ? '/etc/backups/consul-ca/ca.crt' : undefined);
    expect(JSON.stringify(cron('consul-backup'))).not.toContain('consul-management-token');
  });

  test('every backup and drill pod is restricted: non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp', () => {
    for (const name of CRONJOBS) {
      const spec = podSpec(cron(name));
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of containersOf(cron(name))) {
        expect([name, c.name, c.securityContext]).toEqual([name, c.name, expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })]);
      }
    }
  });

  describe('flow model', () => {
    const model = new NetworkModel(objects);
    const flows = allowedFlows(objects);
    const endpoint = (name: string): Endpoint => {
      const w = workloads(objects).find(o => o.metadata.namespace === ns && o.metadata.name === name);
      return { namespace: ns, labels: podTemplateMeta(w).labels, name: `${ns}/${name}` };
    };
    const out = (name: string) => flows.filter(f => f.from !== 'external' && f.from.name === `${ns}/${name}`).map(f => `${f.to.name} ${f.port}`);
    const s3Port = b.target.type === 's3' ? b.target.port : undefined;

    test('backup jobs reach only their store (Postgres 5432 / the Consul API) among all workloads, and outside only the S3 endpoint', () => {
      const api = config.certificates.source === 'none' ? 8500 : 8501;
      expect(out('postgres-backup')).toEqual([`${ns}/postgres 5432`]);
      expect(out('consul-backup')).toEqual([`${ns}/consul ${api}`]);
      for (const name of ['postgres-backup', 'consul-backup']) {
        for (const port of [80, 443, 5432, 8443]) expect([name, port, model.isAllowed({ from: endpoint(name), to: 'external', port })]).toEqual([name, port, port === s3Port]);
      }
    });

    test('drills reach no workload at all, and outside only the S3 endpoint (nothing with a claim)', () => {
      for (const name of ['postgres-restore-drill', 'consul-restore-drill']) {
        expect(out(name)).toEqual([]);
        for (const port of [80, 443]) expect([name, port, model.isAllowed({ from: endpoint(name), to: 'external', port })]).toEqual([name, port, port === s3Port]);
      }
    });

    test('nothing connects to a backup or drill pod', () => {
      expect(flows.filter(f => CRONJOBS.some(n => f.to.name === `${ns}/${n}`))).toEqual([]);
    });
  });

  test('alerts: BackupJobFailed and a BackupNotRecent per CronJob, parsed with Prometheus\' grammar, reading kube-state-metrics series', () => {
    const cm = objects.find(o => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-rules') as any;
    const group = require('yaml').parse(cm.data['backups.rules.yml']).groups[0];
    const alerts = group.rules.map((r: any) => r.alert);
    expect(alerts.filter((a: string) => a === 'BackupJobFailed')).toHaveLength(1);
    expect(alerts.filter((a: string) => a === 'BackupNotRecent')).toHaveLength(4);
    for (const r of group.rules) {
      expect([r.alert, parseErrors(r.expr)]).toEqual([r.alert, []]);
      for (const m of metricNames(r.expr)) expect(m).toMatch(/^(kube_job_failed|kube_job_owner|kube_cronjob_status_last_successful_time|kube_cronjob_created|kubelet_volume_stats_used_bytes|kube_persistentvolumeclaim_resource_requests_storage_bytes)$/);
    }
    const stale = group.rules.filter((r: any) => r.alert === 'BackupNotRecent');
    for (const name of CRONJOBS) expect(stale.some((r: any) => r.expr.includes(`cronjob="${name}"`))).toBe(true);
    expect(stale.find((r: any) => r.expr.includes('cronjob="postgres-backup"')).expr).toContain(`> ${b.postgres.staleAfterHours * 3600}`);
  });
});

describe('validate: a production environment with data stores needs backups', () => {
  const refusal = (overlay: any) => { try { validateEnvironment(overlay); return undefined; } catch (e) { return e as ConfigError; } };

  test('prod without the backups section is refused, naming the environment, each store\'s path and the fix', () => {
    const { backups: _omit, ...withoutBackups } = ENVIRONMENTS.prod as any;
    const e = refusal(withoutBackups);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.message).toMatch(/environment "prod"/);
    const lines = e!.problems.filter(p => /has no backup/.test(p));
    expect(lines).toEqual([
      'stateful.consul: has no backup, and the environment is production (production: true): add backups.consul (e.g. backups: { target: { type: \'s3\', ... }, consul: {} }, docs/stateful.md "Backups and restore drills") or remove stateful.consul',
      'stateful.postgres: has no backup, and the environment is production (production: true): add backups.postgres (e.g. backups: { target: { type: \'s3\', ... }, postgres: {} }, docs/stateful.md "Backups and restore drills") or remove stateful.postgres',
    ]);
  });

  test('a schedule the API server would refuse is refused here, naming the field (shared grammar: constructs/lib/cron-schedule.ts)', () => {
    const prod = ENVIRONMENTS.prod as any;
    const at = (schedule: string) => refusal({ ...prod, backups: { ...prod.backups, postgres: { ...prod.backups.postgres, schedule } } });
    expect(at('0 3 * * 7')!.problems).toEqual(['backups.postgres.schedule: "0 3 * * 7" field day of week "7": 7 is above the maximum 6: a CronJob schedule is five fields (minute hour day-of-month month day-of-week, e.g. "15 2 * * *") or a descriptor (@daily)']);
    for (const bad of ['61 2 * * *', '*/0 * * * *', '15 2 * *', 'TZ=UTC 15 2 * * *']) expect([bad, at(bad)?.problems]).toEqual([bad, [expect.stringMatching(/^backups\.postgres\.schedule: /)]]);
    for (const ok of ['15 2 * * SUN', '@daily', '0 */6 * * *']) expect([ok, at(ok)]).toEqual([ok, undefined]);
  });

  test('a production environment backing up only Postgres is refused for Consul alone; a non-production one is not refused', () => {
    const prod = ENVIRONMENTS.prod as any;
    const e = refusal({ ...prod, backups: { ...prod.backups, consul: undefined } });
    expect(e!.problems.filter(p => /has no backup/.test(p)).map(p => p.split(':')[0])).toEqual(['stateful.consul']);
    const { backups: _omit, ...rest } = prod;
    expect(refusal({ ...rest, production: false })).toBeUndefined();
  });
});
