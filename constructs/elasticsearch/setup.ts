import { Construct } from 'constructs';
import { ELASTICSEARCH_S3_CLIENT, ELASTICSEARCH_SNAPSHOTS_DIR } from '.';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity, selectorLabels } from '../lib/labels';
import { PeerSpec } from '../lib/network';
import { ContainerResources, ImageRef } from '../lib/types';
import { SetupJob } from '../lib/setup-job';
import { HardenedPod, secretEnv } from '../lib/workload';

/** A Secret key (the Secret exists in the Job's namespace; never rendered). */
export interface SecretKey { readonly name: string; readonly key: string }

/** An Elasticsearch user the setup Job creates, with the role it gets. */
export interface WriterUser {
  /** User name, e.g. `fluent-bit`. */
  readonly username: string;
  /** Its password (letters, digits and `-._~`: it is sent in a JSON body). */
  readonly password: SecretKey;
  /** Role name, e.g. `fluent-bit-writer`. */
  readonly role: string;
  /** Index patterns the role may create documents in, e.g. `kubernetes-*`. */
  readonly indices: readonly string[];
}

/** The index lifecycle of the log indices: deleted `retention` after their creation. */
export interface LogLifecycle {
  /** Name of the ILM policy and of the index template that attaches it, e.g. `kubernetes-logs`. */
  readonly name: string;
  /** Index patterns of the log indices, e.g. `kubernetes-*` (the indices Fluent Bit writes). */
  readonly indices: readonly string[];
  /** Elasticsearch time value, e.g. `7d`. */
  readonly retention: string;
}

/** The snapshot repository and the lifecycle policy that fills it. */
export interface SnapshotLifecycle {
  /** Repository name (`PUT _snapshot/<repository>`). */
  readonly repository: string;
  readonly type: { readonly type: 'fs' } | { readonly type: 's3'; readonly bucket: string; readonly basePath?: string };
  /** SLM policy name (`PUT _slm/policy/<policy>`). */
  readonly policy: string;
  /** SLM cron (UTC). */
  readonly schedule: string;
  readonly retention: { readonly expireAfter: string; readonly minCount: number; readonly maxCount: number };
  /** Indices each snapshot holds, e.g. `kubernetes-*`. */
  readonly indices: readonly string[];
}

export interface ElasticsearchSetupProps {
  readonly instance: string;
  readonly namespace: string;
  /** The Elasticsearch image (it has sh and curl). */
  readonly image: ImageRef;
  readonly version: string;
  readonly resources: ContainerResources;
  /** URL of the cluster, e.g. `http://elasticsearch.logging.svc:9200` (https where the environment has TLS). */
  readonly url: string;
  /**
   * Secret (same namespace) whose `ca.crt` signs Elasticsearch's certificate:
   * only that key is mounted and every curl call verifies the server (chain
   * and host name) with `--cacert`. @default - plain HTTP (`url` is http://)
   */
  readonly caSecret?: string;
  /** The Elasticsearch pods and HTTP port, for the egress rule. */
  readonly elasticsearch: { readonly peer: PeerSpec; readonly port: number };
  /** The `elastic` superuser's password (only this Job and the nodes read it). */
  readonly superuserPassword: SecretKey;
  /** The password Kibana connects with as the built-in `kibana_system`. */
  readonly kibanaSystemPassword: SecretKey;
  /** Users that may only create documents. */
  readonly writers: readonly WriterUser[];
  /** The log indices' lifecycle (ILM policy and index template). */
  readonly lifecycle: LogLifecycle;
  /** Snapshot repository and policy. @default - none */
  readonly snapshots?: SnapshotLifecycle;
}

/** `app.kubernetes.io/name` of the setup Job's pods. */
export const ELASTICSEARCH_SETUP_NAME = 'elasticsearch-setup';
export const elasticsearchSetupPods = (instance: string) => selectorLabels({ name: ELASTICSEARCH_SETUP_NAME, instance });

/**
 * Index privileges of a log writer, the least Fluent Bit's `es` output needs:
 * it sends `_bulk` requests whose actions are `create` with an id
 * (`Write_Operation create`, `Generate_ID On`) to daily indices that do not
 * exist yet. Elasticsearch's index API documents (docs-index_.html,
 * "Prerequisites"): adding a document with `_create/<_id>` needs `create_doc`
 * (or create, index, write), and automatically creating the index with that
 * request needs `auto_configure` (or create_index, manage). `create_doc`
 * cannot overwrite or delete a document, read, or change settings;
 * `auto_configure` cannot create an index explicitly or delete one.
 */
export const WRITER_INDEX_PRIVILEGES = ['create_doc', 'auto_configure'] as const;

/** Passwords go into JSON bodies unescaped: only these characters are accepted (openssl rand -hex/-base64url output). */
const SAFE_PASSWORD = "''|*[!A-Za-z0-9._~-]*";

/** The role body of a writer (`PUT /_security/role/<role>`): no cluster privilege, document creation on its indices only. */
export function writerRole(w: Pick<WriterUser, 'indices'>): object {
  return { cluster: [], indices: [{ names: [...w.indices], privileges: [...WRITER_INDEX_PRIVILEGES], allow_restricted_indices: false }] };
}

