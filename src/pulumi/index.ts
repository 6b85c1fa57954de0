import * as pulumi from '@pulumi/pulumi';
import { resolveStack } from '../config/stack-config';
import { deployEnvironment } from './program';

/**
 * Pulumi program: stack = environment. `dockercoins:environment` maps a stack
 * with another name onto an environment; `dockercoins:overrides` overrides any
 * field of the typed environment config and is validated the same way.
 * Everything is one `dockercoins:platform:Environment` component
 * (src/pulumi/program.ts, docs/pulumi.md); the stack outputs are its outputs.
 */
const config = new pulumi.Config('dockercoins');
// No `dockercoins:environment`: the stack name is the environment (a fresh `pulumi stack init dev` works).
const env = resolveStack(pulumi.getStack(), { environment: config.get('environment'), overrides: config.getObject<unknown>('overrides') });
const platform = deployEnvironment(env);

export const environment = platform.outputs.environment;
/** The DockerCoins instances' namespaces (as before the component; every namespace: `allNamespaces`). */
export const namespaces = platform.outputs.dockercoinsNamespaces;
export const allNamespaces = platform.outputs.namespaces;
export const webui = platform.outputs.webui;
/** Chart ids in deployment order; `files` names the matching files of dist/<env>/. */
export const charts = platform.outputs.charts;
export const files = platform.outputs.files;
/** Secrets created from secret stack config, as `<namespace>/<name>` (values never in outputs). */
export const secrets = platform.outputs.secrets;
/** Charts whose objects `pulumi destroy` leaves in the cluster (docs/pulumi.md, "Destroy"). */
export const retainedOnDelete = platform.outputs.retainedOnDelete;
