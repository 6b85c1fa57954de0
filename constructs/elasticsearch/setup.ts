import { Construct } from 'constructs';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity, selectorLabels } from '../lib/labels';
import { PeerSpec } from '../lib/network';
import { RunAsIdentity } from '../lib/security';
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

const envName = (username: string) => `${username.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_PASSWORD`;

/**
 * The setup script: waits until the `elastic` user authenticates, then sets
 * the `kibana_system` password, creates or updates each writer role (PUT
 * replaces the role) and each user with its password and roles (PUT creates
 * or updates). Every call is idempotent, so the Job may run again at any time.
 */
export function elasticsearchSetupScript(writers: readonly WriterUser[]): string {
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
    '',
  ].join('\n');
}

/** Any uid works for sh + curl; >= 10000 so it cannot collide with a host user. */
const SETUP_USER: RunAsIdentity = { user: 10001, group: 10001 };
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
      runAs: SETUP_USER,
      tier: 'data',
      volumes: ca ? [caVolume('elasticsearch-ca', ca)] : [],
      setupReason: 'uses the elastic superuser once to set the kibana_system password and to create the document-writer role and user of each log shipper; every other pod uses those identities',
      script: elasticsearchSetupScript(props.writers),
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
