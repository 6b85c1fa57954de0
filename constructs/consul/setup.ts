import { Construct } from 'constructs';
import { caVolume } from '../lib/certificates';
import { ComponentIdentity } from '../lib/labels';
import { RunAsIdentity } from '../lib/security';
import { ContainerResources, ImageRef } from '../lib/types';
import { NetworkRule } from '../lib/network';
import { SETUP_JOB_USER, SetupJob } from '../lib/setup-job';
import { HardenedPod } from '../lib/workload';
import type { ConsulSecretKey } from '.';

/** `app.kubernetes.io/name` of the Job that creates Consul's ACL policies and tokens. */
export const CONSUL_SETUP_NAME = 'consul-acl-setup';

/** A token the setup Job makes sure exists: its SecretID comes from a Secret, its policy is created or updated. */
export interface ConsulTokenSpec {
  /** Policy name (letters, digits, `-`, `_`). */
  readonly policy: string;
  readonly description: string;
  /** HCL rules of the policy. */
  readonly rules: string;
  /** The Secret holding the token's SecretID (a UUID), in the Job's namespace. */
  readonly secret: ConsulSecretKey;
}

export interface ConsulSetupProps {
  readonly instance: string;
  readonly namespace: string;
  /** The Consul image (its CLI). */
  readonly image: ImageRef;
  readonly resources: ContainerResources;
  /** `CONSUL_HTTP_ADDR`, e.g. `http://consul.data.svc:8500`, or `https://consul.data.svc:8501` where the environment has TLS. */
  readonly httpAddr: string;
  /**
   * Secret (same namespace) of the servers' certificate: only its `ca.crt` is
   * mounted, and the CLI verifies the HTTPS API against it (`CONSUL_CACERT`;
   * the API asks for no client certificate, `https.verify_incoming: false`).
   * Required when `httpAddr` is https. @default - plain HTTP
   */
  readonly caSecret?: string;
  /** The initial management token (the only pod besides the servers that reads it). */
  readonly managementToken: ConsulSecretKey;
  readonly tokens: readonly ConsulTokenSpec[];
  /** Pod labels that make the Job an API client the servers' policy admits. @default - none (then `egress` opens the API) */
  readonly clientLabels?: Readonly<Record<string, string>>;
  /** Egress of its own policy, for a Job the servers admit through a `clients` offer. @default - none */
  readonly egress?: readonly NetworkRule[];
  /** `app.kubernetes.io/name` of the Job, for a second setup Job of other tokens (the backups'). @default CONSUL_SETUP_NAME */
  readonly name?: string;
}

const SECRETS = '/consul/secrets';
/** Where the CA of the servers' certificate is mounted. */
const CA_DIR = '/consul/ca';
const volumeName = (policy: string) => `token-${policy}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/**
 * The ACL setup script (Consul CLI). It waits until the management token
 * resolves (the leader creates it from `initial_management` once ACLs are
 * bootstrapped), then, for each token: creates its policy or updates the
 * rules by name (`consul acl policy update -name`), and creates the token
 * with the SecretID from its Secret unless a token with that SecretID
 * already resolves (`consul acl token read -self` works for any valid
 * token). Idempotent: it may run again at any time.
 */
export function consulSetupScript(tokens: readonly ConsulTokenSpec[]): string {
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return [
    'set -eu',
    `M=${SECRETS}/management/token`,
    'i=0',
    'until consul acl token read -self -token-file="$M" >/dev/null 2>&1; do',
    '  i=$((i + 1)); [ "$i" -le 120 ] || { echo "the management token did not resolve in 10 minutes (ACLs not bootstrapped?)" >&2; exit 1; }',
    '  echo "waiting for Consul ACLs"; sleep 5',
    'done',
    'policy() {',
    '  if consul acl policy read -name "$1" -token-file="$M" >/dev/null 2>&1; then',
    '    consul acl policy update -name "$1" -description "$2" -rules "$3" -token-file="$M" >/dev/null',
    '  else',
    '    consul acl policy create -name "$1" -description "$2" -rules "$3" -token-file="$M" >/dev/null',
    '  fi',
    '  echo "policy $1: done"',
    '}',
    'token() {',
    '  if consul acl token read -self -token-file="$1" >/dev/null 2>&1; then echo "token $2: exists"; return; fi',
    '  consul acl token create -secret="$(cat "$1")" -policy-name="$2" -description="$3" -token-file="$M" >/dev/null',
    '  echo "token $2: created"',
    '}',
    ...tokens.flatMap(t => [
      `policy ${t.policy} ${q(t.description)} ${q(t.rules)}`,
      `token ${SECRETS}/${volumeName(t.policy)}/${t.secret.key} ${t.policy} ${q(t.description)}`,
    ]),
    '',
  ].join('\n');
}

/** Any uid runs the CLI; fsGroup lets it read the Secret files (mode 0440). */
const SETUP_USER: RunAsIdentity = { ...SETUP_JOB_USER, fsGroup: SETUP_JOB_USER.group };

/**
 * The Job that creates Consul's ACL policies and tokens with the initial
 * management token, so that no other pod ever holds it.
 */
export class ConsulSetup extends Construct {
  public readonly pod: HardenedPod;

  constructor(scope: Construct, id: string, props: ConsulSetupProps) {
    super(scope, id);
    const https = props.httpAddr.startsWith('https://');
    const name = props.name ?? CONSUL_SETUP_NAME;
    if (https !== (props.caSecret !== undefined)) throw new Error(`${props.namespace}/${name}: ${props.httpAddr} ${https ? 'is https but no caSecret gives the CA to verify it' : 'is not https but caSecret is set'}`);
    const identity: ComponentIdentity = { name, instance: props.instance, component: 'identity-setup', partOf: 'dockercoins', version: props.image.tag };
    const secrets = [
      { volume: 'management-token', dir: 'management', secret: props.managementToken },
      ...props.tokens.map(t => ({ volume: volumeName(t.policy), dir: volumeName(t.policy), secret: t.secret })),
    ];
    const job = new SetupJob(this, 'Job', {
      identity,
      namespace: props.namespace,
      image: props.image,
      resources: props.resources,
      runAs: SETUP_USER,
      tier: 'data',
      ...(props.clientLabels ? { podLabels: props.clientLabels } : {}),
      ...(props.egress ? { egress: props.egress } : {}),
      setupReason: `uses the initial management token once to create the policies and tokens ${props.tokens.map(t => t.policy).join(', ')}; every other client uses those tokens`,
      volumes: [
        ...secrets.map(s => ({ name: s.volume, secret: { secretName: s.secret.name, items: [{ key: s.secret.key, path: s.secret.key }], defaultMode: 0o440 } })),
        ...(props.caSecret ? [caVolume('consul-ca', props.caSecret)] : []),
      ],
      script: consulSetupScript(props.tokens),
      // The CLI reads CONSUL_CACERT to verify the HTTPS API (chain, and the host name of CONSUL_HTTP_ADDR).
      env: { CONSUL_HTTP_ADDR: props.httpAddr, ...(props.caSecret ? { CONSUL_CACERT: `${CA_DIR}/ca.crt` } : {}) },
      probesWaivedBecause: 'a Job: a few API calls, then it exits',
      volumeMounts: [
        ...secrets.map(s => ({ name: s.volume, mountPath: `${SECRETS}/${s.dir}`, readOnly: true })),
        ...(props.caSecret ? [{ name: 'consul-ca', mountPath: CA_DIR, readOnly: true }] : []),
      ],
      // Egress to the servers' API comes from the consul-clients policy, which selects the client label.
    });
    this.pod = job.pod;
  }
}