/**
 * The ILM policy of the log indices (`PUT _ilm/policy/<name>`, Elasticsearch's
 * "Create or update lifecycle policy"): a hot phase with no action and a
 * delete phase at `retention`. Fluent Bit writes daily indices that are never
 * rolled over, so `min_age` counts from each index's creation (ILM "Lifecycle
 * phases": without rollover, from the index creation date).
 */
export function ilmPolicy(retention: string): object {
  return { policy: { _meta: { managed_by: ELASTICSEARCH_SETUP_NAME }, phases: { hot: { min_age: '0ms', actions: {} }, delete: { min_age: retention, actions: { delete: {} } } } } };
}

/**
 * The composable index template (`PUT _index_template/<name>`) that attaches
 * the policy to every new log index (`index.lifecycle.name`). Priority 200:
 * above Elasticsearch's built-in templates (priority 100, `logs-*-*` and the
 * like), so a pattern overlap could never drop the policy.
 */
export function logIndexTemplate(l: Pick<LogLifecycle, 'name' | 'indices'>): object {
  return { index_patterns: [...l.indices], priority: 200, template: { settings: { 'index.lifecycle.name': l.name } }, _meta: { managed_by: ELASTICSEARCH_SETUP_NAME } };
}

/**
 * The repository (`PUT _snapshot/<name>`): `fs` at the shared mount (its
 * `location` must be below `path.repo`), or `s3` with the `default` client
 * whose endpoint is in elasticsearch.yml and keys in the keystore. The PUT
 * verifies the repository on every master and data node (`verify` defaults
 * to true), so a path that is not shared fails the Job.
 */
export function snapshotRepository(t: SnapshotLifecycle['type']): object {
  if (t.type === 'fs') return { type: 'fs', settings: { location: ELASTICSEARCH_SNAPSHOTS_DIR } };
  return { type: 's3', settings: { bucket: t.bucket, client: ELASTICSEARCH_S3_CLIENT, ...(t.basePath ? { base_path: t.basePath } : {}) } };
}

/**
 * The SLM policy (`PUT _slm/policy/<name>`): snapshots of the log indices on
 * `schedule`, named `<logs-{now/d}>` (date math; SLM appends a unique
 * suffix), without the cluster state (users and roles are the setup Job's to
 * recreate), deleted by SLM retention after `expireAfter` within min/max count.
 */
export function slmPolicy(s: SnapshotLifecycle): object {
  return {
    schedule: s.schedule,
    name: '<logs-{now/d}>',
    repository: s.repository,
    config: { indices: [...s.indices], include_global_state: false, ignore_unavailable: true },
    retention: { expire_after: s.retention.expireAfter, min_count: s.retention.minCount, max_count: s.retention.maxCount },
  };
}

const envName = (username: string) => `${username.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_PASSWORD`;

/**
 * The setup script: waits until the `elastic` user authenticates, then sets
 * the `kibana_system` password, creates or updates each writer role (PUT
 * replaces the role) and each user with its password and roles (PUT creates
 * or updates). Every call is idempotent, so the Job may run again at any time.
 */
