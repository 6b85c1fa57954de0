/**
 * Pod template annotations that say which Secret keys are superuser
 * credentials and which pods may hold them. Dependency-free, so that the
 * analysis (validate, rule `superuser-credential`) reads them from rendered
 * YAML without the model.
 *
 * A superuser credential is a Secret key that grants everything on a server:
 * the `elastic` password, the Postgres superuser's password, Consul's initial
 * management token. Two kinds of pods may mount one:
 *  - the server that owns it (it needs the value to create the superuser at
 *    first start: Elasticsearch's bootstrap password, POSTGRES_PASSWORD,
 *    Consul's `acl.tokens.initial_management`); that pod template declares it
 *    with `SUPERUSER_CREDENTIALS_ANNOTATION`;
 *  - setup pods: Jobs that run once to create the narrower identities every
 *    other pod uses, marked with `SETUP_POD_ANNOTATION` and a reason.
 * Every other pod that reads such a key (env, envFrom, volume, projected
 * volume) is refused.
 */

/**
 * Superuser credentials a server owns: `<secret>/<key>` entries separated by
 * commas, Secrets of the pod's namespace (e.g. `elasticsearch-credentials/password`).
 */
export const SUPERUSER_CREDENTIALS_ANNOTATION = 'security.dockercoins.io/superuser-credentials';

/** On a Job's pod template: the pod is a setup pod (runs to completion), with the reason it needs a superuser credential. */
export const SETUP_POD_ANNOTATION = 'security.dockercoins.io/setup-pod';

/** A Secret key, as written in `SUPERUSER_CREDENTIALS_ANNOTATION`. */
export interface SecretKeyRef { readonly secret: string; readonly key: string }

/** The annotation value for a list of credentials (sorted, so rendering is deterministic). */
export function formatCredentials(refs: readonly SecretKeyRef[]): string {
  return [...new Set(refs.map(r => `${r.secret}/${r.key}`))].sort().join(',');
}

/** Parses an annotation value; undefined entries are malformed (no `/`, empty part). */
export function parseCredentials(value: string): Array<SecretKeyRef | { readonly malformed: string }> {
  return value.split(',').map(s => s.trim()).filter(s => s !== '').map(entry => {
    const slash = entry.indexOf('/');
    const secret = entry.slice(0, slash);
    const key = entry.slice(slash + 1);
    return slash <= 0 || key === '' || key.includes('/') ? { malformed: entry } : { secret, key };
  });
}

/**
 * On a server's pod template: why it accepts clients without credentials
 * (network policy is then its only guard). The reason names what makes
 * authentication impossible, so a reviewer can check it still holds.
 */
export const UNAUTHENTICATED_REASON_ANNOTATION = 'security.dockercoins.io/unauthenticated-reason';