export function elasticsearchSetupScript(writers: readonly WriterUser[], lifecycle?: LogLifecycle, snapshots?: SnapshotLifecycle): string {
  const passwords = ['KIBANA_SYSTEM_PASSWORD', ...writers.map(w => envName(w.username))];
  const json = (o: object) => JSON.stringify(o).replace(/'/g, "'\\''");
  return [
    'set -eu',
    `for v in ${passwords.join(' ')}; do`,
    '  eval "value=\\${$v}"',
    `  case "$value" in ${SAFE_PASSWORD}) echo "$v must be non-empty and only letters, digits and - . _ ~ (it goes into a JSON body)" >&2; exit 1;; esac`,
    'done',
    'call() {',
    '  curl ${ELASTICSEARCH_CA:+--cacert "$ELASTICSEARCH_CA"} --silent --show-error --max-time 10 --output /tmp/response --write-out \'%{http_code}\' \\',
    '    -u "elastic:${ELASTIC_PASSWORD}" -H \'Content-Type: application/json\' -X "$1" "${ELASTICSEARCH_URL}$2" --data-binary "$3" || echo 000',
    '}',
    'step() {',
    '  code=$(call "$2" "$3" "$4")',
    '  case "$code" in 200|201) echo "$1: done" ;; *) echo "$1: HTTP $code: $(cat /tmp/response 2>/dev/null)" >&2; exit 1 ;; esac',
    '}',
    'i=0',
    'until [ "$(curl ${ELASTICSEARCH_CA:+--cacert "$ELASTICSEARCH_CA"} --silent --output /dev/null --write-out \'%{http_code}\' --max-time 10 -u "elastic:${ELASTIC_PASSWORD}" "${ELASTICSEARCH_URL}/_security/_authenticate" || echo 000)" = 200 ]; do',
    '  i=$((i + 1)); [ "$i" -le 120 ] || { echo "Elasticsearch did not authenticate elastic in 10 minutes" >&2; exit 1; }',
    '  echo "waiting for Elasticsearch"; sleep 5',
    'done',
    'step "kibana_system password" POST /_security/user/kibana_system/_password "{\\"password\\":\\"${KIBANA_SYSTEM_PASSWORD}\\"}"',
    ...writers.flatMap(w => [
      `step "role ${w.role}" PUT /_security/role/${w.role} '${json(writerRole(w))}'`,
      `step "user ${w.username}" PUT /_security/user/${w.username} "{\\"password\\":\\"\${${envName(w.username)}}\\",\\"roles\\":[\\"${w.role}\\"],\\"full_name\\":\\"${w.username} (created by ${ELASTICSEARCH_SETUP_NAME})\\"}"`,
    ]),
    // Index lifecycle: the policy, the template for new indices, and the policy on the indices that exist already
    // (PUT <pattern>/_settings; allow_no_indices so a fresh cluster without log indices is not an error).
    ...(lifecycle ? [
      `step "ILM policy ${lifecycle.name}" PUT /_ilm/policy/${lifecycle.name} '${json(ilmPolicy(lifecycle.retention))}'`,
      `step "index template ${lifecycle.name}" PUT /_index_template/${lifecycle.name} '${json(logIndexTemplate(lifecycle))}'`,
      `step "ILM policy on existing ${lifecycle.indices.join(',')}" PUT '/${lifecycle.indices.join(',')}/_settings?allow_no_indices=true&expand_wildcards=open,closed' '${json({ 'index.lifecycle.name': lifecycle.name })}'`,
    ] : []),
    // Snapshots: the repository (verified on every node), the SLM policy, and a first snapshot when the
    // policy has never succeeded, so that "no recent snapshot" means a failure, not a new cluster.
    ...(snapshots ? [
      `step "snapshot repository ${snapshots.repository}" PUT /_snapshot/${snapshots.repository} '${json(snapshotRepository(snapshots.type))}'`,
      `step "SLM policy ${snapshots.policy}" PUT /_slm/policy/${snapshots.policy} '${json(slmPolicy(snapshots))}'`,
      `step "SLM policy ${snapshots.policy} read" GET /_slm/policy/${snapshots.policy} ''`,
      `if grep -q '"last_success"' /tmp/response || grep -q '"in_progress"' /tmp/response; then echo "SLM policy ${snapshots.policy}: has a snapshot"; else step "first snapshot of ${snapshots.policy}" POST /_slm/policy/${snapshots.policy}/_execute ''; fi`,
    ] : []),
    '',
  ].join('\n');
}

/** Where the CA of Elasticsearch's certificate is mounted. */
const CA_DIR = '/etc/elasticsearch-setup/ca';

/**
 * The Job that creates the identities of the logging stack: Kibana's
 * `kibana_system` password and one document-writer user per log shipper.
 * It is the only pod besides the Elasticsearch nodes that reads the
 * `elastic` password.
 */
export class ElasticsearchSetup extends Construct {
  public readonly pod: HardenedPod;

  constructor(scope: Construct, id: string, props: ElasticsearchSetupProps) {
    super(scope, id);
    const ca = props.caSecret;
    if (ca && !props.url.startsWith('https://')) throw new Error(`${props.namespace}/${ELASTICSEARCH_SETUP_NAME}: caSecret is set but ${props.url} is not https`);
    const identity: ComponentIdentity = { name: ELASTICSEARCH_SETUP_NAME, instance: props.instance, component: 'identity-setup', partOf: 'logging', version: props.version };
    const job = new SetupJob(this, 'Job', {
      identity,
      namespace: props.namespace,
      image: props.image,
      resources: props.resources,
      tier: 'data',
      volumes: ca ? [caVolume('elasticsearch-ca', ca)] : [],
      setupReason: 'uses the elastic superuser once to set the kibana_system password, to create the document-writer role and user of each log shipper, and to apply the log index lifecycle and snapshot policies; every other pod uses those identities',
      script: elasticsearchSetupScript(props.writers, props.lifecycle, props.snapshots),
      env: { ELASTICSEARCH_URL: props.url, ...(ca ? { ELASTICSEARCH_CA: `${CA_DIR}/ca.crt` } : {}) },
      envFrom: [
        secretEnv('ELASTIC_PASSWORD', props.superuserPassword.name, props.superuserPassword.key),
        secretEnv('KIBANA_SYSTEM_PASSWORD', props.kibanaSystemPassword.name, props.kibanaSystemPassword.key),
        ...props.writers.map(w => secretEnv(envName(w.username), w.password.name, w.password.key)),
      ],
      probesWaivedBecause: 'a Job: a few API calls, then it exits',
      volumeMounts: ca ? [{ name: 'elasticsearch-ca', mountPath: CA_DIR, readOnly: true }] : [],
      policyName: ELASTICSEARCH_SETUP_NAME,
      egress: [{ peers: [props.elasticsearch.peer], ports: [{ port: props.elasticsearch.port }] }],
    });
    this.pod = job.pod;
  }
}
